import { describe, expect, it, vi } from 'vitest';
import type { OutboxEvent, WebhookEndpoint } from '../../../shared/domain/records.ts';
import { deliveryIdFor, dispatchEvent, endpointsOncePerTenant } from '../../../shared/use-cases/webhooks/deliveries.ts';
import { agency, withLocalTable, type TestDeps, testDeps } from './support/local-deps.ts';

describe('dispatching outbox events to the tenant\'s endpoints', { timeout: 30_000 }, () => {
  let deps: TestDeps;
  withLocalTable((table) => {
    deps = testDeps(table);
  });

  const endpoint = (tenantId: string, endpointId: string, eventTypes: WebhookEndpoint['eventTypes'] = []): WebhookEndpoint => ({
    endpointId,
    tenantId,
    url: `https://hooks.example.com/${endpointId}`,
    eventTypes,
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    previousSecrets: [],
    status: 'enabled',
    createdAt: '2026-11-29T00:00:00.000Z',
  });
  const event = (tenantId: string, n: number): OutboxEvent => ({
    eventId: `evt_dispatch_${tenantId}_${n}`,
    tenantId,
    event: {
      type: 'application.created',
      timestamp: '2026-11-29T01:00:00.000Z',
      data: { applicationId: `app_${n}`, status: 'draft', sequence: 1, attempt: 1, filingNumber: `京ICP备2026${String(n).padStart(6, '0')}号-1` },
    },
  });

  it('reads each tenant\'s endpoints once for a batch of events and starts one delivery per subscribed endpoint and event', async () => {
    // Prepare
    const [a, b] = [agency().tenantId, agency().tenantId];
    await deps.webhooks.putEndpoint(endpoint(a, 'ep_all'));
    await deps.webhooks.putEndpoint(endpoint(a, 'ep_approved_only', ['application.approved']));
    await deps.webhooks.putEndpoint(endpoint(b, 'ep_b'));
    const starts: { deliveryId: string; tenantId: string }[] = [];
    const dispatchDeps = { ...deps, delivery: { start: async (input: { deliveryId: string; tenantId: string }) => void starts.push(input) } };
    const reads = vi.spyOn(deps.webhooks, 'listEndpoints');
    const events = [event(a, 1), event(b, 2), event(a, 3), event(a, 4)];

    // Act
    const endpointsOf = endpointsOncePerTenant(deps);
    for (const e of events) await dispatchEvent(dispatchDeps, e, endpointsOf);

    // Assess
    expect(reads.mock.calls.map(([tenantId]) => tenantId)).toEqual([a, b]);
    expect(starts).toEqual([
      { deliveryId: deliveryIdFor(events[0]!.eventId, 'ep_all'), tenantId: a },
      { deliveryId: deliveryIdFor(events[1]!.eventId, 'ep_b'), tenantId: b },
      { deliveryId: deliveryIdFor(events[2]!.eventId, 'ep_all'), tenantId: a },
      { deliveryId: deliveryIdFor(events[3]!.eventId, 'ep_all'), tenantId: a },
    ]);
    reads.mockRestore();
  });

  it('reads again after a failed read instead of keeping the failure', async () => {
    // Prepare
    const tenantId = agency().tenantId;
    await deps.webhooks.putEndpoint(endpoint(tenantId, 'ep_retry'));
    const reads = vi.spyOn(deps.webhooks, 'listEndpoints').mockRejectedValueOnce(new Error('DynamoDB is busy'));
    const endpointsOf = endpointsOncePerTenant(deps);

    // Act
    const first = await endpointsOf(tenantId).catch((e: unknown) => e);
    const second = await endpointsOf(tenantId);

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(second.map((e) => e.endpointId)).toEqual(['ep_retry']);
    expect(reads).toHaveBeenCalledTimes(2);
    reads.mockRestore();
  });
});
