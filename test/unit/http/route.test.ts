import { describe, expect, it } from 'vitest';
import { pathKeys } from '../../../shared/http/route.ts';

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
