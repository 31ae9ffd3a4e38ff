import { type ApiCall, eventually } from './api-client.ts';
import { applicationBody, PDF, uniqueFilingNumber } from './fixtures.ts';

/**
 * One record of every kind a route's `{id}` or `{filingNumber}` can name, made by one tenant through the API, in the
 * states the routes act on: the tenant isolation matrix calls each route with another tenant's keys on these, and the
 * fuzzer aims its well-formed requests at them.
 */
export interface TenantResources {
  /** A draft without evidence. */
  draft: string;
  /** A draft whose closure proof is accepted: it can be submitted. */
  complete: string;
  /** That accepted closure proof of `complete`. */
  completeEvidence: string;
  /** Submitted; waits for the authority's decision (the runtime's authority must be `manual`). */
  underReview: string;
  /** Rejected once; waits for a correction. */
  rejected: string;
  /** A webhook endpoint pointing at `webhookUrl`. */
  endpoint: string;
  /** A delivery to that endpoint (of a `application.created` event). */
  delivery: string;
  /** A filing number in the tenant's registry. */
  filingNumber: string;
  /** An inline batch of one row, held, ingested. */
  batch: string;
  /** A CSV batch waiting for its manifest. */
  csvBatch: string;
  /** Shared evidence, not uploaded. */
  batchEvidence: string;
  /** An agency key of the tenant besides the one its requests are made with (so revoking it locks nobody out). */
  apiKey: string;
  /** `nextCursor`s of real first pages: applications, batches, the endpoint's deliveries. */
  cursors: { applications: string; batches: string; deliveries: string };
}

const REJECTION = { outcome: 'rejected', reasons: [{ code: 'DOCUMENT_UNCLEAR', message: 'The scan is blurred' }] };

/**
 * Makes {@link TenantResources} as the tenant whose keys are given. `webhookUrl` must answer 2xx (a local receiver), so
 * that the delivery ends delivered and nothing is retried later.
 */
export async function createTenantResources(agency: ApiCall, operator: ApiCall, webhookUrl: string): Promise<TenantResources> {
  const endpoint = expectStatus(await agency('POST', '/v1/webhook-endpoints', { url: webhookUrl }), 201).id as string;
  const draft = expectStatus(await agency('POST', '/v1/applications', applicationBody()), 201).id as string;
  const [{ id: complete, evidenceId: completeEvidence }, { id: reviewed }, { id: rejected }] = await Promise.all([
    completeDraft(agency),
    completeDraft(agency),
    completeDraft(agency),
  ]);
  for (const id of [reviewed, rejected]) expectStatus(await agency('POST', `/v1/applications/${id}/submit`), 202);
  await Promise.all([statusOf(agency, reviewed, 'under_review'), statusOf(agency, rejected, 'under_review')]);
  expectStatus(await operator('POST', `/v1/reviews/${rejected}/decision`, REJECTION), 202);
  await statusOf(agency, rejected, 'rejected');

  const filingNumber = uniqueFilingNumber();
  const imported = expectStatus(
    await agency('POST', '/v1/filing-registry', { records: [{ filingNumber, subjectName: '示例科技有限公司', subjectType: 'enterprise', domains: 'example.cn' }] }),
    200,
  );
  if (imported.imported !== 1) throw new Error(`The registry import refused its record: ${JSON.stringify(imported.errors)}`);

  const batch = expectStatus(await agency('POST', '/v1/batches', { items: [applicationBody()], submit: 'hold' }), 202).id as string;
  const csvBatch = expectStatus(await agency('POST', '/v1/batches', { format: 'csv' }), 201).id as string;
  const batchEvidence = expectStatus(
    await agency('POST', '/v1/batch-evidence', { kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length }),
    201,
  ).evidenceId as string;
  await eventually(async () => {
    const status = (await agency('GET', `/v1/batches/${batch}`)).body.status;
    return status === 'ingested' ? status : undefined;
  }, `batch ${batch} to be ingested`);

  const apiKey = expectStatus(await agency('POST', '/v1/api-keys', { name: 'spare' }), 201).id as string;

  const deliveries = await eventually(async () => {
    const page = await agency('GET', `/v1/webhook-endpoints/${endpoint}/deliveries?limit=1`);
    return page.body.nextCursor ? page.body : undefined;
  }, 'two deliveries to the endpoint');
  return {
    draft,
    complete,
    completeEvidence,
    underReview: reviewed,
    rejected,
    endpoint,
    delivery: deliveries.items[0].id,
    filingNumber,
    batch,
    csvBatch,
    batchEvidence,
    apiKey,
    cursors: {
      applications: await nextCursor(agency, '/v1/applications?limit=1'),
      batches: await nextCursor(agency, '/v1/batches?limit=1'),
      deliveries: deliveries.nextCursor,
    },
  };
}

/** A draft with its closure proof uploaded through the presigned URL and accepted: their ids. */
async function completeDraft(agency: ApiCall): Promise<{ id: string; evidenceId: string }> {
  const id = expectStatus(await agency('POST', '/v1/applications', applicationBody()), 201).id as string;
  const upload = expectStatus(
    await agency('POST', `/v1/applications/${id}/evidence`, { kind: 'closure_proof', contentType: 'application/pdf', contentLength: PDF.length }),
    201,
  );
  const put = await fetch(upload.uploadUrl, { method: 'PUT', headers: upload.headers, body: PDF });
  if (put.status !== 200) throw new Error(`The evidence upload answered ${put.status}`);
  await eventually(async () => {
    const app = await agency('GET', `/v1/applications/${id}`);
    return app.body.evidence?.[0]?.status === 'accepted' ? app : undefined;
  }, `the evidence of ${id} to be accepted`);
  return { id, evidenceId: upload.evidenceId as string };
}

async function statusOf(agency: ApiCall, id: string, status: string): Promise<void> {
  await eventually(async () => ((await agency('GET', `/v1/applications/${id}`)).body.status === status ? true : undefined), `${id} to become ${status}`);
}

async function nextCursor(agency: ApiCall, path: string): Promise<string> {
  const cursor = expectStatus(await agency('GET', path), 200).nextCursor;
  if (typeof cursor !== 'string') throw new Error(`${path} has no next page`);
  return cursor;
}

function expectStatus(response: Awaited<ReturnType<ApiCall>>, status: number): Record<string, any> {
  if (response.status !== status) throw new Error(`Expected ${status}, got ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}
