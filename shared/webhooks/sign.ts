import { Webhook } from 'standardwebhooks';
import { InvalidWebhookSecretError } from './errors.ts';
import { isWebhookSecret } from './secret.ts';

/** The three Standard Webhooks headers, lower-case as sent on the wire. */
export type WebhookSignatureHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

export interface SignWebhookInput {
  /** The message id; identical across retries of the same event so receivers can deduplicate. */
  id: string;
  /** When this attempt is signed (receivers reject timestamps more than a few minutes off). */
  timestamp: Date;
  /** The exact body that will be sent; sign and send the same string, never a re-serialisation. */
  payload: string;
  /** The endpoint's active secrets, newest first; several while a rotation is in progress. */
  secrets: string[];
}

/**
 * Signs a webhook per the Standard Webhooks spec (HMAC-SHA256 over `id.timestamp.payload`).
 *
 * With several secrets (rotation), `webhook-signature` carries one space-separated `v1,<base64>` entry per secret, so
 * a receiver verifying with either the old or the new secret accepts the message.
 *
 * @throws InvalidWebhookSecretError when `secrets` is empty or one is not a `whsec_` secret (the secret is not echoed).
 */
export function signWebhook({ id, timestamp, payload, secrets }: SignWebhookInput): WebhookSignatureHeaders {
  if (secrets.length === 0) {
    throw new InvalidWebhookSecretError('Cannot sign a webhook without a secret: the endpoint has no active secret.');
  }
  const unique = [...new Set(secrets)];
  const signatures = unique.map((secret, index) => {
    if (!isWebhookSecret(secret)) {
      throw new InvalidWebhookSecretError(
        `Webhook secret #${index + 1} is not a Standard Webhooks secret (whsec_ + base64 of 24–64 bytes).`,
      );
    }
    return new Webhook(secret).sign(id, timestamp, payload);
  });
  return {
    'webhook-id': id,
    // The library signs the floor of the timestamp in seconds; the header must carry that same number.
    'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
