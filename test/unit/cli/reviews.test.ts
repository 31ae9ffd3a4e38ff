import { afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../cli/program.ts';
import { applicationView, bodyOf, captureIo, problem, startFakeApi } from './fake-api.ts';

describe('icp-cancel reviews (operator key)', () => {
  let api: Awaited<ReturnType<typeof startFakeApi>> | undefined;
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });
  const underReview = () => ({ status: 202, body: applicationView({ status: 'under_review', attempts: 2 }) });

  it('records a rejection with its reasons, sent with $ICP_OPERATOR_KEY rather than $ICP_API_KEY', async () => {
    // Prepare
    api = await startFakeApi({ 'POST /v1/reviews/app_1/decision': underReview });
    const cli = captureIo('/', { ICP_API_URL: api.url, ICP_API_KEY: 'icp_agency_x', ICP_OPERATOR_KEY: 'icp_operator_y' });

    // Act
    const code = await run(
      ['reviews', 'decide', 'app_1', '--reject', '--reason', 'DOCUMENT_UNCLEAR: The scan is blurred', '--reason', 'info_mismatch:The name differs: 示例 vs 范例'],
      cli.io,
    );

    // Assess
    expect(code).toBe(0);
    const [request] = api.requests;
    expect(request?.headers.authorization).toBe('Bearer icp_operator_y');
    expect(bodyOf(request)).toEqual({
      outcome: 'rejected',
      reasons: [
        { code: 'DOCUMENT_UNCLEAR', message: 'The scan is blurred' },
        { code: 'INFO_MISMATCH', message: 'The name differs: 示例 vs 范例' },
      ],
    });
    expect(cli.stdout()).toBe('app_1: rejected recorded for attempt 2\n');
  });

  it('records an approval with $ICP_API_KEY when no operator key is set, or --api-key over both', async () => {
    api = await startFakeApi({ 'POST /v1/reviews/app_1/decision': underReview });
    await run(['reviews', 'decide', 'app_1', '--approve'], captureIo('/', { ICP_API_URL: api.url, ICP_API_KEY: 'icp_operator_env' }).io);
    await run(['reviews', 'decide', 'app_1', '--approve', '--api-key', 'icp_operator_flag'], captureIo('/', { ICP_API_URL: api.url, ICP_OPERATOR_KEY: 'o' }).io);

    expect(api.requests.map((r) => r.headers.authorization)).toEqual(['Bearer icp_operator_env', 'Bearer icp_operator_flag']);
    expect(bodyOf(api.requests[0])).toEqual({ outcome: 'approved' });
  });

  it.each([
    [['--approve', '--reject'], 'icp-cancel: Pass either --approve or --reject.\n'],
    [[], 'icp-cancel: Pass either --approve or --reject.\n'],
    [['--reject'], 'icp-cancel: --reject needs at least one --reason "CODE: message".\n'],
    [['--approve', '--reason', 'OTHER: x'], 'icp-cancel: --reason goes with --reject.\n'],
    [['--reject', '--reason', 'DOCUMENT_UNCLEAR'], 'icp-cancel: --reason takes "CODE: message" (e.g. "DOCUMENT_UNCLEAR: The scan is blurred"), not "DOCUMENT_UNCLEAR".\n'],
  ])('refuses decide %j before any request (exit 2)', async (flags, message) => {
    api = await startFakeApi({});
    const cli = captureIo('/', { ICP_API_URL: api.url, ICP_OPERATOR_KEY: 'o' });
    expect(await run(['reviews', 'decide', 'app_1', ...flags], cli.io)).toBe(2);
    expect(cli.stderr()).toBe(message);
    expect(api.requests).toHaveLength(0);
  });

  it('names the operator key when none is set', async () => {
    const cli = captureIo('/', { ICP_API_URL: 'http://127.0.0.1:1' });
    expect(await run(['reviews', 'decide', 'app_1', '--approve'], cli.io)).toBe(2);
    expect(cli.stderr()).toBe('icp-cancel: No API key: pass --api-key or set ICP_OPERATOR_KEY (an operator key, icp_operator_…).\n');
  });

  it('shows the codes the catalogue knows when a reason code is unknown, and the decision already made on a 409', async () => {
    api = await startFakeApi({
      'POST /v1/reviews/app_1/decision': () =>
        problem(400, 'The request is not valid', {
          detail: 'Unknown rejection reason code.',
          errors: [{ path: 'reasons.0.code', code: 'unknown_reason', message: 'BLURRY is not a code of the catalogue.' }],
          rejectionCodes: ['MATERIALS_INCOMPLETE', 'DOCUMENT_UNCLEAR'],
        }),
      'POST /v1/reviews/app_2/decision': () => problem(409, 'Conflict with the current state', { detail: 'A decision was already recorded for this review.', outcome: 'approved' }),
    });
    const env = { ICP_API_URL: api.url, ICP_OPERATOR_KEY: 'o' };

    const unknown = captureIo('/', env);
    expect(await run(['reviews', 'decide', 'app_1', '--reject', '--reason', 'BLURRY: x'], unknown.io)).toBe(1);
    expect(unknown.stderr()).toBe(
      'icp-cancel: POST /v1/reviews/app_1/decision failed with 400: The request is not valid: Unknown rejection reason code.\n' +
        '  - reasons.0.code: BLURRY is not a code of the catalogue. (unknown_reason)\n' +
        '  - reason codes: MATERIALS_INCOMPLETE, DOCUMENT_UNCLEAR\n',
    );

    const decided = captureIo('/', env);
    expect(await run(['reviews', 'decide', 'app_2', '--approve'], decided.io)).toBe(1);
    expect(decided.stderr()).toMatch(/A decision was already recorded for this review\.\n {2}- already decided: approved\n$/);
  });

  it('records the SMS notice, with --sent-at when given, and refuses a --sent-at that is not a time', async () => {
    const sms = { by: 'website_principal' as const, sentAt: '2026-11-29T08:00:00.000Z', expiresAt: '2026-11-30T08:00:00.000Z', maxAttempts: 5 };
    api = await startFakeApi({ 'POST /v1/reviews/app_1/verification': () => ({ status: 202, body: applicationView({ status: 'under_review', smsVerification: sms }) }) });
    const env = { ICP_API_URL: api.url, ICP_OPERATOR_KEY: 'o' };

    const now = captureIo('/', env);
    expect(await run(['reviews', 'notify-sms', 'app_1'], now.io)).toBe(0);
    const at = captureIo('/', env);
    expect(await run(['reviews', 'notify-sms', 'app_1', '--sent-at', '2026-11-29T08:00:00Z'], at.io)).toBe(0);
    const bad = captureIo('/', env);
    expect(await run(['reviews', 'notify-sms', 'app_1', '--sent-at', 'yesterday'], bad.io)).toBe(2);

    expect(api.requests.map(bodyOf)).toEqual([{}, { sentAt: '2026-11-29T08:00:00Z' }]);
    expect(at.stdout()).toBe('app_1: under_review (attempt 1): code texted at 2026-11-29T08:00:00.000Z, to enter by 2026-11-30T08:00:00.000Z\n');
    expect(bad.stderr()).toBe('icp-cancel: --sent-at takes an ISO 8601 time (e.g. 2026-11-29T08:00:00Z), not "yesterday".\n');
  });
});
