import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { run } from '../../../cli/program.ts';
import { applicationView, bodyOf, captureIo, type FakeRoute, problem, sequence, startFakeApi } from './fake-api.ts';

const FLAGS = [
  '--kind', 'cancel_website',
  '--filing-number', '京ICP备10046444号-9',
  '--website-name', '示例网站',
  '--domain', 'example.cn,example.com.cn',
  '--domain', 'example.net',
  '--subject-name', '示例科技有限公司',
  '--subject-type', 'enterprise',
  '--credit-code', '91330100799655058B',
  '--reason', 'business_change',
  '--site-since', '2026-11-01',
  '--customer-ref', 'order-42',
];
const BODY = {
  kind: 'cancel_website',
  filingNumber: '京ICP备10046444号-9',
  websiteName: '示例网站',
  domains: ['example.cn', 'example.com.cn', 'example.net'],
  subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: '91330100799655058B' },
  reason: 'business_change',
  siteState: { state: 'closed', since: '2026-11-01' },
  customerRef: 'order-42',
};
const created: FakeRoute = (request) => ({
  status: 201,
  headers: { 'idempotent-replayed': String(request.headers['idempotency-key'] === 'replayed') },
  body: applicationView({ id: 'app_1' }),
});

describe('icp-cancel applications', () => {
  const dir = mkdtempSync(join(tmpdir(), 'icp-cli-applications-'));
  let api: Awaited<ReturnType<typeof startFakeApi>> | undefined;
  const env = () => ({ ICP_API_URL: api?.url, ICP_API_KEY: 'icp_agency_test' });
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('create', () => {
    it('builds the body from the flags, derives a stable idempotency key from it, and prints the id', async () => {
      // Prepare
      api = await startFakeApi({ 'POST /v1/applications': created });
      const first = captureIo(dir, env());
      const again = captureIo(dir, env());

      // Act
      const code = await run(['applications', 'create', ...FLAGS], first.io);
      await run(['applications', 'create', ...FLAGS], again.io);

      // Assess
      expect(code).toBe(0);
      expect(first.stdout()).toBe('app_1\n');
      expect(first.stderr()).toBe('Application app_1 created (draft); needs closure_proof.\n');
      const [one, two] = api.to('POST /v1/applications');
      expect(bodyOf(one)).toEqual(BODY);
      expect(one?.headers['idempotency-key']).toMatch(/^application-[0-9a-f]{40}$/);
      expect(two?.headers['idempotency-key']).toBe(one?.headers['idempotency-key']);
    });

    it('says when the key replays an application instead of creating one, and takes the body from --from', async () => {
      api = await startFakeApi({ 'POST /v1/applications': created });
      writeFileSync(join(dir, 'body.json'), `\uFEFF${JSON.stringify(BODY)}`);
      const cli = captureIo(dir, env());

      expect(await run(['applications', 'create', '--from', 'body.json', '--idempotency-key', 'replayed'], cli.io)).toBe(0);
      expect(bodyOf(api.to('POST /v1/applications')[0])).toEqual(BODY);
      expect(cli.stderr()).toBe('Application app_1 already exists for this idempotency key (draft): nothing new created.\n');
    });

    it.each([
      [['--kind', 'cancel_website'], /^icp-cancel: Missing --filing-number, --website-name, --domain, --subject-name, --subject-type, --reason, --site-since/],
      [['--from', 'body.json', '--customer-ref', 'x'], /--from gives the whole body: leave out the other body flags/],
      [['--kind', 'cancel_everything'], /argument 'cancel_everything' is invalid\. Allowed choices are cancel_subject, cancel_website/],
      [[...FLAGS, '--site-state', 'gone'], /Allowed choices are closed, migrated/],
    ])('refuses %j before sending anything (exit 2)', async (argv, message) => {
      api = await startFakeApi({});
      const cli = captureIo(dir, env());
      expect(await run(['applications', 'create', ...argv], cli.io)).toBe(2);
      expect(cli.stderr()).toMatch(message);
      expect(api.requests).toHaveLength(0);
    });

    it("points each field error of the API at the flag that sets it", async () => {
      api = await startFakeApi({
        'POST /v1/applications': () =>
          problem(400, 'The request is not valid', {
            detail: 'The application breaks the ICP rules listed in errors.',
            errors: [
              { path: 'subject.creditCode', code: 'invalid_check_character', message: 'The last character does not match the first 17.' },
              { path: 'domains.1', code: 'invalid_domain', message: 'Not a domain.' },
            ],
            warnings: [{ code: 'not_in_registry', message: 'Not in your filing registry.' }],
          }),
      });
      const cli = captureIo(dir, env());

      expect(await run(['applications', 'create', ...FLAGS], cli.io)).toBe(1);
      expect(cli.stderr()).toBe(
        'icp-cancel: POST /v1/applications failed with 400: The request is not valid: The application breaks the ICP rules listed in errors.\n' +
          '  - subject.creditCode: The last character does not match the first 17. (invalid_check_character) [--credit-code]\n' +
          '  - domains.1: Not a domain. (invalid_domain) [--domain]\n' +
          '  - warning: Not in your filing registry. (not_in_registry)\n',
      );
    });
  });

  describe('get and list', () => {
    it('shows an application for a person: data, evidence, reasons with the fix hint in the chosen language, timeline', async () => {
      // Prepare
      const application = applicationView({
        status: 'rejected',
        attempts: 2,
        batchId: 'bat_1',
        missingEvidence: [],
        evidence: [
          {
            evidenceId: 'ev_1',
            kind: 'closure_proof',
            contentType: 'application/pdf',
            contentLength: 1234,
            status: 'accepted',
            sha256: 'ab'.repeat(32),
            createdAt: '2026-11-29T08:01:00.000Z',
          },
        ],
        rejectionReasons: [
          { code: 'DOCUMENT_UNCLEAR', message: 'The scan is blurred', title: { zh: '材料不清晰', en: 'Documents unclear' }, fixHint: { zh: '重新上传', en: 'Upload a sharp colour scan.' } },
        ],
      });
      api = await startFakeApi({ 'GET /v1/applications/app_1': () => ({ body: application }) });

      // Act
      const en = captureIo(dir, env());
      await run(['applications', 'get', 'app_1', '--lang', 'en'], en.io);
      const zh = captureIo(dir, { ...env(), LANG: 'zh_CN.UTF-8' });
      await run(['applications', 'get', 'app_1'], zh.io);
      const json = captureIo(dir, env());
      await run(['applications', 'get', 'app_1', '--json'], json.io);

      // Assess
      expect(en.stdout()).toBe(
        [
          'app_1  rejected (attempt 2)',
          '  kind          cancel_website · business_change',
          '  filing        京ICP备10046444号-9 · 示例网站 · example.cn',
          '  subject       示例科技有限公司 (enterprise, 91330100799655058B)',
          '  site          closed since 2026-11-01',
          '  batch         bat_1',
          '  required      closure_proof',
          `  evidence      ev_1  closure_proof  accepted  application/pdf 1,234 bytes  sha256 ${'ab'.repeat(32)}`,
          '  rejected for  DOCUMENT_UNCLEAR Documents unclear: The scan is blurred — Upload a sharp colour scan.',
          'timeline',
          '    1  2026-11-29T08:00:00.000Z  draft         Application created',
          '',
        ].join('\n'),
      );
      expect(zh.stdout()).toContain('  rejected for  DOCUMENT_UNCLEAR 材料不清晰: The scan is blurred — 重新上传\n');
      expect(JSON.parse(json.stdout())).toEqual(application);
    });

    it('lists one application a line, passes --batch, --limit and --cursor on, and names the next page on stderr', async () => {
      api = await startFakeApi({
        'GET /v1/applications': () => ({ body: { items: [applicationView({ customerRef: 'order-42' }), applicationView({ id: 'app_2', status: 'approved' })], nextCursor: 'c2' } }),
      });
      const cli = captureIo(dir, env());

      expect(await run(['applications', 'list', '--batch', 'bat_1', '--limit', '2', '--cursor', 'c1'], cli.io)).toBe(0);
      expect(cli.stdout()).toBe('app_1  draft  京ICP备10046444号-9  示例网站  order-42\napp_2  approved  京ICP备10046444号-9  示例网站\n');
      expect(cli.stderr()).toBe('(more: --cursor c2)\n');
      expect(api.requests[0]?.query).toEqual({ limit: '2', cursor: 'c1', batchId: 'bat_1' });

      const tooMany = captureIo(dir, env());
      expect(await run(['applications', 'list', '--limit', '201'], tooMany.io)).toBe(2);
      expect(tooMany.stderr()).toBe('icp-cancel: --limit takes a whole number from 1 to 200.\n');
    });
  });

  describe('submit, resubmit, withdraw', () => {
    it('submits, and on a 422 names the missing evidence with the command that uploads it', async () => {
      api = await startFakeApi({
        'POST /v1/applications/app_1/submit': sequence(
          { status: 202, body: applicationView({ status: 'submitted' }) },
          problem(422, 'The request cannot be processed', {
            detail: 'Evidence is missing: closure_proof.',
            instance: '/v1/applications/app_1/submit',
            missingEvidence: ['closure_proof'],
            errors: [{ path: 'evidence.closure_proof', code: 'evidence_missing', message: 'Upload a closure_proof file and wait until it is accepted.' }],
          }),
        ),
      });
      const ok = captureIo(dir, env());
      expect(await run(['applications', 'submit', 'app_1'], ok.io)).toBe(0);
      expect(ok.stdout()).toBe('app_1: submitted (attempt 1)\n');
      expect(bodyOf(api.to('POST /v1/applications/app_1/submit')[0])).toEqual({});

      const missing = captureIo(dir, env());
      expect(await run(['applications', 'submit', 'app_1'], missing.io)).toBe(1);
      expect(missing.stderr()).toBe(
        'icp-cancel: POST /v1/applications/app_1/submit failed with 422: The request cannot be processed: Evidence is missing: closure_proof.\n' +
          '  - evidence.closure_proof: Upload a closure_proof file and wait until it is accepted. (evidence_missing)\n' +
          '  - missing evidence: closure_proof; upload each with `icp-cancel evidence upload app_1 <file> --kind <kind>`\n',
      );
    });

    it('resubmits only what the flags change, merging a partial subject into the current one', async () => {
      api = await startFakeApi({
        'GET /v1/applications/app_1': () => ({ body: applicationView({ status: 'rejected' }) }),
        'POST /v1/applications/app_1/resubmit': () => ({ status: 202, body: applicationView({ status: 'submitted', attempts: 2 }) }),
      });

      const names = captureIo(dir, env());
      expect(await run(['applications', 'resubmit', 'app_1', '--website-name', '新网站', '--domain', 'a.cn'], names.io)).toBe(0);
      const subject = captureIo(dir, env());
      expect(await run(['applications', 'resubmit', 'app_1', '--credit-code', '91110108551385082Q', '--site-state', 'migrated', '--site-target', 'new.cn'], subject.io)).toBe(0);
      const nothing = captureIo(dir, env());
      expect(await run(['applications', 'resubmit', 'app_1', '--json'], nothing.io)).toBe(0);

      const [first, second, third] = api.to('POST /v1/applications/app_1/resubmit').map(bodyOf);
      expect(first).toEqual({ websiteName: '新网站', domains: ['a.cn'] });
      expect(second).toEqual({
        subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: '91110108551385082Q' },
        siteState: { state: 'migrated', since: '2026-11-01', target: 'new.cn' },
      });
      expect(third).toEqual({});
      // Only the partial subject needed the application.
      expect(api.to('GET /v1/applications/app_1')).toHaveLength(1);
      expect(names.stdout()).toBe('app_1: submitted (attempt 2)\n');
      expect(JSON.parse(nothing.stdout())).toMatchObject({ id: 'app_1', status: 'submitted' });
    });

    it('drops the target of a migrated site corrected to closed', async () => {
      api = await startFakeApi({
        'GET /v1/applications/app_1': () => ({ body: applicationView({ status: 'rejected', siteState: { state: 'migrated', target: 'new.cn', since: '2026-11-01' } }) }),
        'POST /v1/applications/app_1/resubmit': () => ({ status: 202, body: applicationView({ status: 'submitted', attempts: 2 }) }),
      });
      expect(await run(['applications', 'resubmit', 'app_1', '--site-state', 'closed'], captureIo(dir, env()).io)).toBe(0);
      expect(bodyOf(api.to('POST /v1/applications/app_1/resubmit')[0])).toEqual({ siteState: { state: 'closed', since: '2026-11-01' } });
    });

    it('withdraws, and a 409 is exit 1 with the detail', async () => {
      api = await startFakeApi({
        'POST /v1/applications/app_1/withdraw': () => ({ body: applicationView({ status: 'withdrawn' }) }),
        'POST /v1/applications/app_2/withdraw': () =>
          problem(409, 'Conflict with the current state', { detail: 'Conflict with the current state', applicationStatus: 'under_review' }),
      });
      const cli = captureIo(dir, env());
      expect(await run(['applications', 'withdraw', 'app_1'], cli.io)).toBe(0);
      expect(cli.stdout()).toBe('app_1: withdrawn (attempt 1)\n');

      const refused = captureIo(dir, env());
      expect(await run(['applications', 'withdraw', 'app_2'], refused.io)).toBe(1);
      expect(refused.stderr()).toBe('icp-cancel: POST /v1/applications/app_2/withdraw failed with 409: Conflict with the current state: Conflict with the current state\n');
    });
  });
});
