import { readFileSync } from 'node:fs';
import { MAX_JSON_DEPTH, MAX_PATH_PARAMETER_LENGTH, MAX_IDEMPOTENCY_KEY_LENGTH } from '../../shared/http/api-gateway.ts';
import * as z from '../../shared/zod.ts';
import { HTTP_ROUTES, type HttpRouteSpec } from '../stacks/catalog.ts';
import { COMPONENTS } from './components.ts';
import * as example from './examples.ts';
import { type JsonSchema, OPERATIONS, type OperationSpec, TAGS } from './operations.ts';
import { webhooks } from './webhooks.ts';

/**
 * The API's OpenAPI 3.1 document, built from the route catalogue (`HTTP_ROUTES`: every route but `$default`, with its
 * `id` as the operationId), what `operations.ts` says of each route, and the zod schemas the handlers parse requests
 * with and `shared/api/` describes answers with, converted by zod's own JSON Schema 2020-12 generator. `npm run openapi`
 * writes it to `openapi.json`, which `GET /v1/openapi.json` serves; a test keeps the file equal to this.
 */

export type OpenApiDocument = {
  openapi: '3.1.0';
  info: Record<string, unknown>;
  paths: Record<string, Record<string, OperationObject>>;
  webhooks: Record<string, unknown>;
  components: { schemas: Record<string, JsonSchema>; [key: string]: unknown };
  [key: string]: unknown;
};

export interface OperationObject {
  operationId: string;
  security: Record<string, string[]>[];
  responses: Record<string, ResponseObject | { $ref: string }>;
  [key: string]: unknown;
}

export interface ResponseObject {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema: JsonSchema; examples?: Record<string, unknown> }>;
}

/** `POST /v1/applications/{id}/submit` → `['post', '/v1/applications/{id}/submit']`. */
export function methodAndPath(routeKey: string): [string, string] {
  const [method = '', path = ''] = routeKey.split(' ');
  return [method.toLowerCase(), path];
}

/**
 * The catalogue's routes that `operations` does not describe, and the descriptions of routes it does not have, as
 * sentences that say what to do; empty when they match.
 */
export function operationMismatches(routes: readonly Pick<HttpRouteSpec, 'routeKey' | 'id'>[], operations: Readonly<Record<string, unknown>>): string[] {
  const keys: string[] = routes.map((r) => r.routeKey).filter((key) => key !== '$default');
  return [
    ...routes
      .filter((r) => r.routeKey !== '$default' && !(r.routeKey in operations))
      .map((r) => `${r.routeKey} (${r.id}) has no entry in infra/openapi/operations.ts: add one (its summary, auth, body, query and answers, with their schemas in shared/api/), then run npm run openapi`),
    ...Object.keys(operations)
      .filter((key) => !keys.includes(key))
      .map((key) => `infra/openapi/operations.ts describes ${key}, which is not a route of HTTP_ROUTES (infra/stacks/catalog.ts): remove it or add the route`),
  ];
}

export function buildOpenApiDocument(routes: readonly HttpRouteSpec[] = HTTP_ROUTES, operations: Readonly<Record<string, OperationSpec>> = OPERATIONS): OpenApiDocument {
  const mismatches = operationMismatches(routes, operations);
  if (mismatches.length > 0) throw new Error(`The OpenAPI document cannot be built:\n- ${mismatches.join('\n- ')}`);
  const schemas = componentSchemas();
  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    if (route.routeKey === '$default') continue;
    const [method, path] = methodAndPath(route.routeKey);
    paths[path] ??= {};
    (paths[path] as Record<string, OperationObject>)[method] = operationObject(route, operations[route.routeKey] as OperationSpec, schemas);
  }
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'icp-cancel',
      version,
      summary: 'Cancellations of Chinese ICP filings (ICP备案注销) for agencies, with signed webhooks.',
      description: INFO,
    },
    servers: [
      { url: 'http://localhost:3000', description: 'The local runtime (`npm start`).' },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: 'A deployment: the `ApiUrl` output of the IcpCancelService stack.',
        variables: { apiId: { default: 'abcdef1234', description: 'The HTTP API\'s id.' }, region: { default: 'ap-east-1' } },
      },
    ],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    webhooks: webhooks(),
    components: {
      schemas,
      securitySchemes: {
        agencyKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'icp_agency_<43 characters>',
          description: 'An agency key: creates, uploads, submits, resubmits, withdraws, imports, manages webhooks and batches, and reads.',
        },
        operatorKey: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'icp_operator_<43 characters>',
          description: 'An operator key: records the authority\'s decisions and SMS notices, and reads.',
        },
      },
      responses: sharedResponses(),
      headers: {
        Location: { description: 'The path of what was created.', schema: { type: 'string' } },
        IdempotentReplayed: {
          description: '`true` when an earlier request with the same `Idempotency-Key` and body made this; absent otherwise.',
          schema: { type: 'string', enum: ['true'] },
        },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'Makes the request safe to repeat (kept 7 days): the same key with the same body answers what the first made, with `Idempotent-Replayed: true`; with another body, 409.',
          schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, pattern: '^[\\x20-\\x7e]+$' },
        },
      },
    },
  };
}

const INFO = `Every request carries \`Authorization: Bearer <API key>\` (but \`GET /v1/openapi.json\`). Keys belong to a tenant (an agency) and have a scope: \`agency\` keys create and manage, \`operator\` keys record the authority's decisions; both read. Another tenant's record answers as a missing one does (404).

Every error is [RFC 9457](https://www.rfc-editor.org/rfc/rfc9457) \`application/problem+json\` (the \`Problem\` schema): \`status\` is the HTTP status, \`errors\` lists each field's problem with its rule (\`code\`) and a hint, and a 409 about a record's state names it (\`applicationStatus\`, \`batchStatus\`, \`evidenceStatus\`). A refused request changes nothing. Any method and path not listed here answers 404 problem+json (\`no_route\`), without a key. An id over ${MAX_PATH_PARAMETER_LENGTH} characters is a 404, a JSON body nested over ${MAX_JSON_DEPTH} levels a 400 (\`too_deep\`). API Gateway answers some refusals itself, as \`{"message": …}\` (\`GatewayMessage\`) instead: a body over 10 MiB or an event over Lambda's 6 MiB (413), its throttle (429), a function that failed or timed out (500).

Lists are pages, newest first: send \`nextCursor\` back unchanged as \`cursor\` while there is one.`;

/** The component schemas: every schema of `COMPONENTS`, each written once; a named schema inside another is a `$ref`. */
function componentSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [name, { schema }] of Object.entries(COMPONENTS)) {
    const taken = registry.get(schema);
    if (taken) throw new Error(`COMPONENTS names one schema twice: ${taken.id} and ${name}`);
    registry.add(schema, { id: name });
  }
  // `input`: what a client sends (and, for answers, which transform nothing, what the API sends); a schema zod
  // cannot express in JSON Schema fails the build rather than becoming `{}`.
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', io: 'input', unrepresentable: 'throw', uri: (id) => `#/components/schemas/${id}` });
  return Object.fromEntries(
    Object.entries(COMPONENTS).map(([name, { description }]) => {
      // Each comes as a document of its own; inside the OpenAPI document it is a part, under the document's dialect.
      const { $schema: _schema, $id: _id, ...schema } = schemas[name] as JsonSchema;
      return [name, description === undefined || 'description' in schema ? schema : { description, ...schema }];
    }),
  );
}

const ref = (name: string, schemas: Record<string, JsonSchema>): JsonSchema => {
  if (!(name in schemas)) throw new Error(`No component schema ${name}: name it in infra/openapi/components.ts`);
  return { $ref: `#/components/schemas/${name}` };
};

/** What the id of a path names, by the collection it is in. */
const PATH_IDS: Record<string, string> = {
  applications: 'The application\'s id (`app_…`).',
  reviews: 'The id of the application under review (`app_…`).',
  'webhook-endpoints': 'The endpoint\'s id (`we_…`).',
  'webhook-deliveries': 'The delivery\'s id (`dlv_…`).',
  batches: 'The batch\'s id (`bat_…`).',
  'batch-evidence': 'The shared evidence\'s id (`ev_…`).',
  'filing-registry': 'A filing number (`京ICP备10046444号-9`), as pasted or URL-encoded.',
  'api-keys': 'The API key\'s id (`key_…`), never the key.',
};

function operationObject(route: HttpRouteSpec, spec: OperationSpec, schemas: Record<string, JsonSchema>): OperationObject {
  const [, path] = methodAndPath(route.routeKey);
  const collection = /^\/v1\/([^/]+)/.exec(path)?.[1] ?? '';
  const pathParameters = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    description: `${PATH_IDS[collection] ?? 'The record\'s id.'} One longer than ${MAX_PATH_PARAMETER_LENGTH} characters names nothing (404).`,
    schema: { type: 'string', minLength: 1 },
  }));
  const queryParameters = Object.entries(spec.query ?? {}).map(([name, parameter]) => ({ name, in: 'query', required: false, ...parameter }));
  return {
    operationId: route.id,
    summary: spec.summary,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    tags: [spec.tag],
    security: SECURITY[spec.auth],
    ...(pathParameters.length + queryParameters.length > 0 || spec.idempotent
      ? { parameters: [...pathParameters, ...queryParameters, ...(spec.idempotent ? [{ $ref: '#/components/parameters/IdempotencyKey' }] : [])] }
      : {}),
    ...(spec.body ? { requestBody: requestBody(spec.body, schemas) } : {}),
    responses: responses(spec, pathParameters.length > 0, schemas),
  };
}

const SECURITY: Readonly<Record<OperationSpec['auth'], Record<string, string[]>[]>> = {
  agency: [{ agencyKey: [] }],
  operator: [{ operatorKey: [] }],
  any: [{ agencyKey: [] }, { operatorKey: [] }],
  public: [],
};

function requestBody(body: NonNullable<OperationSpec['body']>, schemas: Record<string, JsonSchema>) {
  const kib = body.maxBytes / 1024;
  const size = kib >= 1024 ? `${kib / 1024} MiB` : `${kib} KiB`;
  return {
    required: body.required,
    description: `At most ${size}${body.required ? '' : '; no body is the same as `{}`'}.`,
    content: {
      'application/json': { schema: ref(body.schema, schemas), ...(body.examples ? { examples: body.examples } : {}) },
      ...(body.csv ? { 'text/csv': { schema: { type: 'string', description: body.csv } } } : {}),
    },
  };
}

/**
 * The refusals many operations share, written once (`components.responses`) and referenced where an operation has
 * nothing of its own to add for that status.
 */
const SHARED_REFUSALS = {
  Unauthorized: [401, 'No API key, or one that is not known (or was revoked).'],
  AgencyScopeRequired: [403, 'The API key lacks the agency scope.'],
  OperatorScopeRequired: [403, 'The API key lacks the operator scope.'],
  NotFound: [404, `No such record, another tenant's (they look the same), or an id over ${MAX_PATH_PARAMETER_LENGTH} characters.`],
  PayloadTooLarge: [413, 'The body is too large: over this route\'s limit (problem+json), or over 10 MiB (API Gateway\'s `{"message"}`).'],
  UnsupportedMediaType: [415, 'The Content-Type is not application/json.'],
  TooManyRequests: [429, 'API Gateway\'s throttle of the stage (`{"message":"Too Many Requests"}`, not problem+json): retry with backoff.'],
  InternalError: [500, 'Something failed on our side (problem+json), or the function itself failed or timed out (API Gateway\'s `{"message":"Internal Server Error"}`); retry later.'],
  Unavailable: [503, 'DynamoDB or Step Functions is busy; retry.'],
} as const satisfies Record<string, readonly [number, string]>;
type SharedRefusal = keyof typeof SHARED_REFUSALS;

/** Refusals API Gateway makes itself, before or instead of a function: only its message (429), or either (413, 500). */
const GATEWAY_ONLY = new Set([429]);
const GATEWAY_TOO = new Set([413, 500]);

/** A refusal's answer: problem+json, API Gateway's own message, or either. */
function refusalAnswer(status: number, description: string, examples?: Record<string, unknown>): ResponseObject {
  const gateway = { 'application/json': { schema: { $ref: '#/components/schemas/GatewayMessage' } } };
  return {
    description,
    content: GATEWAY_ONLY.has(status)
      ? gateway
      : {
          'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' }, ...(examples ? { examples } : {}) },
          ...(GATEWAY_TOO.has(status) ? gateway : {}),
        },
  };
}

function sharedResponses(): Record<string, ResponseObject> {
  return Object.fromEntries(Object.entries(SHARED_REFUSALS).map(([name, [status, why]]) => [name, refusalAnswer(status, why)]));
}

/** The operation's successes, its own refusals and those it shares with every route of its kind, by status. */
function responses(spec: OperationSpec, namesRecord: boolean, schemas: Record<string, JsonSchema>): OperationObject['responses'] {
  const refusals = new Map<number, { why: string; shared?: SharedRefusal }[]>();
  const refuse = (status: number, why: string, shared?: SharedRefusal) =>
    refusals.set(status, [...(refusals.get(status) ?? []), shared ? { why, shared } : { why }]);
  const refuseShared = (name: SharedRefusal) => refuse(SHARED_REFUSALS[name][0], SHARED_REFUSALS[name][1], name);
  for (const [status, why] of Object.entries(spec.refusals ?? {})) refuse(Number(status), why);
  if (spec.body) {
    refuse(400, `The body is not JSON, is nested over ${MAX_JSON_DEPTH} levels, or does not match the schema (\`errors\` names each field).`);
    refuseShared('PayloadTooLarge');
    if (spec.body.csv) refuse(415, 'The Content-Type is neither application/json nor text/csv.');
    else refuseShared('UnsupportedMediaType');
  }
  if (spec.idempotent) {
    refuse(400, `The Idempotency-Key is empty, over ${MAX_IDEMPOTENCY_KEY_LENGTH} characters, or not printable ASCII.`);
    refuse(409, 'The Idempotency-Key was used with another body.');
  }
  if (namesRecord) refuseShared('NotFound');
  if (spec.auth === 'agency') refuseShared('AgencyScopeRequired');
  if (spec.auth === 'operator') refuseShared('OperatorScopeRequired');
  if (spec.auth !== 'public') {
    refuseShared('Unauthorized');
    refuseShared('Unavailable');
  }
  // Every route: the stage's throttle, and a function that fails.
  refuseShared('TooManyRequests');
  refuseShared('InternalError');

  const answers: OperationObject['responses'] = {};
  for (const [status, success] of Object.entries(spec.success)) {
    const schema = typeof success.schema === 'string' ? ref(success.schema, schemas) : success.schema;
    answers[status] = {
      description: success.description,
      ...(success.headers ? { headers: success.headers } : {}),
      ...(schema ? { content: { 'application/json': { schema, ...(success.examples ? { examples: success.examples } : {}) } } } : {}),
    };
  }
  for (const [status, reasons] of refusals) {
    const [only] = reasons;
    if (reasons.length === 1 && only?.shared) {
      answers[String(status)] = { $ref: `#/components/responses/${only.shared}` };
      continue;
    }
    const description = reasons.length === 1 ? (only?.why ?? '') : reasons.map((r) => `- ${r.why}`).join('\n');
    const examples = status === 400 && spec.body?.schema === 'ApplicationInput' ? { invalid: { summary: 'A subject type that does not exist', value: example.validationProblem } } : undefined;
    answers[String(status)] = refusalAnswer(status, description, examples);
  }
  return Object.fromEntries(Object.entries(answers).sort(([a], [b]) => a.localeCompare(b)));
}
