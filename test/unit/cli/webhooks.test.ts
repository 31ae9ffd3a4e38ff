import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookDelivery, WebhookEndpointWithSecret } from '../../../cli/api-types.ts';
import { run } from '../../../cli/program.ts';
import { bodyOf, captureIo, problem, startFakeApi } from './fake-api.ts';

const endpoint: WebhookEndpointWithSecret = {
  id: 'we_1',
  url: 'https://hooks.example.com/icp',
  eventTypes: [],
  status: 'enabled',
  createdAt: '2026-11-29T08:00:00.000Z',
  rotatingSecretsUntil: [],
  secret: 'whsec_c2VjcmV0',
};
const delivery: WebhookDelivery = {
  id: 'dlv_1',
  endpointId: 'we_1',
  eventId: 'evt_1',
  eventType: 'application.approved',
  status: 'delivered',
  attempts: 1,
  redeliveries: 0,
  createdAt: '2026-11-29T08:05:00.000Z',
  updatedAt: '2026-11-29T08:05:01.000Z',
};

describe('icp-cancel webhooks', () => {
  let api: Awaited<ReturnType<typeof startFakeApi>> | undefined;
  const env = () => ({ ICP_API_URL: api?.url, ICP_API_KEY: 'icp_agency_test' });
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });

  it('adds an endpoint for some event types and prints it with its secret, the warning on stderr', async () => {
    // Prepare
    api = await startFakeApi({ 'POST /v1/webhook-endpoints': () => ({ status: 201, body: { ...endpoint, eventTypes: ['application.approved', 'batch.completed'] } }) });
    const cli = captureIo('/', env());

    // Act
    const code = await run(['webhooks', 'add', 'https://hooks.example.com/icp', '--event', 'application.approved', 'batch.completed'], cli.io);

    // Assess
    expect(code).toBe(0);
    expect(bodyOf(api.requests[0])).toEqual({ url: 'https://hooks.example.com/icp', eventTypes: ['application.approved', 'batch.completed'] });
    expect(cli.stdout()).toBe('we_1  enabled  https://hooks.example.com/icp  application.approved,batch.completed\nsecret whsec_c2VjcmV0\n');
    expect(cli.stderr()).toBe('The secret is shown once: keep it to verify the signatures (Standard Webhooks).\n');
  });

  it('refuses an event type the API does not send, before any request', async () => {
    api = await startFakeApi({});
    const cli = captureIo('/', env());
    expect(await run(['webhooks', 'add', 'https://hooks.example.com/icp', '--event', 'application.deleted'], cli.io)).toBe(2);
    expect(cli.stderr()).toMatch(/argument 'application\.deleted' is invalid\. Allowed choices are application\.created, /);
    expect(api.requests).toHaveLength(0);
  });

  it('lists endpoints (a disabled one with why), and rotates a secret saying how long the old one signs', async () => {
    api = await startFakeApi({
      'GET /v1/webhook-endpoints': () => ({
        body: { items: [{ ...endpoint, secret: undefined }, { ...endpoint, id: 'we_2', status: 'disabled', disabledReason: 'The endpoint answered 410 Gone.' }] },
      }),
      'POST /v1/webhook-endpoints/we_1/rotate-secret': () => ({ body: { ...endpoint, secret: 'whsec_bmV3', rotatingSecretsUntil: ['2026-11-30T08:00:00.000Z'] } }),
    });

    const list = captureIo('/', env());
    expect(await run(['webhooks', 'list'], list.io)).toBe(0);
    expect(list.stdout()).toBe(
      'we_1  enabled  https://hooks.example.com/icp  all events\nwe_2  disabled  https://hooks.example.com/icp  all events  The endpoint answered 410 Gone.\n',
    );

    const rotate = captureIo('/', env());
    expect(await run(['webhooks', 'rotate', 'we_1'], rotate.io)).toBe(0);
    expect(rotate.stdout()).toBe('we_1  enabled  https://hooks.example.com/icp  all events\nsecret whsec_bmV3\n');
    expect(rotate.stderr()).toContain('The previous secret keeps signing until 2026-11-30T08:00:00.000Z.\n');
    expect(bodyOf(api.to('POST /v1/webhook-endpoints/we_1/rotate-secret')[0])).toEqual({});
  });

  it("shows an endpoint's deliveries a line each, one delivery's attempts, and --json as the API answers", async () => {
    // Prepare
    const retried = { ...delivery, id: 'dlv_2', eventType: undefined, status: 'failed' as const, attempts: 20, redeliveries: 1 };
    const attemptLog = [
      { attempt: 1, at: '2026-11-29T08:05:00.000Z', outcome: 'retryable' as const, status: 503, durationMs: 120, error: 'HTTP 503' },
      { attempt: 2, at: '2026-11-29T08:05:30.000Z', outcome: 'retryable' as const, durationMs: 10_000, error: 'timeout' },
    ];
    api = await startFakeApi({
      'GET /v1/webhook-endpoints/we_1/deliveries': () => ({ body: { items: [delivery, retried], nextCursor: 'next' } }),
      'GET /v1/webhook-deliveries/dlv_2': () => ({ body: { ...retried, attemptLog } }),
    });

    // Act
    const list = captureIo('/', env());
    await run(['webhooks', 'deliveries', 'we_1', '--limit', '2'], list.io);
    const json = captureIo('/', env());
    await run(['webhooks', 'deliveries', 'we_1', '--json'], json.io);
    const one = captureIo('/', env());
    await run(['webhooks', 'delivery', 'dlv_2'], one.io);

    // Assess
    expect(list.stdout()).toBe(
      'dlv_1  application.approved  delivered  1 attempt  2026-11-29T08:05:00.000Z\n' +
        'dlv_2  evt_1  failed  20 attempts, 1 redelivered  2026-11-29T08:05:00.000Z\n',
    );
    expect(list.stderr()).toBe('(more: --cursor next)\n');
    expect(api.to('GET /v1/webhook-endpoints/we_1/deliveries').map((r) => r.query)).toEqual([{ limit: '2' }, { limit: '50' }]);
    expect(JSON.parse(json.stdout())).toEqual({ items: [delivery, { ...retried, eventType: undefined }], nextCursor: 'next' });
    expect(one.stdout()).toBe(
      [
        'dlv_2  evt_1  failed  20 attempts, 1 redelivered  2026-11-29T08:05:00.000Z',
        '  event evt_1 to we_1',
        '  #1  2026-11-29T08:05:00.000Z  retryable  503  120 ms  HTTP 503',
        '  #2  2026-11-29T08:05:30.000Z  retryable  -  10000 ms  timeout',
        '',
      ].join('\n'),
    );
  });

  it('redelivers, and a delivery still being attempted is a refusal (exit 1)', async () => {
    api = await startFakeApi({
      'POST /v1/webhook-deliveries/dlv_1/redeliver': () => ({ status: 202, body: { ...delivery, status: 'pending', redeliveries: 1 } }),
      'POST /v1/webhook-deliveries/dlv_2/redeliver': () => problem(409, 'Conflict with the current state', { detail: 'This delivery is still being attempted; wait for it to end.' }),
    });
    const ok = captureIo('/', env());
    expect(await run(['webhooks', 'redeliver', 'dlv_1'], ok.io)).toBe(0);
    expect(ok.stdout()).toBe('dlv_1  application.approved  pending  1 attempt, 1 redelivered  2026-11-29T08:05:00.000Z\n');

    const busy = captureIo('/', env());
    expect(await run(['webhooks', 'redeliver', 'dlv_2'], busy.io)).toBe(1);
    expect(busy.stderr()).toBe(
      'icp-cancel: POST /v1/webhook-deliveries/dlv_2/redeliver failed with 409: Conflict with the current state: This delivery is still being attempted; wait for it to end.\n',
    );
  });
});
