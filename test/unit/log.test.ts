import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { log } from '../../shared/log.ts';
import { REDACTED, redact } from '../../shared/observability/redact.ts';
import { captureOutput } from './observability/capture-output.ts';

/** The logs are Powertools' JSON lines, and no secret or personal identifier ever reaches one (STYLE.md rule 13). */
describe('log', () => {
  const level = process.env.LOG_LEVEL;
  beforeEach(() => {
    process.env.LOG_LEVEL = 'INFO';
  });
  afterEach(() => {
    process.env.LOG_LEVEL = level;
  });

  it('writes one Powertools JSON line per call, with the service and the fields, errors with name, message and stack', async () => {
    // Prepare
    const error = new TypeError('the table is gone');

    // Act
    const { lines } = await captureOutput(() => {
      log.info('evidence checked', { applicationId: 'app_1', problem: undefined });
      log.error('unhandled error', { instance: '/v1/applications', error });
    });

    // Assess
    expect(lines).toEqual([
      expect.objectContaining({ level: 'INFO', message: 'evidence checked', service: 'icp-cancel', timestamp: expect.any(String), applicationId: 'app_1' }),
      expect.objectContaining({
        level: 'ERROR',
        message: 'unhandled error',
        instance: '/v1/applications',
        error: expect.objectContaining({ name: 'TypeError', message: 'the table is gone', stack: expect.stringContaining('TypeError: the table is gone') }),
      }),
    ]);
  });

  it('honours LOG_LEVEL, read at each call, SILENT included', async () => {
    // Act
    const { lines } = await captureOutput(() => {
      log.debug('not at INFO');
      process.env.LOG_LEVEL = 'WARN';
      log.info('not at WARN');
      log.warn('at WARN');
      process.env.LOG_LEVEL = 'SILENT';
      log.error('not even an error');
      process.env.LOG_LEVEL = 'debug';
      log.debug('at DEBUG');
      process.env.LOG_LEVEL = 'LOUD';
      log.debug('an unknown level is INFO');
      log.info('at INFO');
    });

    // Assess
    expect(lines.map((l) => l.message)).toEqual(['at WARN', 'at DEBUG', 'at INFO']);
  });

  it('never writes an API key, a webhook secret or signature, a presigned URL signature, an ID number or an Authorization header', async () => {
    // Prepare: each secret under its own name, and again inside free text, an error and a URL
    const agencyKey = 'icp_agency_Q2hhbmdlIG1lIGluIHByb2R1Y3Rpb24hIFNlcmlvdXNseSE';
    const operatorKey = 'icp_operator_T3BlcmF0b3Iga2V5IG9mIHRoZSBkZW1vIGFnZW5jeSEh';
    const webhookSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const signature = 'K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=';
    const amzSignature = '4f1e7c0d9b3a8e6f2c5d1a0b9e8f7c6d5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d';
    const amzCredential = 'ASIAXAMPLEKEY123%2F20261129%2Fus-east-1%2Fs3%2Faws4_request';
    const presigned = `https://icp-cancel-evidence.s3.amazonaws.com/evidence/tnt_1/app_1/ev_1?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${amzCredential}&X-Amz-Signature=${amzSignature}`;
    const idNumber = '11010519491231002X';
    const taskToken = 'AQCEAAAAKgAAAAMAAAAAAAAAAeRcTaskTokenOfTheReviewWorkflow';
    const bearer = 'opaque-bearer-token-9f8e7d6c';
    const secrets = [agencyKey, operatorKey, webhookSecret, signature, amzSignature, amzCredential, idNumber, taskToken, bearer, 'hunter2'];

    // Act
    const { lines, text } = await captureOutput(() =>
      log.warn(`request by ${agencyKey} for ${idNumber} failed`, {
        tenantId: 'tnt_1',
        applicationId: 'app_1',
        headers: { Authorization: `Bearer ${agencyKey}`, 'x-api-key': operatorKey, 'webhook-signature': `v1,${signature}`, 'content-type': 'application/json' },
        endpoint: { url: 'https://admin:hunter2@hooks.example.com/icp?token=hunter2', secret: webhookSecret, previousSecrets: [{ secret: webhookSecret }] },
        upload: { uploadUrl: presigned, note: `or PUT ${presigned}` },
        subject: { name: '张三', type: 'individual', idNumber },
        input: { applicationId: 'app_1', taskToken },
        error: new Error(`signing with ${webhookSecret} failed; Authorization: Bearer ${bearer}; v1,${signature}`),
      }),
    );

    // Assess: not one secret, in any form; the business keys and harmless fields still there
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      message: `request by icp_agency_${REDACTED} for ${REDACTED} failed`,
      tenantId: 'tnt_1',
      applicationId: 'app_1',
      headers: { Authorization: REDACTED, 'x-api-key': REDACTED, 'webhook-signature': REDACTED, 'content-type': 'application/json' },
      endpoint: { url: `https://${REDACTED}@hooks.example.com/icp?token=${REDACTED}`, secret: REDACTED, previousSecrets: REDACTED },
      upload: { uploadUrl: REDACTED },
      subject: { name: '张三', type: 'individual', idNumber: REDACTED },
      input: { applicationId: 'app_1', taskToken: REDACTED },
      error: { name: 'Error' },
    });
    expect((lines[0]?.upload as { note: string }).note).toContain(`X-Amz-Signature=${REDACTED}`);
  });

  it('keeps what only looks like an identifier: record ids, longer digit runs, empty secret fields', () => {
    // Act & Assess
    expect(redact('applicationId', 'app_01JD4S7Q0Z8X9Y7W6V5T4S3R2Q')).toBe('app_01JD4S7Q0Z8X9Y7W6V5T4S3R2Q');
    expect(redact('sequenceNumber', '4917100000000000000012345678')).toBe('4917100000000000000012345678');
    expect(redact('filingNumber', '京ICP备2026000001号-1')).toBe('京ICP备2026000001号-1');
    expect(redact('authorization', undefined)).toBeUndefined();
    expect(redact('authorization', '')).toBe('');
    expect(redact('count', 3)).toBe(3);
  });
});
