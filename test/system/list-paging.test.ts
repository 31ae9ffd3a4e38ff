import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { keys, listShard } from '../../shared/adapters/dynamo/keys.ts';
import { createTenant } from '../../shared/use-cases/authenticate.ts';
import { type ApiCall, apiClient, eventually } from '../support/api-client.ts';
import { applicationBody } from '../support/fixtures.ts';

/**
 * The lists on the local runtime, through real HTTP: a tenant's applications and one batch's are spread over 16
 * index shards each (write sharding), and still page newest first, exactly — no item twice, none missed, every page
 * full but the last — with cursors that are refused (400) when they are not the previous page's own; and filtered
 * (status, filing number, customer reference) and oldest first, each cursor bound to its filters.
 */
describe('paging the sharded lists', () => {
  let runtime: LocalRuntime;
  let agency: ApiCall;
  let stranger: ApiCall;
  let tenantId: string;
  let singles: string[];
  let batchId: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-paging-'));

  type Listed = { id: string; createdAt: string; batchId?: string };

  /** Every page of a list, following `nextCursor`, with each page's size. */
  async function pages(call: ApiCall, path: string): Promise<Listed[][]> {
    const out: Listed[][] = [];
    let cursor: string | undefined;
    do {
      const separator = path.includes('?') ? '&' : '?';
      const page = await call('GET', `${path}${cursor ? `${separator}cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      out.push(page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor && out.length < 100);
    return out;
  }

  const position = (item: Listed) => `${item.createdAt}#${item.id}`;
  const strictlyNewestFirst = (items: Listed[]) => items.every((item, i) => i === 0 || position(items[i - 1] as Listed) > position(item));

  beforeAll(async () => {
    runtime = await startLocalRuntime({ port: 0, dataDir, authority: 'manual', authorityDelayMs: 0, timeScale: 0.001 });
    // A tenant of its own, so its lists hold exactly what this file creates.
    const tenant = await createTenant(runtime.deps, { name: 'Paging agency' });
    tenantId = tenant.tenantId;
    agency = apiClient(runtime.url, tenant.agencyKey);
    stranger = apiClient(runtime.url, runtime.demoTenant.agencyKey);

    singles = [];
    for (let i = 0; i < 40; i++) {
      const created = await agency('POST', '/v1/applications', applicationBody({ customerRef: `single-${i}` }));
      expect(created.status).toBe(201);
      singles.push(created.body.id);
    }
    const items = Array.from({ length: 80 }, (_, i) => applicationBody({ customerRef: `row-${i}` }));
    const batch = await agency('POST', '/v1/batches', { items, submit: 'hold' }, { 'idempotency-key': `paging-${Date.now()}` });
    expect(batch.status).toBe(202);
    batchId = batch.body.id;
    await eventually(async () => {
      const view = await agency('GET', `/v1/batches/${batchId}`);
      return view.body.status === 'ingested' ? view.body : undefined;
    }, 'the batch to be ingested', 60_000);
  });

  afterAll(async () => {
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the tenant\'s 120 applications, spread over the shards, newest first: every one once, 13 a page', async () => {
    // Act
    const listed = await pages(agency, '/v1/applications?limit=13');

    // Assess
    const all = listed.flat();
    expect(all).toHaveLength(120);
    expect(strictlyNewestFirst(all)).toBe(true);
    expect(new Set(all.map((a) => a.id)).size).toBe(120);
    expect(all.map((a) => a.id)).toEqual(expect.arrayContaining(singles));
    expect(all.filter((a) => a.batchId === batchId)).toHaveLength(80);
    expect(listed.map((p) => p.length)).toEqual([...new Array(9).fill(13), 3]);
    expect(new Set(all.map((a) => listShard(keys.applicationsOfTenant(tenantId), a.id))).size).toBeGreaterThan(12);
  });

  it('lists one batch\'s 80 applications newest first with ?batchId=, exactly, 9 a page; another tenant sees none of them', async () => {
    // Act
    const listed = await pages(agency, `/v1/applications?batchId=${batchId}&limit=9`);
    const everything = (await pages(agency, '/v1/applications?limit=200')).flat();
    const foreign = await stranger('GET', `/v1/applications?batchId=${batchId}`);

    // Assess
    const all = listed.flat();
    expect(all.map((a) => a.id)).toEqual(everything.filter((a) => a.batchId === batchId).map((a) => a.id));
    expect(strictlyNewestFirst(all)).toBe(true);
    expect(listed.map((p) => p.length)).toEqual([...new Array(8).fill(9), 8]);
    expect(new Set(all.map((a) => listShard(keys.applicationsOfBatch(batchId), a.id))).size).toBeGreaterThan(12);
    expect(foreign.body).toEqual({ items: [] });
  });

  it('answers 400 (problem+json, field cursor) to a cursor that is not the previous page\'s own, unchanged', async () => {
    // Prepare
    const first = await agency('GET', '/v1/applications?limit=5');
    const cursor = first.body.nextCursor as string;
    const ofTheBatch = (await agency('GET', `/v1/applications?batchId=${batchId}&limit=5`)).body.nextCursor as string;
    const edited = `${cursor.slice(0, 10)}${cursor[10] === 'A' ? 'B' : 'A'}${cursor.slice(11)}`;

    // Act
    const answers = await Promise.all([
      agency('GET', `/v1/applications?cursor=${encodeURIComponent(edited)}`),
      agency('GET', '/v1/applications?cursor=garbage'),
      agency('GET', `/v1/applications?cursor=${encodeURIComponent(ofTheBatch)}`),
      stranger('GET', `/v1/applications?cursor=${encodeURIComponent(cursor)}`),
      agency('GET', `/v1/batches?cursor=${encodeURIComponent(cursor)}`),
    ]);
    const unchanged = await agency('GET', `/v1/applications?limit=5&cursor=${encodeURIComponent(cursor)}`);

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body.errors).toEqual([expect.objectContaining({ path: 'cursor', code: 'invalid_cursor' })]);
    }
    expect(unchanged.status).toBe(200);
    expect(unchanged.body.items).toHaveLength(5);
  });

  it('filters by status, filing number and customer reference, oldest first, through the API; a cursor stays bound to its filters', async () => {
    // Prepare: three of the drafts withdrawn, so the list holds two statuses
    const withdrawn = [singles[4], singles[17], singles[30]] as string[];
    for (const id of withdrawn) expect((await agency('POST', `/v1/applications/${id}/withdraw`)).status).toBe(200);
    const one = (await agency('GET', `/v1/applications/${singles[9]}`)).body as { id: string; filingNumber: string };
    const pasted = one.filingNumber.toLowerCase().replace('-', '－');

    // Act
    const queue = await pages(agency, '/v1/applications?status=withdrawn&order=oldest&limit=2');
    const oldest = (await pages(agency, '/v1/applications?status=draft,withdrawn&order=oldest&limit=200')).flat();
    const byRef = await agency('GET', `/v1/applications?customerRef=row-7&batchId=${batchId}`);
    const byFiling = await agency('GET', `/v1/applications?filingNumber=${encodeURIComponent(pasted)}`);
    const strangers = await stranger('GET', '/v1/applications?customerRef=row-7');
    const first = await agency('GET', '/v1/applications?status=draft&limit=5');
    const refused = await Promise.all([
      agency('GET', '/v1/applications?status=draft,pending'),
      agency('GET', '/v1/applications?order=sideways'),
      agency('GET', '/v1/applications?filingNumber=abc'),
      agency('GET', `/v1/applications?status=withdrawn&limit=5&cursor=${encodeURIComponent(first.body.nextCursor)}`),
    ]);

    // Assess
    expect(queue.flat().map((a) => a.id)).toEqual(withdrawn);
    expect(oldest.map((a) => a.id)).toEqual((await pages(agency, '/v1/applications?limit=200')).flat().map((a) => a.id).reverse());
    expect(byRef.body.items.map((a: { customerRef: string }) => a.customerRef)).toEqual(['row-7']);
    expect(byFiling.body.items.map((a: Listed) => a.id)).toEqual([one.id]);
    expect(strangers.body).toEqual({ items: [] });
    expect(refused.map((r) => [r.status, r.body.errors?.[0]?.path])).toEqual([
      [400, 'status'],
      [400, 'order'],
      [400, 'filingNumber'],
      [400, 'cursor'],
    ]);
    expect(refused[0]?.body.errors[0].message).toContain('under_review');
  });
});
