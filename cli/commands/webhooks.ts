import { Command, Option } from 'commander';
import { EventType } from '../../shared/domain/records.ts';
import type { WebhookDelivery, WebhookDeliveryDetail, WebhookEndpoint, WebhookEndpointWithSecret } from '../api-types.ts';
import { type CliIo, clientFrom, type ConnectionOptions, limitOf, withConnection, writeJson, writeMore } from '../context.ts';

interface JsonOption extends ConnectionOptions {
  json?: boolean;
}

/** `webhooks add|list|rotate|deliveries|delivery|redeliver`: where the API sends its signed events, and what it sent. */
export function webhooksCommand(io: CliIo): Command {
  const add = withConnection(new Command('add'))
    .description('register an endpoint; prints it and its signing secret (shown once)')
    .argument('<url>', 'https URL of your receiver (http and loopback only where the API allows them, e.g. locally)')
    .addOption(new Option('--event <type...>', 'only these event types (default: all)').choices(EventType.options))
    .option('--json', "print the API's answer as JSON (with the secret)")
    .action(async (url: string, options: JsonOption & { event?: EventType[] }) => {
      const endpoint = await clientFrom(options, io).createWebhookEndpoint({ url, ...(options.event ? { eventTypes: options.event } : {}) });
      if (options.json) return writeJson(io, endpoint);
      writeWithSecret(io, endpoint);
    });

  const list = withConnection(new Command('list'))
    .description('list your endpoints (without their secrets)')
    .option('--json', "print the API's answer as JSON")
    .action(async (options: JsonOption) => {
      const page = await clientFrom(options, io).listWebhookEndpoints();
      if (options.json) return writeJson(io, page);
      if (page.items.length === 0) io.stderr.write('No webhook endpoints yet.\n');
      for (const endpoint of page.items) io.stdout.write(`${endpointLine(endpoint)}\n`);
    });

  const rotate = withConnection(new Command('rotate'))
    .description("replace an endpoint's signing secret; the old one keeps signing (a second signature) for 24 hours")
    .argument('<endpoint-id>', 'we_…')
    .option('--json', "print the API's answer as JSON (with the new secret)")
    .action(async (id: string, options: JsonOption) => {
      const endpoint = await clientFrom(options, io).rotateWebhookSecret(id);
      if (options.json) return writeJson(io, endpoint);
      writeWithSecret(io, endpoint);
      const until = endpoint.rotatingSecretsUntil.at(-1);
      if (until) io.stderr.write(`The previous secret keeps signing until ${until}.\n`);
    });

  const deliveries = withConnection(new Command('deliveries'))
    .description("an endpoint's delivery log, newest first")
    .argument('<endpoint-id>', 'we_…')
    .option('--limit <n>', 'how many (1-200, default 50)')
    .option('--cursor <cursor>', 'the page after the one that printed it')
    .option('--json', "print the API's answer as JSON")
    .action(async (id: string, options: JsonOption & { limit?: string; cursor?: string }) => {
      const limit = limitOf(options.limit, 200) ?? 50;
      const page = await clientFrom(options, io).listWebhookDeliveries(id, { limit, ...(options.cursor ? { cursor: options.cursor } : {}) });
      if (options.json) return writeJson(io, page);
      if (page.items.length === 0 && !options.cursor) io.stderr.write('No deliveries yet.\n');
      for (const delivery of page.items) io.stdout.write(`${deliveryLine(delivery)}\n`);
      writeMore(io, page.nextCursor);
    });

  const delivery = withConnection(new Command('delivery'))
    .description('one delivery with each attempt (outcome, HTTP status, duration, error)')
    .argument('<delivery-id>', 'dlv_…')
    .option('--json', "print the API's answer as JSON")
    .action(async (id: string, options: JsonOption) => {
      const detail = await clientFrom(options, io).getWebhookDelivery(id);
      if (options.json) return writeJson(io, detail);
      io.stdout.write(`${renderDelivery(detail)}\n`);
    });

  const redeliver = withConnection(new Command('redeliver'))
    .description('send a delivery again, with a fresh run of attempts (same webhook-id)')
    .argument('<delivery-id>', 'dlv_…')
    .option('--json', "print the API's answer as JSON")
    .action(async (id: string, options: JsonOption) => {
      const answer = await clientFrom(options, io).redeliverWebhook(id);
      if (options.json) return writeJson(io, answer);
      io.stdout.write(`${deliveryLine(answer)}\n`);
    });

  return new Command('webhooks')
    .description('webhook endpoints, their secrets and their deliveries')
    .addCommand(add)
    .addCommand(list)
    .addCommand(rotate)
    .addCommand(deliveries)
    .addCommand(delivery)
    .addCommand(redeliver);
}

/** `we_…  enabled  https://…  all events` (and why it was disabled). */
export function endpointLine(endpoint: WebhookEndpoint): string {
  const events = endpoint.eventTypes.length === 0 ? 'all events' : endpoint.eventTypes.join(',');
  return [endpoint.id, endpoint.status, endpoint.url, events, endpoint.disabledReason ?? ''].join('  ').trimEnd();
}

/** `dlv_…  application.approved  delivered  1 attempt  2026-11-29T08:00:00.000Z` (and its redeliveries). */
export function deliveryLine(delivery: WebhookDelivery): string {
  const attempts = `${delivery.attempts} attempt${delivery.attempts === 1 ? '' : 's'}`;
  const redeliveries = delivery.redeliveries > 0 ? `, ${delivery.redeliveries} redelivered` : '';
  return [delivery.id, delivery.eventType ?? delivery.eventId, delivery.status, `${attempts}${redeliveries}`, delivery.createdAt].join('  ');
}

/** A delivery and its attempt log, one attempt a line. */
export function renderDelivery(delivery: WebhookDeliveryDetail): string {
  const attempts = delivery.attemptLog.map(
    (a) => `  ${[`#${a.attempt}`, a.at, a.outcome, a.status === undefined ? '-' : String(a.status), `${a.durationMs} ms`, a.error ?? ''].join('  ').trimEnd()}`,
  );
  return [deliveryLine(delivery), `  event ${delivery.eventId} to ${delivery.endpointId}`, ...attempts].join('\n');
}

function writeWithSecret(io: CliIo, endpoint: WebhookEndpointWithSecret): void {
  io.stdout.write(`${endpointLine(endpoint)}\nsecret ${endpoint.secret}\n`);
  io.stderr.write('The secret is shown once: keep it to verify the signatures (Standard Webhooks).\n');
}
