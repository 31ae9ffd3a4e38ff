import { afterEach, describe, expect, it } from 'vitest';
import type { ApiKey } from '../../../cli/api-types.ts';
import { run } from '../../../cli/program.ts';
import { bodyOf, captureIo, problem, startFakeApi } from './fake-api.ts';

const KEY = `icp_agency_${'A'.repeat(43)}`;
const key: ApiKey = { id: 'key_1', prefix: 'icp_agency_AAAAAAAA', name: 'CI pipeline', scopes: ['agency'], status: 'active', createdAt: '2026-11-29T08:00:00.000Z' };

describe('icp-cancel keys', () => {
  let api: Awaited<ReturnType<typeof startFakeApi>> | undefined;
  const env = () => ({ ICP_API_URL: api?.url, ICP_API_KEY: 'icp_agency_test' });
  afterEach(async () => {
    await api?.stop();
    api = undefined;
  });

  it('lists keys a line each, with their use, end and predecessor', async () => {
    api = await startFakeApi({
      'GET /v1/api-keys': () => ({
        body: {
          items: [
            { ...key, id: 'key_2', rotatedFrom: 'key_1', lastUsedAt: '2026-11-29T09:00:00.000Z' },
            { ...key, status: 'expiring', expiresAt: '2026-11-30T08:00:00.000Z' },
          ],
        },
      }),
    });
    const cli = captureIo('/', env());

    expect(await run(['keys', 'list'], cli.io)).toBe(0);
    expect(cli.stdout()).toBe(
      'key_2  active  icp_agency_AAAAAAAA  CI pipeline  created 2026-11-29T08:00:00.000Z  used 2026-11-29T09:00:00.000Z  replaces key_1\n' +
        'key_1  expiring  icp_agency_AAAAAAAA  CI pipeline  created 2026-11-29T08:00:00.000Z  never used  until 2026-11-30T08:00:00.000Z\n',
    );
  });

  it('creates a key and prints it alone on stdout, with the idempotency key when given', async () => {
    // Prepare
    api = await startFakeApi({ 'POST /v1/api-keys': () => ({ status: 201, body: { ...key, key: KEY } }) });
    const cli = captureIo('/', env());

    // Act
    const code = await run(['keys', 'create', '--name', 'CI pipeline', '--idempotency-key', 'ci-1'], cli.io);

    // Assess
    expect(code).toBe(0);
    expect(cli.stdout()).toBe(`${KEY}\n`);
    expect(cli.stderr()).toBe('key_1 (CI pipeline): the key is shown this once; keep it like a password.\n');
    expect(bodyOf(api.requests[0])).toEqual({ name: 'CI pipeline' });
    expect(api.requests[0]?.headers['idempotency-key']).toBe('ci-1');
  });

  it('exits 1 when a replay answers the key without the key itself, printing nothing on stdout', async () => {
    api = await startFakeApi({ 'POST /v1/api-keys': () => ({ status: 201, headers: { 'idempotent-replayed': 'true' }, body: key }) });
    const cli = captureIo('/', env());

    expect(await run(['keys', 'create', '--idempotency-key', 'ci-1'], cli.io)).toBe(1);
    expect(cli.stdout()).toBe('');
    expect(cli.stderr()).toMatch(/^icp-cancel: key_1 was made by an earlier request with this idempotency key; its key was shown then/);
  });

  it('rotates with an overlap, printing the new key and how long the old one works; refuses a bad overlap', async () => {
    api = await startFakeApi({
      'POST /v1/api-keys/key_1/rotate': () => ({
        status: 201,
        body: { ...key, id: 'key_2', rotatedFrom: 'key_1', key: KEY, previous: { ...key, status: 'expiring', expiresAt: '2026-11-29T09:00:00.000Z' } },
      }),
    });

    const cli = captureIo('/', env());
    expect(await run(['keys', 'rotate', 'key_1', '--overlap', '3600'], cli.io)).toBe(0);
    expect(cli.stdout()).toBe(`${KEY}\n`);
    expect(cli.stderr()).toContain('key_1 works until 2026-11-29T09:00:00.000Z.\n');
    expect(bodyOf(api.requests[0])).toEqual({ overlapSeconds: 3600 });

    const bad = captureIo('/', env());
    expect(await run(['keys', 'rotate', 'key_1', '--overlap', '-1'], bad.io)).toBe(2);
    expect(bad.stderr()).toBe('icp-cancel: --overlap takes a whole number of seconds from 0 to 2592000, not "-1".\n');
    expect(api.requests).toHaveLength(1);
  });

  it('revokes, warns when it was the key in use, and shows why the last key is kept', async () => {
    api = await startFakeApi({
      'POST /v1/api-keys/key_1/revoke': () => ({
        body: { ...key, status: 'revoked', revokedAt: '2026-11-29T10:00:00.000Z', warnings: [{ code: 'own_key_revoked', message: 'This request was made with the key it revoked.' }] },
      }),
      'POST /v1/api-keys/key_2/revoke': () =>
        problem(409, 'Conflict with the current state', {
          detail: 'This is your last agency key without an end.',
          errors: [{ path: '(path).id', code: 'last_key', message: 'Create another key first, or rotate this one.' }],
        }),
    });

    const ok = captureIo('/', env());
    expect(await run(['keys', 'revoke', 'key_1'], ok.io)).toBe(0);
    expect(ok.stdout()).toBe('key_1: revoked\n');
    expect(ok.stderr()).toBe('warning: This request was made with the key it revoked. (own_key_revoked)\n');

    const last = captureIo('/', env());
    expect(await run(['keys', 'revoke', 'key_2'], last.io)).toBe(1);
    expect(last.stderr()).toBe(
      'icp-cancel: POST /v1/api-keys/key_2/revoke failed with 409: Conflict with the current state: This is your last agency key without an end.\n' +
        '  - (path).id: Create another key first, or rotate this one. (last_key)\n',
    );
  });
});
