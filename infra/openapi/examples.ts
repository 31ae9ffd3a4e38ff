/**
 * The document's examples: the bodies of README's walkthrough ("One cancellation, with curl", "Bulk", "Webhooks"),
 * and answers as the API gives them for those requests. The unit tests validate each one against the schema it
 * illustrates, so an example cannot go stale unnoticed.
 */

const APP = 'app_01KA3Z8V6N2Q4R7T9W1X3Y5Z7B';
const BATCH = 'bat_01KA3ZC4M8P0R2S4T6V8X0Z2B4';
const ENDPOINT = 'we_01KA3Z6T4R2P0N8M6K4J2H0G8F';
const EVIDENCE = 'ev_01KA3ZA2B4C6D8E0F2G4H6J8K0';
const CREATED = '2026-11-20T08:00:00.000Z';
const LOCAL_URL = 'http://127.0.0.1:4569/icp-cancel-evidence';
const SIGNATURE = '5f0c3a9e1b7d24c68e0f3a5b7c9d1e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d';

/** `POST /v1/applications` in README's walkthrough (step 2). */
export const applicationInput = {
  kind: 'cancel_website',
  filingNumber: '京ICP备10046444号-9',
  websiteName: '示例网站',
  domains: ['example.cn'],
  subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: '91330100799655058B' },
  reason: 'business_change',
  siteState: { state: 'closed', since: '2026-11-01' },
  customerRef: 'order-42',
};

/** What step 2 answers: a draft, with the evidence it needs. */
export const draftApplication = {
  id: APP,
  status: 'draft',
  ...applicationInput,
  attempts: 1,
  requiredEvidence: ['closure_proof'],
  rejectionReasons: [],
  warnings: [
    {
      code: 'not_in_registry',
      message:
        '京ICP备10046444号-9 is not in your filing registry, so the subject, website and domains could not be checked against the original filing; a difference would come back from the authority as INFO_MISMATCH. Import the filing record (POST /v1/filing-registry) to have it checked.',
    },
  ],
  createdAt: CREATED,
  updatedAt: CREATED,
};

/** Step 4's answer: submitted, with the authority's deadline. */
export const submittedApplication = {
  ...draftApplication,
  status: 'submitted',
  reviewDeadline: { date: '2026-12-11', estimate: false },
  updatedAt: '2026-11-20T08:05:00.000Z',
};

const documentUnclear = {
  code: 'DOCUMENT_UNCLEAR',
  message: 'The scan is blurred',
  title: { zh: '材料不清晰或不合规', en: 'Document unclear or not acceptable' },
  fixHint: {
    zh: '重新上传原件的彩色扫描件：完整、清晰、无反光遮挡，证照类不低于120万像素；不要黑白复印件或翻拍屏幕的照片。',
    en: 'Upload a new colour scan of the original: complete, sharp, without glare or cover-ups, at least 1.2 megapixels for licences and IDs; no black-and-white copies or photos of a screen.',
  },
};

/** Step 5: the operator's rejection, as the application then shows it. */
export const rejectedApplication = {
  ...submittedApplication,
  status: 'rejected',
  rejectionReasons: [documentUnclear],
  updatedAt: '2026-11-22T02:00:00.000Z',
};

/** `GET /v1/applications/{id}` at the end of step 5: approved on the second attempt. */
export const applicationDetail = {
  ...submittedApplication,
  status: 'approved',
  attempts: 2,
  reviewDeadline: { date: '2026-12-14', estimate: false },
  updatedAt: '2026-11-24T06:00:00.000Z',
  missingEvidence: [],
  evidence: [
    {
      evidenceId: EVIDENCE,
      kind: 'closure_proof',
      contentType: 'application/pdf',
      contentLength: 48213,
      status: 'accepted',
      sha256: '9f2b5c1d7e3a4f6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e8f0a2b4c6d8e0f2a4b',
      createdAt: '2026-11-20T08:01:00.000Z',
      checkedAt: '2026-11-20T08:01:05.000Z',
    },
  ],
  timeline: [
    { sequence: 1, status: 'draft', at: CREATED, detail: 'Application created' },
    { sequence: 2, status: 'submitted', at: '2026-11-20T08:05:00.000Z', detail: 'Submitted for review' },
    { sequence: 3, status: 'under_review', at: '2026-11-20T08:05:02.000Z', detail: 'Order handed to the authority' },
    { sequence: 4, status: 'rejected', at: '2026-11-22T02:00:00.000Z', detail: 'Rejected: DOCUMENT_UNCLEAR' },
    { sequence: 5, status: 'submitted', at: '2026-11-23T09:00:00.000Z', detail: 'Resubmitted' },
    { sequence: 6, status: 'under_review', at: '2026-11-23T09:00:02.000Z', detail: 'Order handed to the authority' },
    { sequence: 7, status: 'approved', at: '2026-11-24T06:00:00.000Z', detail: 'Approved by the authority' },
  ],
};

/** Step 3: declare the file, get a presigned PUT. */
export const evidenceUploadRequest = { kind: 'closure_proof', contentType: 'application/pdf', contentLength: 48213 };
export const evidenceUpload = {
  evidenceId: EVIDENCE,
  uploadUrl: `${LOCAL_URL}/evidence/ten_demo/${APP}/${EVIDENCE}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=600&X-Amz-Signature=${SIGNATURE}`,
  method: 'PUT',
  headers: { 'content-type': 'application/pdf', 'content-length': '48213' },
  expiresAt: '2026-11-20T08:11:00.000Z',
};

/** The accepted file of the application above, with a link to view it (the console's "View"). */
export const evidenceWithDownload = {
  ...(applicationDetail.evidence[0] as (typeof applicationDetail.evidence)[number]),
  download: {
    url: `${LOCAL_URL}/evidence/ten_demo/${APP}/${EVIDENCE}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=300&X-Amz-Signature=${SIGNATURE}&response-content-disposition=inline%3B%20filename%3D%22${EVIDENCE}.pdf%22&response-content-type=application%2Fpdf`,
    method: 'GET',
    disposition: 'inline',
    expiresAt: '2026-11-25T08:05:00.000Z',
  },
};

/** Step 5, as the operator. */
export const rejection = { outcome: 'rejected', reasons: [{ code: 'DOCUMENT_UNCLEAR', message: 'The scan is blurred' }] };
export const approval = { outcome: 'approved' };

/** Step 1: register the receiver. */
export const webhookEndpointInput = { url: 'http://127.0.0.1:4000/hooks' };
export const webhookEndpointWithSecret = {
  id: ENDPOINT,
  url: 'http://127.0.0.1:4000/hooks',
  eventTypes: [],
  status: 'enabled',
  createdAt: '2026-11-20T07:59:00.000Z',
  rotatingSecretsUntil: [],
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
};

/** README's "Bulk": a CSV batch held as drafts, and what it answers. */
export const csvBatchInput = { format: 'csv', submit: 'hold' };
export const inlineBatchInput = { items: [{ ...applicationInput, evidence: [EVIDENCE] }] };
const batch = {
  id: BATCH,
  status: 'awaiting_upload',
  source: 'csv',
  submit: 'hold',
  hold: true,
  rows: { processed: 0, accepted: 0, rejected: 0 },
  counts: { draft: 0, submitted: 0, under_review: 0, rejected: 0, approved: 0, rejected_final: 0, failed: 0, withdrawn: 0 },
  progress: 0,
  reportAvailable: false,
  createdAt: CREATED,
  updatedAt: CREATED,
};
export const csvBatch = {
  ...batch,
  upload: {
    uploadUrl: `${LOCAL_URL}/batch-manifests/ten_demo/${BATCH}.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=600&X-Amz-Signature=${SIGNATURE}`,
    method: 'PUT',
    headers: { 'content-type': 'text/csv' },
    expiresAt: '2026-11-20T08:10:00.000Z',
  },
};
export const ingestedBatch = {
  ...batch,
  status: 'ingested',
  rows: { total: 3, processed: 3, accepted: 2, rejected: 1 },
  counts: { ...batch.counts, draft: 2 },
  progress: 1 / 3,
  reportAvailable: true,
  updatedAt: '2026-11-20T08:02:00.000Z',
  ingestedAt: '2026-11-20T08:02:00.000Z',
};

/** README's "Webhooks": the bodies of two events. */
export const rejectedEvent = {
  type: 'application.rejected',
  timestamp: '2026-11-29T08:00:00.000Z',
  data: {
    applicationId: APP,
    status: 'rejected',
    sequence: 4,
    attempt: 1,
    filingNumber: '京ICP备10046444号-9',
    customerRef: 'order-42',
    reasons: [documentUnclear],
  },
};
export const batchCompletedEvent = {
  type: 'batch.completed',
  timestamp: '2026-11-29T09:00:00.000Z',
  data: {
    batchId: BATCH,
    status: 'completed',
    rows: { total: 10000, accepted: 9700, rejected: 300 },
    counts: { approved: 9650, rejected_final: 30, withdrawn: 20 },
    completedAt: '2026-11-29T09:00:00.000Z',
  },
};

/** README's "The API (v1)": a refused body. */
export const validationProblem = {
  type: 'https://icp-cancel.dev/problems/validation-failed',
  title: 'The request is not valid',
  status: 400,
  detail: 'The body does not match the schema.',
  instance: '/v1/applications',
  errors: [{ path: 'subject.type', code: 'invalid_value', message: 'Invalid option: expected one of "enterprise"|"individual"' }],
};
