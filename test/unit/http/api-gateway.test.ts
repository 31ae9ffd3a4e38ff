import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../../shared/domain/errors.ts';
import { CreateBatchInput } from '../../../shared/domain/batch.ts';
import {
  assertPathParametersFit,
  type HttpEvent,
  idempotencyKey,
  MAX_IDEMPOTENCY_KEY_LENGTH,
  MAX_JSON_DEPTH,
  MAX_PATH_PARAMETER_LENGTH,
  parseBody,
  problem,
} from '../../../shared/http/api-gateway.ts';
import { readRegistryImport } from '../../../shared/http/registry-import-body.ts';
import { canonicalJson } from '../../../shared/use-cases/create-application.ts';

const withHeaders = (headers: Record<string, string>) => ({ headers }) as unknown as HttpEvent;

describe('problem+json', () => {
  it('keeps the members RFC 9457 defines: an extension named status cannot replace the HTTP status', () => {
    // Prepare
    const error = new ConflictError('Already withdrawn.', { extensions: { status: 'withdrawn', applicationStatus: 'withdrawn' } });

    // Act
    const answer = problem(error, '/v1/applications/app_1/withdraw');

    // Assess
    expect(answer.statusCode).toBe(409);
    expect(JSON.parse(answer.body as string)).toMatchObject({ status: 409, applicationStatus: 'withdrawn', instance: '/v1/applications/app_1/withdraw' });
  });
});

describe('path parameters', () => {
  it('answers 404 for an id too long to name any record, and lets any other through', () => {
    // Act
    const tooLong = (() => {
      try {
        assertPathParametersFit({ pathParameters: { id: 'a'.repeat(MAX_PATH_PARAMETER_LENGTH + 1) } });
        return undefined;
      } catch (error) {
        return error;
      }
    })();

    // Assess
    expect(tooLong).toMatchObject({ status: 404, errors: [{ path: '(path).id', code: 'too_long' }] });
    expect(() => assertPathParametersFit({ pathParameters: { id: 'a'.repeat(MAX_PATH_PARAMETER_LENGTH) } })).not.toThrow();
    expect(() => assertPathParametersFit({})).not.toThrow();
  });
});

describe('Idempotency-Key', () => {
  it('takes 1 to 255 printable ASCII characters, in any header case, and refuses the rest with 400', () => {
    // Act & Assess
    expect(idempotencyKey(withHeaders({ 'Idempotency-Key': 'closing-region-1' }))).toBe('closing-region-1');
    expect(idempotencyKey(withHeaders({}))).toBeUndefined();
    expect(idempotencyKey(withHeaders({ 'idempotency-key': 'k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH) }))).toHaveLength(255);
    for (const [key, code] of [
      ['k'.repeat(MAX_IDEMPOTENCY_KEY_LENGTH + 1), 'too_long'],
      ['', 'invalid_idempotency_key'],
      ['key\u0000with-nul', 'invalid_idempotency_key'],
      ['中文键', 'invalid_idempotency_key'],
    ]) {
      expect(() => idempotencyKey(withHeaders({ 'idempotency-key': key as string })), JSON.stringify(key)).toThrow(
        expect.objectContaining({ status: 400, errors: [expect.objectContaining({ path: '(headers).idempotency-key', code })] }),
      );
    }
  });
});

describe('JSON nesting', () => {
  const nested = (depth: number) => `${'['.repeat(depth - 1)}{}${']'.repeat(depth - 1)}`;
  const batchWith = (depth: number) => `{"items":[{"customerRef":${nested(depth - 3)}}]}`;
  const body = (text: string) => ({ body: text, headers: { 'content-type': 'application/json' } }) as unknown as HttpEvent;

  it('refuses a body nested deeper than any of the API with 400 too_deep, before anything walks it recursively', () => {
    // Prepare: a batch item is any object until ingestion, and the Idempotency-Key's hash walked it recursively
    const deep = body(batchWith(20_000));

    // Act
    const parsing = () => parseBody(deep, CreateBatchInput);

    // Assess
    expect(parsing).toThrow(ValidationError);
    expect(() => parsing()).toThrow(expect.objectContaining({ errors: [expect.objectContaining({ path: '(body)', code: 'too_deep' })] }));
    expect(() => readRegistryImport('application/json', `{"records":[${nested(20_000)}]}`)).toThrow(
      expect.objectContaining({ errors: [expect.objectContaining({ code: 'too_deep' })] }),
    );
  });

  it(`takes JSON ${MAX_JSON_DEPTH} levels deep, which the body's hash can walk`, () => {
    // Act
    const input = parseBody(body(batchWith(MAX_JSON_DEPTH)), CreateBatchInput);

    // Assess
    expect(() => parseBody(body(batchWith(MAX_JSON_DEPTH + 1)), CreateBatchInput)).toThrow(ValidationError);
    expect(canonicalJson(input)).toContain('"customerRef":[[');
  });
});
