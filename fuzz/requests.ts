import fc from 'fast-check';
import { brokenJsonBody, hostileString, hostileValue, jsonText, mutated, withRepeatedMember } from './hostile.ts';
import type { FuzzTargets, RouteInput } from './routes.ts';
import { arbitraryOf } from './schema-arbitrary.ts';

/** One request as it goes on the wire. */
export interface FuzzRequest {
  /** The route it is aimed at (`$default` for a path or method no route has). */
  routeKey: string;
  method: string;
  /** Path and query, percent-encoded as sent (or not, where that is the point). */
  target: string;
  /** Header values as Latin-1 strings (UTF-8 text arrives as its bytes). */
  headers: Record<string, string | string[]>;
  body?: Buffer;
  /** How it was made (`body:mutated auth:agency id:hostile …`), for the report. */
  shape: string;
}

/** The API keys a request can carry: the fuzzed tenant's, and another tenant's. */
export interface FuzzKeys {
  agency: string;
  operator: string;
  otherAgency: string;
  otherOperator: string;
}

/**
 * API Gateway's limit on the request line and headers together (10,240 bytes); a larger request is refused before any
 * route, so requests stay under it (the local server's own limit, Node's 16 KiB, is higher).
 */
const HEADER_BUDGET = 10_000;
/** The longest path and query sent, leaving the rest of the budget to the headers. */
const MAX_TARGET = 8_200;
/** Above these, API Gateway (10 MiB body) and Lambda (6 MiB event) answer their own plain 413s. */
export const GATEWAY_BODY_LIMIT = 10 * 1024 * 1024;
export const LAMBDA_EVENT_LIMIT = 6 * 1024 * 1024;
/** Sizes at and across the limits: a route's own (64 KiB, 5 MiB), Lambda's event and API Gateway's body limits. */
const HUGE_SIZES = [64 * 1024, 64 * 1024 + 1, 5 * 1024 * 1024 + 1, LAMBDA_EVENT_LIMIT + 512 * 1024, GATEWAY_BODY_LIMIT + 1] as const;

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'] as const;

/** A request for one of `routes`, chosen evenly, each made as that route's {@link RouteInput} says. */
export function requestArbitrary(routes: readonly { routeKey: string; input: RouteInput }[], targets: FuzzTargets, keys: FuzzKeys): fc.Arbitrary<FuzzRequest> {
  const ids = Object.values(targets.resources).filter((v): v is string => typeof v === 'string');
  const routed = routes.filter((r) => r.routeKey !== '$default');
  // Every route as often as another; each route's arbitrary is made once (a schema's regexes are compiled then).
  return fc.oneof(
    ...routes.map(({ routeKey, input }) => (routeKey === '$default' ? unroutedRequest(routed, ids, keys) : routeRequest(routeKey, input, targets, keys, ids))),
  );
}

function routeRequest(routeKey: string, input: RouteInput, targets: FuzzTargets, keys: FuzzKeys, allIds: string[]): fc.Arbitrary<FuzzRequest> {
  const [method, template] = routeKey.split(' ') as [string, string];
  const parameter = /\{(\w+)\}/.exec(template)?.[0];
  const id = parameter ? idSegment(input.ids?.(targets.resources) ?? [], allIds) : fc.constant(undefined);
  return fc
    .record({
      id,
      query: queryString(input, targets),
      body: bodyOf(input, targets, method === 'GET'),
      auth: authorization(input.scope, keys),
      idempotency: sometimes(idempotencyKey(), input.idempotent ? 0.5 : 0.05),
      extra: extraHeaders(),
    })
    .map(({ id, query, body, auth, idempotency, extra }) => {
      const under = input.under?.(targets.resources) ?? {};
      const path = (parameter && id ? template.replace(parameter, id.segment) : template).replace(/\{(\w+)\}/g, (_, name: string) => percentEncode(under[name] ?? name));
      const headers: Record<string, string | string[]> = { ...extra.headers };
      if (auth.value !== undefined) headers.authorization = auth.value;
      if (body.contentType !== undefined) headers['content-type'] = latin1(body.contentType);
      if (idempotency !== undefined) headers['idempotency-key'] = latin1(idempotency);
      const shape = [`body:${body.shape}`, `auth:${auth.shape}`, id ? `id:${id.shape}` : '', query.shape ? `query:${query.shape}` : '', extra.shape, idempotency === undefined ? '' : 'idempotency-key']
        .filter(Boolean)
        .join(' ');
      return fitted({ routeKey, method, target: `${path}${query.text}`, headers, ...(body.bytes ? { body: body.bytes } : {}), shape });
    });
}

/** A method a path does not have, or a path no route has: what the `$default` route answers. */
function unroutedRequest(routes: readonly { routeKey: string }[], ids: string[], keys: FuzzKeys): fc.Arbitrary<FuzzRequest> {
  const byPath = new Map<string, string[]>();
  for (const { routeKey } of routes) {
    const [method, path] = routeKey.split(' ') as [string, string];
    byPath.set(path, [...(byPath.get(path) ?? []), method]);
  }
  const wrongMethod = fc.constantFrom(...byPath.entries()).chain(([path, methods]) =>
    fc.tuple(fc.constantFrom(...METHODS.filter((m) => !methods.includes(m))), fc.constantFrom(...ids)).map(([method, id]) => ({
      method,
      target: path.replace(/\{\w+\}/, percentEncode(id)),
      shape: 'wrong method',
    })),
  );
  const unknownPath = fc
    .tuple(
      fc.constantFrom(...METHODS),
      fc.oneof(
        fc.constantFrom(
          '/',
          '/v1',
          '/v1/',
          '/v2/applications',
          '/v1/applications/',
          '/V1/APPLICATIONS',
          '/v1//applications',
          '/v1/applications/x/y',
          '/v1/applications/x/submit/extra',
          '/v1/applications/%2F',
          '/v1/applications/..%2F..%2Fbatches',
          '/favicon.ico',
          '/.env',
          '/%00',
          '/%ZZ',
          `/v1/${'a/'.repeat(500)}`,
          `/${'x'.repeat(8_000)}`,
        ),
        hostileString().map((s) => `/v1/${percentEncode(s)}`),
      ),
    )
    .map(([method, target]) => ({ method, target, shape: 'unknown path' }));
  return fc
    .record({ route: fc.oneof(wrongMethod, unknownPath), auth: authorization('any', keys), extra: extraHeaders(), body: sometimes(hostileValue(), 0.3) })
    .map(({ route, auth, extra, body }) => {
      const headers: Record<string, string | string[]> = { ...extra.headers };
      if (auth.value !== undefined) headers.authorization = auth.value;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return fitted({
        routeKey: '$default',
        method: route.method,
        target: route.target,
        headers,
        ...(body === undefined ? {} : { body: Buffer.from(jsonText(body)) }),
        shape: `${route.shape} auth:${auth.shape} ${extra.shape}`.trim(),
      });
    });
}

interface Body {
  bytes?: Buffer;
  contentType?: string;
  shape: string;
}

/** The body: valid, valid but changed in one place, shaped by the schema, hostile, broken, huge or none. */
function bodyOf(input: RouteInput, targets: FuzzTargets, isGet: boolean): fc.Arbitrary<Body> {
  const hints = input.hints?.(targets) ?? {};
  const schemas = input.body ?? [];
  const shaped = schemas.length > 0 ? fc.oneof(...schemas.map((schema) => arbitraryOf(schema, hints))) : fc.constant({});
  const valid = input.valid?.(targets) ?? shaped;
  const json = (shape: string) => (value: unknown) => ({ text: jsonText(value), shape });
  const text = fc.oneof(
    { weight: 5, arbitrary: valid.map(json('valid')) },
    { weight: 4, arbitrary: valid.chain(mutated).map(json('mutated')) },
    { weight: 3, arbitrary: shaped.map(json('schema')) },
    { weight: 2, arbitrary: hostileValue().map(json('hostile')) },
    { weight: 2, arbitrary: brokenJsonBody().map((text) => ({ text, shape: 'broken' })) },
    {
      weight: 2,
      arbitrary: valid.chain((v) => (isObject(v) ? withRepeatedMember(v) : fc.constant(jsonText(v)))).map((text) => ({ text, shape: 'repeated member' })),
    },
  );
  const csvRows = input.csvRows?.(targets);
  return fc.oneof(
    { weight: isGet ? 20 : 240, arbitrary: fc.tuple(text, contentType()).map(([t, type]) => ({ bytes: Buffer.from(t.text), ...type, shape: `${t.shape}${type.shape}` })) },
    ...(csvRows ? [{ weight: 60, arbitrary: csvRows.chain(csvText).map((t) => ({ bytes: Buffer.from(t), contentType: 'text/csv', shape: 'csv' })) }] : []),
    { weight: 2, arbitrary: fc.constantFrom(...HUGE_SIZES).map((size) => ({ bytes: paddedJson(size), contentType: 'application/json', shape: `huge ${size}` })) },
    { weight: isGet ? 160 : 40, arbitrary: fc.constant({ shape: 'none' }) },
  );
}

/** Content types: mostly JSON, else another, a malformed one or none. */
function contentType(): fc.Arbitrary<{ contentType?: string; shape: string }> {
  return fc.oneof(
    { weight: 8, arbitrary: fc.constant({ contentType: 'application/json', shape: '' }) },
    {
      weight: 3,
      arbitrary: fc
        .constantFrom(
          'application/json; charset=utf-8',
          'application/json; charset=utf-16',
          'APPLICATION/JSON',
          'application/problem+json',
          'application/jsonx',
          'text/json',
          'text/plain',
          'text/csv',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/xml',
          'application/octet-stream',
          '',
          ';;;',
          '*/*',
          `application/json; ${'x=y; '.repeat(400)}`,
          'application/json\u00ff',
        )
        .map((type) => ({ contentType: type, shape: ` type:${type.slice(0, 40)}` })),
    },
    { weight: 1, arbitrary: fc.constant({ shape: ' type:none' }) },
  );
}

/** A JSON object of exactly `size` bytes. */
function paddedJson(size: number): Buffer {
  const frame = '{"websiteName":""}';
  return Buffer.from(`{"websiteName":"${'x'.repeat(Math.max(0, size - frame.length))}"}`);
}

function csvText(rows: Record<string, string>[]): fc.Arbitrary<string> {
  const columns = Object.keys(rows[0] ?? { filingNumber: '' });
  const lines = rows.map((row) => columns.map((c) => `"${String(row[c] ?? '').replaceAll('"', '""')}"`).join(','));
  return fc.constantFrom('\r\n', '\n').map((eol) => [columns.join(','), ...lines].join(eol) + eol);
}

/** The path segment for `{id}`: one of the tenant's records of the route's kind, of another kind, a missing one, or hostile. */
function idSegment(own: string[], all: string[]): fc.Arbitrary<{ segment: string; shape: string }> {
  return fc.oneof(
    { weight: own.length > 0 ? 6 : 0, arbitrary: fc.constantFrom(...(own.length > 0 ? own : ['x'])).map((id) => ({ segment: percentEncode(id), shape: 'own' })) },
    { weight: 1, arbitrary: fc.constantFrom(...all).map((id) => ({ segment: percentEncode(id), shape: 'other kind' })) },
    {
      weight: 1,
      arbitrary: fc.stringMatching(/^(app|bat|whe|dlv|ev|evt)_[0-9a-hjkmnp-tv-z]{26}$/).map((id) => ({ segment: id, shape: 'missing' })),
    },
    { weight: 2, arbitrary: hostileString().map((id) => ({ segment: percentEncode(id), shape: 'hostile' })) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.constantFrom('..', '.', '%2e%2e', '%2F', 'a%2Fb', '%00', '%ZZ', '%', '%E4%BA%AC', '%C0%AE', '%FF', '~'),
          fc.constantFrom(199, 200, 201, 1_025, 2_050, 8_000).map((n) => 'a'.repeat(n)),
          fc.tuple(fc.constantFrom(...(own.length > 0 ? own : all)), fc.constantFrom('%00', '%2F..', '%20', '.', 'A', '%0A')).map(([id, tail]) => `${percentEncode(id)}${tail}`),
          fc.constantFrom(...(own.length > 0 ? own : all)).map((id) => percentEncode(id.toUpperCase())),
        )
        .map((segment) => ({ segment, shape: 'raw' })),
    },
  );
}

/** The query string (with its `?`): the route's parameters, valid or hostile, repeated, and parameters it does not read. */
function queryString(input: RouteInput, targets: FuzzTargets): fc.Arbitrary<{ text: string; shape: string }> {
  const params = input.query?.(targets) ?? {};
  const own = Object.entries(params).map(([name, valid]) =>
    fc.option(fc.oneof({ weight: 3, arbitrary: valid }, { weight: 3, arbitrary: hostileParameter(name, targets) }), { freq: 2, nil: undefined }).map(
      (value) => (value === undefined ? [] : [[name, value] as [string, string]]),
    ),
  );
  const extra = fc.array(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'a[b]', 'limit', 'cursor', 'batchId', ''), hostileString()), { maxLength: 2 });
  return fc
    .tuple(fc.tuple(...own), sometimes(extra, 0.2), fc.nat(9), fc.nat(9))
    .map(([chosen, extras, repeat, raw]) => {
      const pairs = [...chosen.flat(), ...(extras ?? [])];
      if (repeat === 0 && pairs[0]) pairs.push(pairs[0]);
      if (pairs.length === 0) return { text: '', shape: '' };
      // Now and then as typed, unencoded (a stray `%`, `&` or `#` in a value).
      const encode = raw === 0 ? (s: string) => s.replace(/[^\x21-\x7e]/g, (c) => percentEncode(c)) : percentEncode;
      return {
        text: `?${pairs.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}`,
        shape: pairs.map(([k]) => k || '(empty)').join(','),
      };
    });
}

function hostileParameter(name: string, targets: FuzzTargets): fc.Arbitrary<string> {
  const { resources } = targets;
  const cursors = Object.values(resources.cursors);
  switch (name) {
    case 'limit':
      return fc.oneof(fc.constantFrom('', '0', '-1', '1.5', '1e2', '201', '101', '0x10', ' 1', 'abc', 'Infinity', 'NaN', '9'.repeat(400)), hostileString());
    case 'cursor':
      return fc.oneof(...cursors.map(editedCursor), hostileString(), fc.constant('a'.repeat(2_000)));
    default:
      return fc.oneof(
        fc.constantFrom(...Object.values(resources).filter((v): v is string => typeof v === 'string')),
        hostileString(),
        fc.constantFrom(201, 2_050).map((n) => `bat_${'a'.repeat(n)}`),
      );
  }
}

/**
 * A real cursor, changed as a curious client would: decoded (base64url JSON, maybe with a `.suffix`), a member added,
 * removed or changed, re-encoded with or without its suffix; or cut short, or lengthened.
 */
export function editedCursor(cursor: string): fc.Arbitrary<string> {
  const [body = '', ...suffix] = cursor.split('.');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    decoded = undefined;
  }
  const plain = fc.constantFrom(cursor.slice(0, -1), `${cursor}x`, cursor.slice(0, Math.floor(cursor.length / 2)), body, cursor.replace(/^./, 'A'));
  if (!isObject(decoded)) return plain;
  const edited = mutated(decoded).chain((value) =>
    fc.boolean().map((keepSuffix) => {
      const encoded = Buffer.from(jsonText(value)).toString('base64url');
      return keepSuffix && suffix.length > 0 ? [encoded, ...suffix].join('.') : encoded;
    }),
  );
  return fc.oneof(plain, edited);
}

function authorization(scope: RouteInput['scope'], keys: FuzzKeys): fc.Arbitrary<{ value?: string | string[]; shape: string }> {
  const bearer = (key: string) => `Bearer ${key}`;
  type Auth = { value?: string | string[]; shape: string };
  return fc.oneof<fc.WeightedArbitrary<Auth>[]>(
    // Mostly a key the route takes (either, for a read), so that most requests get past authentication.
    { weight: scope === 'operator' ? 2 : 14, arbitrary: fc.constant({ value: bearer(keys.agency), shape: 'agency' }) },
    { weight: { agency: 2, operator: 14, any: 4 }[scope], arbitrary: fc.constant({ value: bearer(keys.operator), shape: 'operator' }) },
    { weight: 1, arbitrary: fc.constantFrom(keys.otherAgency, keys.otherOperator).map((key) => ({ value: bearer(key), shape: 'other tenant' })) },
    { weight: 1, arbitrary: fc.constant({ shape: 'none' }) },
    {
      weight: 2,
      arbitrary: fc
        .oneof(
          fc.constantFrom(
            'Bearer',
            'Bearer ',
            'Basic YTpi',
            `bearer ${keys.agency}`,
            `Bearer ${keys.agency} extra`,
            `Bearer  ${keys.agency}\t`,
            keys.agency,
            `Bearer ${keys.agency.slice(0, -1)}`,
            `Bearer ${'a'.repeat(8_000)}`,
            `Bearer ${keys.agency},Bearer ${keys.operator}`,
          ),
          hostileString().map((s) => `Bearer icp_agency_${s}`),
        )
        .map((value) => ({ value: latin1(value), shape: 'odd' })),
    },
    { weight: 1, arbitrary: fc.constant({ value: [bearer(keys.operator), bearer(keys.agency)], shape: 'twice' }) },
  );
}

function idempotencyKey(): fc.Arbitrary<string> {
  return fc.oneof(fc.uuid(), fc.constant(''), fc.constantFrom(255, 256, 2_030).map((n) => 'k'.repeat(n)), hostileString());
}

/** Headers no route reads, some large (together within API Gateway's budget), some with UTF-8 or odd values. */
function extraHeaders(): fc.Arbitrary<{ headers: Record<string, string>; shape: string }> {
  const header = fc.oneof(
    fc.constantFrom<[string, string]>(
      ['content-encoding', 'gzip'],
      ['accept', 'application/xml'],
      ['accept-language', '*;q=0'],
      ['x-forwarded-for', '::1, 10.0.0.1, evil'],
      ['cookie', '__proto__=1; constructor=2'],
      ['x-amzn-trace-id', 'Root=garbage'],
      ['x-http-method-override', 'DELETE'],
    ),
    fc.tuple(fc.constantFrom('x-fuzz', 'x-a', 'x-proto', 'user-agent', 'referer'), hostileString()),
    fc.constantFrom(1_000, 6_000).map((n): [string, string] => ['x-large', 'v'.repeat(n)]),
  );
  return sometimes(fc.array(header, { minLength: 1, maxLength: 3 }), 0.25).map((pairs = []) => ({
    headers: Object.fromEntries(pairs.map(([k, v]) => [k, latin1(v)])),
    shape: pairs.length > 0 ? `headers:${pairs.map(([k]) => k).join(',')}` : '',
  }));
}

/**
 * Fits the request line and headers in API Gateway's budget: a target (path and query) longer than most of it is cut
 * (percent-encoded text grows up to nine times), then extra headers are dropped.
 */
function fitted(request: FuzzRequest): FuzzRequest {
  const target = request.target.length > MAX_TARGET ? request.target.slice(0, MAX_TARGET).replace(/%[0-9A-Fa-f]?$/, '') : request.target;
  const size = (headers: FuzzRequest['headers']) =>
    request.method.length + target.length + Object.entries(headers).reduce((n, [k, v]) => n + k.length + String(v).length + 4, 0);
  const headers = { ...request.headers };
  for (const name of Object.keys(headers)) {
    if (size(headers) <= HEADER_BUDGET) break;
    if (name !== 'authorization' && name !== 'content-type') delete headers[name];
  }
  if (size(headers) > HEADER_BUDGET && typeof headers.authorization === 'string') headers.authorization = 'Bearer x';
  return { ...request, target, headers };
}

/** Percent-encodes the UTF-8 bytes of `s` but for unreserved characters (a lone surrogate becomes U+FFFD). */
export function percentEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * A header value as Node sends it: UTF-8 text as its bytes (each a Latin-1 character), and the characters HTTP does not
 * allow in a value (controls but tab) replaced, since no client could send them.
 */
function latin1(value: string): string {
  return Buffer.from(value, 'utf8').toString('latin1').replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');
}

/** `arbitrary`'s value in about `share` of the cases, else undefined. */
function sometimes<T>(arbitrary: fc.Arbitrary<T>, share: number): fc.Arbitrary<T | undefined> {
  const weight = Math.round(share * 100);
  return fc.oneof({ weight, arbitrary }, { weight: 100 - weight, arbitrary: fc.constant(undefined) });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
