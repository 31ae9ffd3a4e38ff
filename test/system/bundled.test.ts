import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../infra/openapi/document.ts';
import { LambdaWorkers } from '../../infra/local/lambda-workers.ts';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime.ts';
import { type ApiCall, apiClient, eventually } from '../support/api-client.ts';
import { applicationBody, PDF, uniqueFilingNumber } from '../support/fixtures.ts';
import { draftWithEvidence, statusOf } from '../support/journeys.ts';
import { manifest, manifestRow } from '../support/manifest.ts';
import { startWebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * The whole system on what deploys: every function runs from its minified esbuild bundle in `cdk.out`, in a worker of
 * its own, with its own environment from the template (`handlers: 'bundled'`, as `LOCAL_HANDLERS=bundled npm start`).
 * One journey through every function — the last test fails when a function of the template was never invoked, so a
 * function added without a journey here fails the suite.
 *
 * Two waits last days (the review SLA, the correction window): the test plays their timer, failing the waiting task
 * with `States.Timeout` through the local Step Functions engine, which is what the timer does.
 */
describe('the bundled functions, end to end', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'icp-bundled-'));
  let runtime: LocalRuntime;
  let agency: ApiCall;
  let operator: ApiCall;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let broken: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let endpointId: string;
  let brokenEndpointId: string;

  beforeAll(async () => {
    // A tiny time scale: the delivery workflow's three days of retries take a second or two.
    runtime = await startLocalRuntime({ port: 0, dataDir, authority: 'manual', authorityDelayMs: 0, timeScale: 0.00001, handlers: 'bundled' });
    agency = apiClient(runtime.url, runtime.demoTenant.agencyKey);
    operator = apiClient(runtime.url, runtime.demoTenant.operatorKey);
    receiver = await startWebhookReceiver();
    broken = await startWebhookReceiver();
    broken.failNext(Number.MAX_SAFE_INTEGER);
  }, 300_000); // a cold cache bundles every function first

  afterAll(async () => {
    await receiver?.stop();
    await broken?.stop();
    await runtime?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** The task token the application's workflow is waiting on at `step`, once it waits there. */
  async function waitingToken(id: string, step: 'review' | 'correction', other?: string): Promise<string> {
    return eventually(async () => {
      const task = (await runtime.deps.applications.get(id))?.pendingTask;
      return task?.step === step && task.token !== other ? task.token : undefined;
    }, `${id} to wait at ${step}`);
  }

  /** What the wait's timer does when it runs out. */
  function timeOut(taskToken: string): void {
    runtime.stepFunctions.sendTaskFailure({ taskToken, error: 'States.Timeout', cause: 'The wait ran out (played by the test)' });
  }

  async function decide(id: string, decision: Record<string, unknown>): Promise<void> {
    await statusOf(agency, id, 'under_review');
    expect((await operator('POST', `/v1/reviews/${id}/decision`, decision)).status).toBe(202);
  }

  const rejection = { outcome: 'rejected', reasons: [{ code: 'DOCUMENT_UNCLEAR', message: 'The scan is blurred' }] };

  it('runs the minified bundles, one worker per function, each under its own role', () => {
    // Assess
    expect(runtime.functions).toBeInstanceOf(LambdaWorkers);
    expect(runtime.functions.functionIds().length).toBeGreaterThan(40);
    expect(runtime.iam.enforced).toBe(true);
  });

  it('registers webhook endpoints, rotates a secret, and lists them', async () => {
    // Act
    const endpoint = await agency('POST', '/v1/webhook-endpoints', { url: receiver.url });
    const brokenEndpoint = await agency('POST', '/v1/webhook-endpoints', { url: broken.url, eventTypes: ['application.withdrawn'] });
    const rotated = await agency('POST', `/v1/webhook-endpoints/${endpoint.body.id}/rotate-secret`);
    const listed = await agency('GET', '/v1/webhook-endpoints');

    // Assess
    expect([endpoint.status, brokenEndpoint.status, rotated.status, listed.status]).toEqual([201, 201, 200, 200]);
    endpointId = endpoint.body.id;
    brokenEndpointId = brokenEndpoint.body.id;
    receiver.useSecret(endpoint.body.secret, rotated.body.secret);
    expect(listed.body.items.map((e: { id: string }) => e.id).sort()).toEqual([endpointId, brokenEndpointId].sort());
  });

  it('takes an application through an SMS notice, an overdue review, a rejection, a resubmission and an approval', async () => {
    // Prepare: the endpoint fails the first delivery, so the delivery workflow delivers it
    receiver.failNext(1);
    const id = await draftWithEvidence(agency);
    const evidenceId = (await agency('GET', `/v1/applications/${id}`)).body.evidence[0].evidenceId as string;

    // Act
    const link = await agency('GET', `/v1/applications/${id}/evidence/${evidenceId}`);
    const viewed = await fetch(link.body.download.url);
    expect((await agency('POST', `/v1/applications/${id}/submit`)).status).toBe(202);
    await statusOf(agency, id, 'under_review');
    expect((await operator('POST', `/v1/reviews/${id}/verification`, {})).status).toBe(202);
    const first = await waitingToken(id, 'review');
    timeOut(first);
    await waitingToken(id, 'review', first); // waiting again, after the overdue notice
    await decide(id, rejection);
    await statusOf(agency, id, 'rejected');
    expect((await agency('POST', `/v1/applications/${id}/resubmit`, { websiteName: '示例网站（更正）' })).status).toBe(202);
    await decide(id, { outcome: 'approved' });
    const approved = await statusOf(agency, id, 'approved');

    // Assess
    expect([link.status, viewed.status, viewed.headers.get('content-type')]).toEqual([200, 200, 'application/pdf']);
    expect(Buffer.from(await viewed.arrayBuffer())).toEqual(PDF);
    expect(approved).toMatchObject({ attempts: 2, websiteName: '示例网站（更正）' });
    const hooks = await eventually(async () => {
      const got = receiver.forApplication(id);
      return got.some((h) => h.type === 'application.approved') ? got : undefined;
    }, 'the approval webhook');
    expect(hooks.every((h) => h.verified)).toBe(true);
    expect(hooks.map((h) => h.type)).toEqual(
      expect.arrayContaining([
        'application.created',
        'application.submitted',
        'application.under_review',
        'application.verification_required',
        'application.review_overdue',
        'application.rejected',
        'application.approved',
      ]),
    );
  });

  it('ends rejected_final when the correction window passes', async () => {
    // Prepare
    const id = await draftWithEvidence(agency);
    await agency('POST', `/v1/applications/${id}/submit`);
    await decide(id, rejection);

    // Act
    timeOut(await waitingToken(id, 'correction'));
    const final = await statusOf(agency, id, 'rejected_final');

    // Assess
    expect(final.timeline.at(-1)).toMatchObject({ status: 'rejected_final' });
  });

  it('answers over-long ids and Idempotency-Keys, a repeated withdrawal and unknown routes with problems that keep status the HTTP status', async () => {
    // Prepare
    const draft = await agency('POST', '/v1/applications', applicationBody());
    await agency('POST', `/v1/applications/${draft.body.id}/withdraw`);
    const longId = `app_${'a'.repeat(2_050)}`;

    // Act
    const answers = {
      application: await agency('GET', `/v1/applications/${longId}`),
      submit: await agency('POST', `/v1/applications/${longId}/submit`, {}),
      batchEvidence: await agency('GET', `/v1/batch-evidence/bev_${'b'.repeat(2_040)}`),
      delivery: await agency('GET', `/v1/webhook-deliveries/dlv_${'c'.repeat(2_040)}`),
      created: await agency('POST', '/v1/applications', applicationBody(), { 'idempotency-key': 'k'.repeat(2_030) }),
      batch: await agency('POST', '/v1/batches', { items: [applicationBody()] }, { 'idempotency-key': 'k'.repeat(2_030) }),
      withdrawAgain: await agency('POST', `/v1/applications/${draft.body.id}/withdraw`),
      noRoute: await agency('GET', '/v1/applications/a/b'),
      noMethod: await agency('DELETE', '/v1/applications'),
    };

    // Assess
    const summary = Object.fromEntries(Object.entries(answers).map(([name, a]) => [name, [a.status, a.headers.get('content-type'), a.body.status]]));
    expect(summary).toEqual({
      application: [404, 'application/problem+json', 404],
      submit: [404, 'application/problem+json', 404],
      batchEvidence: [404, 'application/problem+json', 404],
      delivery: [404, 'application/problem+json', 404],
      created: [400, 'application/problem+json', 400],
      batch: [400, 'application/problem+json', 400],
      withdrawAgain: [409, 'application/problem+json', 409],
      noRoute: [404, 'application/problem+json', 404],
      noMethod: [404, 'application/problem+json', 404],
    });
    expect(answers.noMethod.body).toMatchObject({ detail: 'No route DELETE /v1/applications.', errors: [{ code: 'no_route' }] });
    expect(answers.application.body.errors).toEqual([expect.objectContaining({ path: '(path).id', code: 'too_long' })]);
    expect(answers.created.body.errors).toEqual([expect.objectContaining({ path: '(headers).idempotency-key', code: 'too_long' })]);
    expect(answers.withdrawAgain.body).toMatchObject({ type: 'https://icp-cancel.dev/problems/conflict', applicationStatus: 'withdrawn' });
  });

  it('logs deliveries, redelivers one, and gives up on an endpoint that always fails', async () => {
    // Prepare
    const draft = await agency('POST', '/v1/applications', applicationBody());

    // Act
    const withdrawn = await agency('POST', `/v1/applications/${draft.body.id}/withdraw`);
    const log = await agency('GET', `/v1/webhook-endpoints/${endpointId}/deliveries?limit=100`);
    const retried = log.body.items.find((d: { attempts: number; status: string }) => d.attempts === 2 && d.status === 'delivered');
    const detail = await agency('GET', `/v1/webhook-deliveries/${retried?.id}`);
    const redelivered = await agency('POST', `/v1/webhook-deliveries/${retried?.id}/redeliver`);
    const gaveUp = await eventually(async () => {
      const deliveries = await agency('GET', `/v1/webhook-endpoints/${brokenEndpointId}/deliveries`);
      return deliveries.body.items.find((d: { status: string }) => d.status === 'failed');
    }, 'the delivery to the broken endpoint to be given up', 60_000);

    // Assess
    expect(withdrawn.body.status).toBe('withdrawn');
    expect(detail.body.attemptLog.map((a: { outcome: string }) => a.outcome)).toEqual(['retryable', 'delivered']);
    expect(redelivered.status).toBe(202);
    await eventually(async () => (receiver.received.filter((w) => w.id === detail.body.eventId).length === 2 ? true : undefined), 'the redelivery');
    expect(gaveUp).toMatchObject({ status: 'failed', attempts: 20 });
  });

  it('fails a review whose application is missing, with the error name the bundle gives', async () => {
    // Prepare
    const reviewArn = process.env.REVIEW_STATE_MACHINE_ARN as string;

    // Act
    const { executionArn } = runtime.stepFunctions.startExecution({
      stateMachineArn: reviewArn,
      input: JSON.stringify({ applicationId: 'app_missing', tenantId: runtime.demoTenant.tenantId }),
    });
    const run = await runtime.stepFunctions.waitForExecution(executionArn);

    // Assess: LoadApplication threw, MarkFailed ran and threw the same (the application is missing)
    expect(run).toMatchObject({ status: 'FAILED', error: 'ApplicationMissingError' });
  });

  it('imports the filing registry and reads a record', async () => {
    // Prepare
    const filingNumber = uniqueFilingNumber(1);

    // Act
    const imported = await agency('POST', '/v1/filing-registry', {
      records: [{ filingNumber, subjectName: '示例科技有限公司', subjectType: 'enterprise', creditCode: '91330100799655058B', domains: ['one.cn'] }],
    });
    const record = await agency('GET', `/v1/filing-registry/${encodeURIComponent(filingNumber)}`);

    // Assess
    expect(imported.status).toBe(200);
    expect(record.status).toBe(200);
  });

  it('ingests an inline batch with shared evidence and completes it when its application is approved', async () => {
    // Prepare
    const upload = await agency('POST', '/v1/batch-evidence', { kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length });
    await fetch(upload.body.uploadUrl, { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: PDF });
    const evidenceId = upload.body.evidenceId as string;
    await eventually(async () => ((await agency('GET', `/v1/batch-evidence/${evidenceId}`)).body.status === 'accepted' ? true : undefined), 'the shared evidence');

    // Act
    const created = await agency('POST', '/v1/batches', { items: [{ ...applicationBody(), evidence: [evidenceId] }, { colour: 'blue' }], submit: 'immediately' });
    const ingested = await eventually(async () => {
      const batch = await agency('GET', `/v1/batches/${created.body.id}`);
      return batch.body.status === 'ingested' ? batch.body : undefined;
    }, 'the inline batch to be ingested');
    const apps = await agency('GET', `/v1/applications?batchId=${created.body.id}`);
    // The operator views the shared file beside the application: a GET the function presigned under its role.
    const link = await operator('GET', `/v1/applications/${apps.body.items[0].id}/evidence/${evidenceId}`);
    const viewed = await fetch(link.body.download.url);
    await decide(apps.body.items[0].id, { outcome: 'approved' });
    const completed = await eventually(async () => {
      const batch = await agency('GET', `/v1/batches/${created.body.id}`);
      return batch.body.status === 'completed' ? batch.body : undefined;
    }, 'the batch to complete');

    // Assess
    expect(created.status).toBe(202);
    expect([link.status, link.body.shared, viewed.status]).toEqual([200, true, 200]);
    expect(Buffer.from(await viewed.arrayBuffer())).toEqual(PDF);
    expect(ingested.rows).toMatchObject({ total: 2, accepted: 1, rejected: 1 });
    expect(completed.counts).toMatchObject({ approved: 1 });
    await eventually(async () => receiver.received.find((w) => w.type === 'batch.completed' && w.body.data.batchId === created.body.id), 'batch.completed');
  });

  it('takes a CSV manifest through S3, reports it, releases it, and fails a batch whose manifest it cannot read', async () => {
    // Prepare
    const rows = [manifestRow(applicationBody()), manifestRow(applicationBody(), { siteSince: '2026-02-30' })];

    // Act
    const created = await agency('POST', '/v1/batches', { format: 'csv', submit: 'hold' });
    await fetch(created.body.upload.uploadUrl, { method: 'PUT', headers: created.body.upload.headers, body: manifest(rows) });
    const ingested = await eventually(async () => {
      const batch = await agency('GET', `/v1/batches/${created.body.id}`);
      return batch.body.status === 'ingested' ? batch.body : undefined;
    }, 'the manifest to be ingested');
    const report = await agency('GET', `/v1/batches/${created.body.id}/report`);
    const download = await fetch(report.body.url);
    const released = await agency('POST', `/v1/batches/${created.body.id}/submit`, {});
    const listed = await agency('GET', '/v1/batches');
    const unreadable = await agency('POST', '/v1/batches', { format: 'csv' });
    await fetch(unreadable.body.upload.uploadUrl, { method: 'PUT', headers: unreadable.body.upload.headers, body: 'filing_number,kind\r\n京ICP备1号,x\r\n' });
    // Prepare records the failure, then throws ManifestRejectedError, which the workflow catches into FailIngestion,
    // and the execution succeeds (the agency's manifest, not the system, failed).
    const ingestion = await eventually(async () => {
      const machine = { stateMachineArn: process.env.BATCH_STATE_MACHINE_ARN as string, statusFilter: 'SUCCEEDED' as const };
      return runtime.stepFunctions
        .listExecutions(machine)
        .executions.map((e) => runtime.stepFunctions.describeExecution(e.executionArn))
        .find((e) => e.input.includes(unreadable.body.id));
    }, 'the ingestion of the unreadable manifest to end');
    const failed = (await agency('GET', `/v1/batches/${unreadable.body.id}`)).body;

    // Assess
    expect(ingested.rows).toMatchObject({ total: 2, accepted: 1, rejected: 1 });
    expect(download.status).toBe(200);
    expect(await download.text()).toContain('invalid_union');
    expect(released.body).toMatchObject({ batchId: created.body.id, waiting: 1 });
    expect(listed.body.items.map((b: { id: string }) => b.id)).toContain(created.body.id);
    expect(JSON.parse(ingestion.output ?? '{}')).toMatchObject({ error: { Error: 'ManifestRejectedError' } });
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'invalid_header' } });
  });

  it('serves the OpenAPI document from the bundle, without a key, cacheable, and 304 to its ETag', async () => {
    // Act
    const served = await apiClient(runtime.url, '')('GET', '/v1/openapi.json');
    const etag = served.headers.get('etag') ?? '';
    const again = await apiClient(runtime.url, 'not-a-key')('GET', '/v1/openapi.json', undefined, { 'if-none-match': `W/"other", ${etag}` });

    // Assess: the file bundled at build time is the document of the code
    expect(served.status).toBe(200);
    expect(served.body).toEqual(buildOpenApiDocument());
    expect(served.headers.get('content-type')).toBe('application/json');
    expect(served.headers.get('cache-control')).toBe('public, max-age=300');
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
  });

  it('manages API keys: creates one (shown once), records its use from a read-only function, rotates it and revokes the old one', async () => {
    // Act
    const created = await agency('POST', '/v1/api-keys', { name: 'bundled' });
    const key = apiClient(runtime.url, created.body.key);
    const used = await key('GET', '/v1/webhook-endpoints');
    const rotated = await key('POST', `/v1/api-keys/${created.body.id}/rotate`, { overlapSeconds: 60 });
    const revoked = await agency('POST', `/v1/api-keys/${created.body.id}/revoke`, {});
    const listed = await agency('GET', '/v1/api-keys');

    // Assess: ListWebhookEndpoints, which may write nothing else, recorded the key's use (lastUsedAt) under its grant
    expect([created.status, used.status, rotated.status, revoked.status]).toEqual([201, 200, 201, 200]);
    expect(listed.body.items.find((k: { id: string }) => k.id === created.body.id)).toMatchObject({ status: 'revoked', lastUsedAt: expect.any(String) });
    const recorded = [...runtime.iam.decisions()].find(([id]) => id.startsWith('ListWebhookEndpoints'))?.[1].actions['dynamodb:UpdateItem'];
    expect(recorded?.allowed).toBeGreaterThan(0);
  });

  it("authorised every function's calls against its own role, and denied none", () => {
    // Act
    const decisions = runtime.iam.decisions();
    const invoked = [...runtime.functions.invocations().keys()];
    const denials = [...decisions].flatMap(([id, d]) =>
      Object.entries(d.actions).flatMap(([action, counts]) => (counts.denied > 0 ? [`${id} ${action}`] : [])),
    );
    // The $default route's function answers 404 and touches nothing; the document's answers its bundled file.
    const withoutCalls = invoked.filter((id) => !decisions.get(id)?.allowed && !id.startsWith('NoRoute') && !id.startsWith('GetOpenApiDocument')).sort();
    const allowed = (prefix: string, action: string) =>
      [...decisions].find(([id]) => id.startsWith(prefix))?.[1].actions[action]?.allowed ?? 0;

    // Assess: every function invoked called the engines through the proxies, and was allowed every call
    expect(denials).toEqual([]);
    expect(withoutCalls).toEqual([]);
    // The CSV ingestion read the manifest at the version its upload made
    expect(allowed('BatchPrepare', 's3:GetObjectVersion')).toBeGreaterThan(0);
    expect(allowed('BatchIngestChunk', 's3:GetObjectVersion')).toBeGreaterThan(0);
    // Task responses, authorised on their token's state machine (a grant on the review machine does not cover `*`)
    expect(allowed('RecordDecision', 'states:SendTaskSuccess')).toBeGreaterThan(0);
    expect(allowed('ResubmitApplication', 'states:SendTaskSuccess')).toBeGreaterThan(0);
  });

  it('has invoked every function of the template at least once', async () => {
    // Prepare
    const listed = await agency('GET', '/v1/applications?limit=5');
    expect(listed.status).toBe(200);

    // Act
    const invocations = runtime.functions.invocations();
    const never = runtime.functions.functionIds().filter((id) => !invocations.has(id));

    // Assess
    expect(never).toEqual([]);
  });

  // After the test above, so that these calls do not stand in for the journeys' own.
  it('lets each operation of the OpenAPI document be called by exactly the keys its security names', async () => {
    // Prepare: no key, and a key of each scope; ids that name nothing (the scope is decided before any lookup)
    const keys = { none: '', agencyKey: runtime.demoTenant.agencyKey, operatorKey: runtime.demoTenant.operatorKey };
    const document = buildOpenApiDocument();

    // Act: every answer is also checked against the document by apiClient
    const outcomes: string[] = [];
    const expected: string[] = [];
    for (const [template, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const allowed = operation.security.flatMap((s) => Object.keys(s));
        for (const [scheme, key] of Object.entries(keys)) {
          const answer = await apiClient(runtime.url, key)(method.toUpperCase(), template.replace(/\{\w+\}/g, 'missing_1'), method === 'post' ? {} : undefined);
          const refused = answer.status === 401 ? 'no key' : answer.status === 403 ? 'scope' : undefined;
          outcomes.push(`${operation.operationId} with ${scheme}: ${refused ? `refused (${refused})` : 'let through'}`);
          const lets = allowed.length === 0 || allowed.includes(scheme);
          expected.push(`${operation.operationId} with ${scheme}: ${lets ? 'let through' : `refused (${scheme === 'none' ? 'no key' : 'scope'})`}`);
        }
      }
    }

    // Assess
    expect(outcomes).toEqual(expected);
  });
});
