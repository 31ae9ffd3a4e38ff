import { filingIdentity } from '../../domain/identifiers/provinces.ts';

/**
 * The single-table layout. Every item has `pk`, `sk` and `entity`; the stream consumer reacts to `entity = "event"`.
 *
 * | entity       | pk                          | sk                 | gsi1 (tenant lists)               |
 * |--------------|-----------------------------|--------------------|-----------------------------------|
 * | tenant       | TENANT#<tenantId>           | TENANT             |                                   |
 * | api_key      | APIKEY#<sha256 of key>      | APIKEY             |                                   |
 * | application  | APP#<id>                    | APP                | TENANT#<t>#APPS / <createdAt>#<id> |
 * | timeline     | APP#<id>                    | TL#<sequence, 6>   |   (entries 2…; 1 is the application) |
 * | evidence     | APP#<id>                    | EVIDENCE#<evId>    |                                   |
 * | filing guard | FILING#<filing identity>    | OPEN               | (state cancelled: a tombstone)    |
 * | idempotency  | IDEMPOTENCY#<tenant>#<key>  | IDEMPOTENCY        |                   (TTL 24 h)      |
 * | event        | EVENT#<eventId>             | EVENT              |                   (TTL 30 days)   |
 * | endpoint     | TENANT#<tenantId>           | ENDPOINT#<id>      |                                   |
 * | registry     | TENANT#<tenantId>           | REGISTRY#<filing>  |   (one record of the filing registry) |
 * | delivery     | DELIVERY#<id>               | DELIVERY           | ENDPOINT#<e>#DELIVERIES / <createdAt>#<id> |
 * | attempt      | DELIVERY#<id>               | ATTEMPT#<n, 4>     |                                   |
 * | batch        | BATCH#<batchId>             | BATCH              | TENANT#<t>#BATCHES / <createdAt>#<id> |
 * | batch counter| BATCH#<batchId>             | COUNT#<shard, 2>   |   (applications per status)       |
 * | batch key    | BATCHKEY#<tenant>#<key>     | BATCHKEY           |                   (TTL 7 days)    |
 * | batch evidence | TENANT#<tenantId>         | BATCHEVIDENCE#<id> |   (shared evidence of batches)    |
 */
export const keys = {
  tenant: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'TENANT' }),
  apiKey: (keyHash: string) => ({ pk: `APIKEY#${keyHash}`, sk: 'APIKEY' }),
  application: (id: string) => ({ pk: `APP#${id}`, sk: 'APP' }),
  applicationsOfTenant: (tenantId: string) => `TENANT#${tenantId}#APPS`,
  applicationsOfBatch: (batchId: string) => `BATCH#${batchId}#APPS`,
  batchesOfTenant: (tenantId: string) => `TENANT#${tenantId}#BATCHES`,
  timeline: (id: string, sequence: number) => ({ pk: `APP#${id}`, sk: `TL#${String(sequence).padStart(6, '0')}` }),
  evidence: (id: string, evidenceId: string) => ({ pk: `APP#${id}`, sk: `EVIDENCE#${evidenceId}` }),
  // Keyed by identity, not spelling: 蜀ICP备… and 川ICP备… are one filing (one open order between them).
  filingGuard: (filingNumber: string) => ({ pk: `FILING#${filingIdentity(filingNumber)}`, sk: 'OPEN' }),
  idempotency: (tenantId: string, key: string) => ({ pk: `IDEMPOTENCY#${tenantId}#${key}`, sk: 'IDEMPOTENCY' }),
  event: (eventId: string) => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' }),
  endpoint: (tenantId: string, endpointId: string) => ({ pk: `TENANT#${tenantId}`, sk: `ENDPOINT#${endpointId}` }),
  registryRecord: (tenantId: string, filingNumber: string) => ({ pk: `TENANT#${tenantId}`, sk: `REGISTRY#${filingNumber}` }),
  /** Sort-key prefix of a subject's records: its own number, and every website number `<subject>-n` after it. */
  registryPrefix: (subjectFilingNumber: string) => `REGISTRY#${subjectFilingNumber}`,
  delivery: (deliveryId: string) => ({ pk: `DELIVERY#${deliveryId}`, sk: 'DELIVERY' }),
  deliveriesOfEndpoint: (endpointId: string) => `ENDPOINT#${endpointId}#DELIVERIES`,
  batch: (batchId: string) => ({ pk: `BATCH#${batchId}`, sk: 'BATCH' }),
  batchCounter: (batchId: string, shard: number) => ({ pk: `BATCH#${batchId}`, sk: `COUNT#${String(shard).padStart(2, '0')}` }),
  batchIdempotency: (tenantId: string, key: string) => ({ pk: `BATCHKEY#${tenantId}#${key}`, sk: 'BATCHKEY' }),
  batchEvidence: (tenantId: string, evidenceId: string) => ({ pk: `TENANT#${tenantId}`, sk: `BATCHEVIDENCE#${evidenceId}` }),
  attempt: (deliveryId: string, n: number) => ({ pk: `DELIVERY#${deliveryId}`, sk: `ATTEMPT#${String(n).padStart(4, '0')}` }),
} as const;

export const DAY_SECONDS = 86_400;

/** Epoch seconds `days` from `at`, for the table's TTL attribute `expiresAt`. */
export function expiresAfterDays(at: Date, days: number): number {
  return Math.floor(at.getTime() / 1000) + days * DAY_SECONDS;
}

/** Removes the table's own attributes from an item before it is parsed as a record. */
export function stripKeys<T extends Record<string, unknown>>(item: T): Omit<T, 'pk' | 'sk' | 'entity' | 'gsi1pk' | 'gsi1sk' | 'gsi2pk' | 'gsi2sk' | 'expiresAt'> {
  const { pk: _pk, sk: _sk, entity: _e, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, expiresAt: _x, ...rest } = item;
  return rest;
}
