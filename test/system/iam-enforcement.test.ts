import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionIdentity } from '../../infra/local/iam/role-policies.ts';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { apiClient, eventually } from '../support/api-client.ts';
import { applicationBody } from '../support/fixtures.ts';
import { manifest, manifestRow } from '../support/manifest.ts';

/** A role without one action: every statement of every policy that allows it no longer does. */
function without(action: string): (identity: FunctionIdentity) => FunctionIdentity {
  const strip = (actions: unknown) => (Array.isArray(actions) ? actions.filter((a) => a !== action) : actions === action ? [] : actions);
  return (identity) => ({
    ...identity,
    policies: identity.policies.map((policy) => {
      const statements = [policy.document.Statement].flat();
      return { ...policy, document: { ...policy.document, Statement: statements.map((s) => ({ ...s, Action: strip(s.Action) })) } };
    }),
  });
}

/**
 * What IAM enforcement catches: the bundled runtime with the roles of the template less `s3:GetObjectVersion` (the
 * grant the CSV ingestion lacked, so that every CSV batch would have failed in AWS). The ingestion reads the manifest
 * at the version its upload made, is refused as AWS refuses it, and the batch fails.
 */
describe('IAM enforcement on the bundled functions', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-iam-'));
  let runtime: LocalRuntime;

  beforeAll(async () => {
    runtime = await startLocalRuntime({
      port: 0,
      dataDir,
      authority: 'manual',
      authorityDelayMs: 0,
      timeScale: 0.00001,
      handlers: 'bundled',
      adjustRole: without('s3:GetObjectVersion'),
    });
  }, 300_000); // a cold cache bundles every function first

  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fails a CSV batch whose ingestion may not read the manifest version it was uploaded as', async () => {
    // Prepare
    const agency = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    const created = await agency('POST', '/v1/batches', { format: 'csv', submit: 'hold' });

    // Act
    const upload = await fetch(created.body.upload.uploadUrl, { method: 'PUT', headers: created.body.upload.headers, body: manifest([manifestRow(applicationBody())]) });
    const failed = await eventually(async () => {
      const batch = await agency('GET', `/v1/batches/${created.body.id}`);
      return batch.body.status === 'failed' ? batch.body : undefined;
    }, 'the batch to fail');

    // Assess: the ingestion's read of the version was denied, at each attempt, until the batch failed, saying so (a
    // HEAD's 403 has no body, which the SDK names `Unknown`; the adapter names it AccessDenied)
    expect(upload.status).toBe(200);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'ingestion_failed', message: expect.stringContaining('(AccessDenied)') } });
    const decisionsOf = (name: string) => [...runtime.iam.decisions()].find(([id]) => new RegExp(`^${name}[0-9A-F]{8}$`).test(id))?.[1];
    expect(decisionsOf('BatchPrepare')?.actions['s3:GetObjectVersion']).toMatchObject({ allowed: 0 });
    expect(decisionsOf('BatchPrepare')?.actions['s3:GetObjectVersion']?.denied).toBeGreaterThan(0);
    // The upload was authorised as the function that presigned it
    expect(decisionsOf('CreateBatch')?.actions['s3:PutObject']).toEqual({ allowed: 1, denied: 0 });
  });
});
