import * as z from '../../zod.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import { EventType, type Principal, type WebhookEndpoint } from '../../domain/records.ts';
import type { Deps } from '../../ports/deps.ts';
import { generateWebhookSecret } from '../../webhooks/secret.ts';
import { checkWebhookUrl } from '../../webhooks/ssrf-guard.ts';

export const WebhookEndpointInput = z.strictObject({
  url: z.string().check(z.minLength(1), z.maxLength(2048)),
  eventTypes: z.optional(z.array(EventType).check(z.maxLength(EventType.options.length))),
});
export type WebhookEndpointInput = z.infer<typeof WebhookEndpointInput>;

/** An endpoint as listed: without its secret, which is shown once, at creation. */
export function endpointView(endpoint: WebhookEndpoint) {
  const { secret: _secret, previousSecrets, tenantId: _tenant, endpointId, ...rest } = endpoint;
  return { id: endpointId, ...rest, rotatingSecretsUntil: previousSecrets.map((p) => p.expiresAt) };
}

/**
 * Registers a webhook endpoint.
 *
 * Primary course:
 * 1. The URL must be https (http only where the local runtime allows it) and must not point at a private, loopback,
 *    link-local or metadata address (loopback only by the local setting). The send-time check repeats this on the
 *    addresses actually connected to.
 * 2. Generate a `whsec_` signing secret and store the endpoint, subscribed to the given event types (all when absent).
 * 3. Return it with the secret, which is not shown again.
 */
export async function createWebhookEndpoint(
  deps: Pick<Deps, 'webhooks' | 'clock' | 'ids' | 'settings'>,
  principal: Principal,
  input: WebhookEndpointInput,
) {
  const check = checkWebhookUrl(input.url, {
    allowLoopback: deps.settings.webhooksAllowLoopback,
    allowHttp: deps.settings.webhooksAllowHttp,
  });
  if (!check.ok) {
    throw new ValidationError('The webhook URL is not accepted.', {
      errors: [{ path: 'url', code: check.code, message: check.message }],
    });
  }
  const endpoint: WebhookEndpoint = {
    endpointId: deps.ids.next('we'),
    tenantId: principal.tenantId,
    url: check.url.toString(),
    eventTypes: [...new Set(input.eventTypes ?? [])],
    secret: generateWebhookSecret(),
    previousSecrets: [],
    status: 'enabled',
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.webhooks.putEndpoint(endpoint);
  return { ...endpointView(endpoint), secret: endpoint.secret };
}

export async function listWebhookEndpoints(deps: Pick<Deps, 'webhooks'>, principal: Principal) {
  return (await deps.webhooks.listEndpoints(principal.tenantId)).map(endpointView);
}

/** How long a replaced secret still signs deliveries after a rotation (both signatures are sent meanwhile). */
export const ROTATION_OVERLAP_HOURS = 24;

/**
 * Rotates an endpoint's signing secret. For the next 24 hours every delivery carries two signatures (new and old
 * secret, Standard Webhooks' rotation), so the receiver can switch to the new secret whenever it likes.
 * Returns the new secret, shown this once.
 */
export async function rotateWebhookSecret(
  deps: Pick<Deps, 'webhooks' | 'clock'>,
  principal: Principal,
  endpointId: string,
) {
  const endpoint = await deps.webhooks.getEndpoint(principal.tenantId, endpointId);
  if (!endpoint) throw new NotFoundError(`No webhook endpoint ${endpointId}.`);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + ROTATION_OVERLAP_HOURS * 3600_000).toISOString();
  const next: WebhookEndpoint = {
    ...endpoint,
    secret: generateWebhookSecret(),
    previousSecrets: [
      { secret: endpoint.secret, expiresAt },
      ...endpoint.previousSecrets.filter((p) => new Date(p.expiresAt) > now),
    ],
  };
  if (!(await deps.webhooks.replaceEndpoint(endpoint, next))) {
    throw new ConflictError('The secret was rotated by another request at the same time; list the endpoint and try again.');
  }
  return { ...endpointView(next), secret: next.secret };
}
