import { describe, expect, it } from 'vitest';
import * as example from '../../../infra/openapi/examples.ts';
import { contractViolation, operationFor, webhookContractViolation } from '../../support/contract.ts';

const AGENCY = 'icp_agency_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const OPERATOR = 'icp_operator_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG';
const problem = (status: number, path: string) => ({
  type: 'https://icp-cancel.dev/problems/not-found',
  title: 'Not found',
  status,
  detail: 'No application app_1.',
  instance: path,
  errors: [],
});

/** The check every system test's answers go through (`apiClient`): it must pass what the API answers, and only that. */
describe('the contract check of an answer', () => {
  it('finds the operation by method and path, with path parameters and a query', () => {
    // Act & Assess
    expect(operationFor('POST', '/v1/applications/app_01/submit')?.operation.operationId).toBe('SubmitApplication');
    expect(operationFor('get', '/v1/applications?limit=5&cursor=abc')?.operation.operationId).toBe('ListApplications');
    expect(operationFor('GET', `/v1/filing-registry/${encodeURIComponent('京ICP备10046444号-9')}`)?.operation.operationId).toBe('GetFilingRecord');
    expect(operationFor('DELETE', '/v1/applications/app_01')).toBeUndefined();
    expect(operationFor('GET', '/v1/applications/app_01/submit')).toBeUndefined();
  });

  it('passes an answer that is as documented', () => {
    // Act & Assess
    expect(contractViolation({ method: 'POST', path: '/v1/applications', status: 201, contentType: 'application/json', body: example.draftApplication, key: AGENCY })).toBeUndefined();
    expect(contractViolation({ method: 'GET', path: '/v1/applications/app_1', status: 404, contentType: 'application/problem+json', body: problem(404, '/v1/applications/app_1') })).toBeUndefined();
  });

  it('fails a body that lacks a required member, says which, and where to fix it', () => {
    // Prepare
    const { createdAt: _createdAt, ...body } = example.draftApplication;

    // Act
    const violation = contractViolation({ method: 'POST', path: '/v1/applications', status: 201, contentType: 'application/json; charset=utf-8', body, key: AGENCY });

    // Assess
    expect(violation).toContain('POST /v1/applications answered 201 application/json, which breaks the API\'s contract: the body does not match its schema');
    expect(violation).toContain("(body) must have required property 'createdAt'");
    expect(violation).toContain('npm run openapi');
  });

  it('fails a member the document does not describe, naming it', () => {
    // Act
    const violation = contractViolation({
      method: 'GET',
      path: '/v1/batches/bat_1',
      status: 200,
      contentType: 'application/json',
      body: { ...example.ingestedBatch, secretCounter: 3 },
      key: AGENCY,
    });

    // Assess
    expect(violation).toContain('(body) must NOT have additional properties (secretCounter)');
  });

  it('fails a status the operation does not document, listing those it does', () => {
    // Act
    const violation = contractViolation({ method: 'GET', path: '/v1/batches', status: 409, contentType: 'application/problem+json', body: problem(409, '/v1/batches') });

    // Assess
    expect(violation).toContain('ListBatches (GET /v1/batches) documents 200, 400, 401, 429, 500, 503, not 409');
  });

  it('fails a refusal that is not problem+json', () => {
    // Act
    const violation = contractViolation({ method: 'GET', path: '/v1/applications/app_1', status: 404, contentType: 'application/json', body: { message: 'Not Found' } });

    // Assess
    expect(violation).toContain('GetApplication (GET /v1/applications/{id}) answers 404 as application/problem+json');
  });

  it("fails a success with a key of a scope the operation does not take", () => {
    // Act
    const violation = contractViolation({ method: 'POST', path: '/v1/applications', status: 201, contentType: 'application/json', body: example.draftApplication, key: OPERATOR });

    // Assess
    expect(violation).toContain('CreateApplication (POST /v1/applications) takes agencyKey, yet it succeeded with an operator key');
  });

  it('takes what no route matches as the $default route: a 404 problem, and nothing else', () => {
    // Act
    const notFound = contractViolation({ method: 'DELETE', path: '/v1/applications/app_1', status: 404, contentType: 'application/problem+json', body: problem(404, '/v1/applications/app_1') });
    const other = contractViolation({ method: 'DELETE', path: '/v1/applications/app_1', status: 200, contentType: 'application/json', body: {} });

    // Assess
    expect(notFound).toBeUndefined();
    expect(other).toContain("no operation of openapi.json is this method and path, and only the $default route's 404 problem+json may answer it");
  });

  it('fails a body where the document has none (304), and passes none', () => {
    // Act & Assess
    expect(contractViolation({ method: 'GET', path: '/v1/openapi.json', status: 304, contentType: 'application/json', body: undefined })).toBeUndefined();
    expect(contractViolation({ method: 'GET', path: '/v1/openapi.json', status: 304, contentType: 'application/json', body: {} })).toContain('documents no body for 304');
  });
});

/** The check of every webhook the system tests' receiver gets (`startWebhookReceiver`). */
describe('the contract check of a webhook delivery', () => {
  const headers = { 'webhook-id': 'evt_01', 'webhook-timestamp': '1795939200', 'webhook-signature': 'v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4= v1,MWZ4Zm9vYmFy' };

  it('passes an event as documented, with the Standard Webhooks headers', () => {
    // Act & Assess
    expect(webhookContractViolation(headers, example.rejectedEvent)).toBeUndefined();
    expect(webhookContractViolation(headers, example.batchCompletedEvent)).toBeUndefined();
  });

  it('fails an event type the document does not have, a missing header, and a body that is not its event\'s', () => {
    // Act
    const unknown = webhookContractViolation(headers, { ...example.rejectedEvent, type: 'application.archived' });
    const unsigned = webhookContractViolation({ ...headers, 'webhook-signature': undefined }, example.rejectedEvent);
    const badSignature = webhookContractViolation({ ...headers, 'webhook-signature': 'sha256=abc' }, example.rejectedEvent);
    const { applicationId: _id, ...data } = example.rejectedEvent.data;
    const incomplete = webhookContractViolation(headers, { ...example.rejectedEvent, data });

    // Assess
    expect(unknown).toContain('A webhook delivery of "application.archived" breaks the API\'s contract: openapi.json\'s webhooks are application.created,');
    expect(unsigned).toContain('the header webhook-signature is missing');
    expect(badSignature).toContain('the header webhook-signature does not match its schema:\n    (header webhook-signature) must match pattern');
    expect(incomplete).toContain("/data must have required property 'applicationId'");
  });
});
