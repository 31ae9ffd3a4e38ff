import { filingIdentity } from '../../domain/identifiers/provinces.ts';
import type { Application, OutboxEvent } from '../../domain/records.ts';

/**
 * The single-table layout. Every item has `pk`, `sk` and `entity`; the stream consumer reacts to `entity = "event"`.
 *
 * | entity       | pk                          | sk                 | gsi1 / gsi2 (lists, newest first)  |
 * |--------------|-----------------------------|--------------------|-----------------------------------|
 * | tenant       | TENANT#<tenantId>           | TENANT             |                                   |
 * | api_key      | APIKEY#<sha256 of key>      | APIKEY             |   (TTL: 90 days after revoked or expired) |
 * | api_key_ref  | TENANT#<tenantId>           | APIKEY#<keyId>     |   (the tenant's list of its keys; TTL as its key) |
 * | api_key_use  | KEYUSE#<keyId>              | USE                |   (`lastUsedAt`, apart: every API function may write it) |
 * | api_key_request | APIKEYREQ#<tenant>#<key> | APIKEYREQ          |                   (TTL 24 h)      |
 * | application  | APP#<id>                    | APP                | gsi1 TENANT#<t>#APPS#<shard> / <createdAt>#<id>; gsi2 BATCH#<b>#APPS#<shard> / <createdAt>#<id> |
 * | timeline     | APP#<id>                    | TL#<sequence, 6>   |   (entries 2…; 1, and 2 of a row created submitted, are read off the application) |
 * | evidence     | APP#<id>                    | EVIDENCE#<evId>    |                                   |
 * | filing guard | FILING#<filing identity>    | OPEN               | (state cancelled: a tombstone)    |
 * | idempotency  | IDEMPOTENCY#<tenant>#<key>  | IDEMPOTENCY        |                   (TTL 24 h)      |
 * | event        | EVENT#<eventId>             | EVENT              |   (TTL: EVENT_RETENTION_DAYS, 30) |
 * | endpoint     | TENANT#<tenantId>           | ENDPOINT#<id>      |                                   |
 * | registry     | TENANT#<tenantId>           | REGISTRY#<filing>  |   (one record of the filing registry) |
 * | delivery     | DELIVERY#<id>               | DELIVERY           | gsi1 ENDPOINT#<e>#DELIVERIES#<shard> / <createdAt>#<id> (TTL: retention) |
 * | attempt      | DELIVERY#<id>               | ATTEMPT#<n, 4>     |   (TTL: retention)                |
 * | batch        | BATCH#<batchId>             | BATCH              | gsi1 TENANT#<t>#BATCHES / <createdAt>#<id> |
 * | batch counter| BATCH#<batchId>             | COUNT#<shard, 2>   |   (applications per status)       |
 * | batch key    | BATCHKEY#<tenant>#<key>     | BATCHKEY           |                   (TTL 7 days)    |
 * | batch evidence | TENANT#<tenantId>         | BATCHEVIDENCE#<id> |   (shared evidence of batches)    |
 * | start_request | STARTS#<shard, 0–7>        | <batchId or ->#<machine>#<name> | (until started; a batch's names the reviews of one transaction's rows; `dynamo-start-queue.ts`) |
 * | pace         | PACE#StartExecution         | PACE               |   (the StartExecution bucket; `dynamo-pace.ts`) |
 *
 * Both indexes project the keys only (`records-table.ts`): a list reads its page of keys from the index and the items
 * from the table.
 *
 * `<shard>` (two digits, `LIST_SHARDS` of them, by a hash of the item's id) spreads the writes of a busy list over
 * several index partitions: every application of a tenant, of a batch, every delivery of an endpoint would otherwise
 * write one partition, which DynamoDB caps at 1,000 write units a second. An endpoint subscribed to every event gets
 * more deliveries than a batch has rows (each row sends `application.created`, then `.submitted`, then `.under_review`
 * as it is ingested and submitted), so its list is sharded like the applications'. A list is read by querying every shard and
 * merging (`list-index.ts`). Items written before the lists were sharded carry the list's key without a shard (the
 * legacy partition): it is read as one more partition of the merge, and an item moves to its shard when next written.
 * A tenant's batches are not sharded: a tenant creates a few batches a day, and a batch's later writes (ingestion
 * progress) change no key, so with a keys-only index they write the index not at all.
 */
/** The partition key prefix of the key-use items, which the IAM grant of the API functions names. */
export const KEY_USE_PREFIX = 'KEYUSE#';

export const keys = {
  tenant: (tenantId: string) => ({ pk: `TENANT#${tenantId}`, sk: 'TENANT' }),
  apiKey: (keyHash: string) => ({ pk: `APIKEY#${keyHash}`, sk: 'APIKEY' }),
  /** A key's place in its tenant's list (the key item is found by the key's hash, the list by the tenant). */
  tenantApiKey: (tenantId: string, keyId: string) => ({ pk: `TENANT#${tenantId}`, sk: `APIKEY#${keyId}` }),
  tenantApiKeyPrefix: 'APIKEY#',
  /**
   * When a key was last used, apart from the key: every API function records it, so every one may write these items
   * (`grantKeyUseRecording`, by this partition key's prefix) and none the keys themselves.
   */
  keyUse: (keyId: string) => ({ pk: `${KEY_USE_PREFIX}${keyId}`, sk: 'USE' }),
  keyRequest: (tenantId: string, idempotencyKey: string) => ({ pk: `APIKEYREQ#${tenantId}#${idempotencyKey}`, sk: 'APIKEYREQ' }),
  application: (id: string) => ({ pk: `APP#${id}`, sk: 'APP' }),
  /** A list's name; its items are written to `listShard(list, id)`, the list is read from `listPartitions(list)`. */
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
  /** The shard of the start queue a request is written to (`dynamo-start-queue.ts` spreads them by execution name). */
  startShard: (shard: number) => `STARTS#${shard}`,
  /** A start request: the owner (`<batchId>#` or `-#`) first, so that a batch's requests are one prefix of each shard. */
  startRequest: (shard: number, owner: string, machine: string, name: string) => ({ pk: `STARTS#${shard}`, sk: `${owner}${machine}#${name}` }),
  /** The StartExecution pace's token bucket: one item for the whole system. */
  startPace: () => ({ pk: 'PACE#StartExecution', sk: 'PACE' }),
} as const;

/**
 * Shards of a sharded list. At a write unit per index item (keys only, under 1 KB), 16 shards take a list to 16,000
 * writes a second before one partition reaches DynamoDB's 1,000 — 30 times the ~500 rows a second one batch ingests,
 * room for several batches of a tenant at once — while a page costs 17 queries in parallel (16 shards and the legacy
 * partition, about half a read unit each when small). More shards would make every page dearer for headroom no
 * ingestion reaches; fewer would leave one tenant's concurrent batches near the limit.
 */
export const LIST_SHARDS = 16;

/** A stable number in [0, shards) for a string (an id): the same on every write, spread evenly over ULIDs. */
export function shardOf(key: string, shards: number): number {
  let hash = 0;
  for (let i = 0; i < key.length; i++) hash = (hash * 31 + key.charCodeAt(i)) >>> 0;
  return hash % shards;
}

/** The partition of list `list` an item with this id is written to. */
export function listShard(list: string, id: string): string {
  return `${list}#${String(shardOf(id, LIST_SHARDS)).padStart(2, '0')}`;
}

/** Every partition list `list` is read from: the legacy (unsharded) partition, then each shard. */
export function listPartitions(list: string): string[] {
  return [list, ...Array.from({ length: LIST_SHARDS }, (_, shard) => `${list}#${String(shard).padStart(2, '0')}`)];
}

export const DAY_SECONDS = 86_400;

/** Epoch seconds `days` from `at`, for the table's TTL attribute `expiresAt`. */
export function expiresAfterDays(at: Date, days: number): number {
  return Math.floor(at.getTime() / 1000) + days * DAY_SECONDS;
}

/** The application item, with its places in the tenant's list (gsi1) and its batch's (gsi2), sharded by its id. */
export function applicationItem(app: Application): Record<string, unknown> {
  const sortKey = `${app.createdAt}#${app.id}`;
  return {
    ...keys.application(app.id),
    entity: 'application',
    gsi1pk: listShard(keys.applicationsOfTenant(app.tenantId), app.id),
    gsi1sk: sortKey,
    ...(app.batchId ? { gsi2pk: listShard(keys.applicationsOfBatch(app.batchId), app.id), gsi2sk: sortKey } : {}),
    ...app,
  };
}

/** The outbox item of an event, kept `retentionDays` from the event's time (`EVENT_RETENTION_DAYS`). */
export function outboxItem(outbox: OutboxEvent, retentionDays: number): Record<string, unknown> {
  return { ...keys.event(outbox.eventId), entity: 'event', ...outbox, expiresAt: expiresAfterDays(new Date(outbox.event.timestamp), retentionDays) };
}

/** Removes the table's own attributes from an item before it is parsed as a record. */
export function stripKeys<T extends Record<string, unknown>>(item: T): Omit<T, 'pk' | 'sk' | 'entity' | 'gsi1pk' | 'gsi1sk' | 'gsi2pk' | 'gsi2sk' | 'expiresAt'> {
  const { pk: _pk, sk: _sk, entity: _e, gsi1pk: _a, gsi1sk: _b, gsi2pk: _c, gsi2sk: _d, expiresAt: _x, ...rest } = item;
  return rest;
}
