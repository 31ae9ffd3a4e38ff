import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_EVIDENCE_POLICY, type EvidencePolicy } from '../../../../shared/domain/evidence-matrix.ts';
import type { Principal } from '../../../../shared/domain/records.ts';
import { DynamoApplicationRepository } from '../../../../shared/adapters/dynamo/dynamo-application-repository.ts';
import { DynamoFilingRegistryRepository } from '../../../../shared/adapters/dynamo/dynamo-filing-registry-repository.ts';
import { DynamoTenantRepository } from '../../../../shared/adapters/dynamo/dynamo-tenant-repository.ts';
import { DynamoWebhookRepository } from '../../../../shared/adapters/dynamo/dynamo-webhook-repository.ts';
import type { MetricName } from '../../../../shared/observability/metric-names.ts';
import type { Deps, Settings } from '../../../../shared/ports/deps.ts';
import type { Metrics } from '../../../../shared/ports/metrics.ts';
import type { EvidenceStore } from '../../../../shared/ports/services.ts';
import { startTestTable, type TestTable } from '../../../support/test-table.ts';

/**
 * Use cases against the real records table on DynamoDB Local (the table as the data stack defines it), with the
 * other ports in memory: a settable clock, sequential ids, an evidence store of byte arrays, workflows that only
 * record what they were asked, and metrics counted in memory.
 */

/** The `Metrics` port in memory: what was counted, by name. */
export class MemoryMetrics implements Metrics {
  readonly counts = new Map<MetricName, number>();

  count(name: MetricName, value = 1): void {
    if (value > 0) this.counts.set(name, this.of(name) + value);
  }

  of(name: MetricName): number {
    return this.counts.get(name) ?? 0;
  }

  /** The counts as a plain object, for `toEqual`. */
  all(): Partial<Record<MetricName, number>> {
    return Object.fromEntries(this.counts);
  }
}

export const TABLE = 'records';

export type LocalTable = TestTable;

/** Starts DynamoDB Local in memory with the records table as the data stack defines it. */
export function startLocalTable(): Promise<LocalTable> {
  return startTestTable(TABLE);
}

/**
 * The local table of one test file: started before its tests (`use` then binds what the file needs to it), stopped
 * after them.
 */
export function withLocalTable(use: (table: LocalTable) => void): void {
  let table: LocalTable | undefined;
  beforeAll(async () => {
    table = await startLocalTable();
    use(table);
  }, 60_000);
  afterAll(async () => {
    await table?.stop();
  });
}

export interface TestDeps extends Deps {
  metrics: MemoryMetrics;
  /** Objects in the fake evidence store, by key. */
  objects: Map<string, Uint8Array>;
  /** Review executions started and tokens resumed. */
  started: { applicationId: string; name: string }[];
  resumed: { token: string; output: unknown }[];
  /** Orders handed to the authority. */
  orders: { applicationId: string; attempt: number }[];
  /** Every event id handed out, in order (the last one is the latest event). */
  eventIds: string[];
  setNow(iso: string): void;
}

let sequence = 0;

/** Deps bound to the local table; `settings` may override the evidence policy and the rest. */
export function testDeps(table: LocalTable, options: { now?: string; evidencePolicy?: Partial<EvidencePolicy> } = {}): TestDeps {
  const { documents } = table;
  let now = new Date(options.now ?? '2026-03-02T02:00:00.000Z');
  const objects = new Map<string, Uint8Array>();
  const started: TestDeps['started'] = [];
  const resumed: TestDeps['resumed'] = [];
  const orders: TestDeps['orders'] = [];
  const eventIds: string[] = [];
  const evidence: EvidenceStore = {
    presignUpload: async ({ key }) => `http://evidence.invalid/${key}`,
    // What was signed, readable back from the URL's query.
    presignDownload: async ({ key, contentType, contentDisposition, expiresInSeconds, signedAt }) =>
      `http://evidence.invalid/${key}?${new URLSearchParams({ contentType, contentDisposition, expiresInSeconds: String(expiresInSeconds), signedAt: signedAt.toISOString() })}`,
    head: async (key, bytes) => {
      const object = objects.get(key);
      return object ? { size: object.length, head: object.subarray(0, bytes) } : undefined;
    },
    sha256: async () => 'a'.repeat(64),
  };
  const settings: Settings = {
    maxResubmissions: 3,
    correctionWindowDays: 14,
    uploadUrlTtlSeconds: 600,
    webhooksAllowLoopback: false,
    webhooksAllowHttp: false,
    evidencePolicy: { ...DEFAULT_EVIDENCE_POLICY, ...options.evidencePolicy },
  };
  const unused = () => {
    throw new Error('not used by these tests');
  };
  const clock = { now: () => now, wallNow: () => now };
  return {
    applications: new DynamoApplicationRepository(documents, TABLE),
    tenants: new DynamoTenantRepository(documents, TABLE),
    // Deliveries expire by the tests' clock, as they do by the functions' clock port.
    webhooks: new DynamoWebhookRepository(documents, TABLE, { clock }),
    registry: new DynamoFilingRegistryRepository(documents, TABLE),
    evidence,
    review: {
      start: async ({ applicationId, name }) => {
        started.push({ applicationId, name });
      },
      resume: async (token, output) => {
        resumed.push({ token, output });
        return true;
      },
      stop: unused,
    },
    delivery: { start: unused },
    authority: {
      submitOrder: async ({ applicationId, attempt }) => {
        orders.push({ applicationId, attempt });
      },
    },
    prober: { probe: unused },
    sender: { send: unused },
    clock,
    ids: {
      next: (prefix) => {
        const id = `${prefix}_${String(++sequence).padStart(8, '0')}`;
        if (prefix === 'evt') eventIds.push(id);
        return id;
      },
    },
    settings,
    metrics: new MemoryMetrics(),
    objects,
    started,
    resumed,
    orders,
    eventIds,
    setNow: (iso) => {
      now = new Date(iso);
    },
  };
}

/** A fresh tenant per test, so tests share the table without seeing each other's registry or filings. */
export function agency(tenantId = `tnt_${String(++sequence).padStart(8, '0')}`): Principal {
  return { tenantId, keyId: `key_${tenantId}`, scopes: ['agency'] };
}

export function operatorOf(principal: Principal): Principal {
  return { ...principal, keyId: `${principal.keyId}_op`, scopes: ['operator'] };
}
