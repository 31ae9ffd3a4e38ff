import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/domain/errors.ts';
import type { HttpEvent } from '../../../shared/http/api-gateway.ts';
import { json } from '../../../shared/http/api-gateway.ts';
import { pathKeys, route, type RouteDeps } from '../../../shared/http/route.ts';
import type { StoredApiKey } from '../../../shared/ports/tenant-repository.ts';
import { hashApiKey } from '../../../shared/use-cases/authenticate.ts';

/** The business key a route's logs get from its path: the record its `{id}` names. */
describe('pathKeys', () => {
  it('names the application, batch or delivery the path is about, and nothing for other routes', () => {
    // Prepare
    const of = (routeKey: string, id?: string) => pathKeys({ routeKey, pathParameters: id === undefined ? {} : { id } });

    // Act & Assess
    expect(of('POST /v1/applications/{id}/submit', 'app_1')).toEqual({ applicationId: 'app_1' });
    expect(of('GET /v1/applications/{id}', 'app_1')).toEqual({ applicationId: 'app_1' });
    expect(of('POST /v1/reviews/{id}/decision', 'app_2')).toEqual({ applicationId: 'app_2' });
    expect(of('GET /v1/batches/{id}/report', 'bat_1')).toEqual({ batchId: 'bat_1' });
    expect(of('POST /v1/webhook-deliveries/{id}/redeliver', 'dlv_1')).toEqual({ deliveryId: 'dlv_1' });
    expect(of('GET /v1/webhook-endpoints/{id}/deliveries', 'ep_1')).toEqual({});
    expect(of('GET /v1/batch-evidence/{id}', 'ev_1')).toEqual({});
    expect(of('POST /v1/applications')).toEqual({});
  });
});

/** A route records its key's use (`lastUsedAt`) after a request that succeeded, and never after a refused one. */
describe('route: recording key use', () => {
  function world(keyId: string) {
    const key = `icp_agency_${keyId}`;
    const stored: StoredApiKey = { keyHash: hashApiKey(key), keyId, tenantId: 'tnt_route', scopes: ['agency'], createdAt: '2026-01-01T00:00:00.000Z' };
    const uses: string[] = [];
    const deps = {
      tenants: {
        findByKeyHash: async (hash: string) => (hash === stored.keyHash ? { ...stored } : undefined),
        recordKeyUse: async (use: { keyId: string }) => {
          uses.push(use.keyId);
          return true;
        },
      },
      clock: { now: () => new Date('2026-06-01T00:00:00Z'), wallNow: () => new Date('2026-06-01T00:00:00Z') },
    } as unknown as RouteDeps;
    const event = { routeKey: 'GET /v1/things', rawPath: '/v1/things', headers: { authorization: `Bearer ${key}` } } as unknown as HttpEvent;
    return { deps, event, uses };
  }

  it('records it when the answer is a success', async () => {
    // Prepare
    const w = world('key_route_ok');
    const handler = route('agency', () => w.deps, async () => json(200, {}));

    // Act
    const result = await handler(w.event);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(w.uses).toEqual(['key_route_ok']);
  });

  it('does not when the request is refused (by the use case or for the scope)', async () => {
    // Prepare
    const w = world('key_route_refused');
    const refused = route('agency', () => w.deps, async () => {
      throw new ValidationError('no');
    });
    const wrongScope = route('operator', () => w.deps, async () => json(200, {}));

    // Act
    const statuses = [(await refused(w.event)).statusCode, (await wrongScope(w.event)).statusCode];

    // Assess
    expect(statuses).toEqual([400, 403]);
    expect(w.uses).toEqual([]);
  });
});
