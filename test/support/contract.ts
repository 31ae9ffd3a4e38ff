import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { OpenApiDocument, OperationObject, ResponseObject } from '../../infra/openapi/document.ts';

/**
 * The API's contract, checked on what it answers: the answer to a request is matched to its operation of the OpenAPI
 * document (by method and path), and its status, content type and body must be what the document says for that
 * status. `apiClient` checks every answer it receives, so every system test checks the contract of what it calls. The
 * document is the one the API publishes, `openapi.json` (read in milliseconds, where building it would take most of a
 * second in every test file); a unit test keeps it equal to what the generator makes of the code now, and says to run
 * `npm run openapi` when it is not.
 */
const OPENAPI_FILE = new URL('../../openapi.json', import.meta.url);

/** One answer, as a client saw it. */
export interface ContractAnswer {
  method: string;
  /** The request's path, with its query if any. */
  path: string;
  status: number;
  /** The `Content-Type` header, if any. */
  contentType: string | null;
  /** The body parsed as JSON; undefined when it was empty. */
  body: unknown;
  /** The API key sent, if any: a 2xx to a key of a scope the operation does not take breaks the contract too. */
  key?: string;
}

/** The JSON Schema 2020-12 validator of the document's schemas; `$ref`s resolve inside the document. */
const BASE = 'https://icp-cancel.dev/openapi.json';
// ajv-formats is CommonJS with its function as `default`; under ESM its namespace's default is that object.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

interface Contract {
  document: OpenApiDocument;
  operations: { method: string; pattern: RegExp; template: string; operation: OperationObject }[];
  ajv: Ajv2020;
  validators: Map<string, ValidateFunction>;
}

let contract: Contract | undefined;

function loadContract(): Contract {
  if (contract) return contract;
  const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as OpenApiDocument;
  // The schemas themselves are checked against the JSON Schema meta-schema once, by the document's unit test.
  const ajv = new Ajv2020({ strict: true, allErrors: true, validateSchema: false });
  addFormats(ajv);
  ajv.addKeyword('components');
  ajv.addSchema({ $id: BASE, components: { schemas: document.components.schemas } });
  const operations = Object.entries(document.paths).flatMap(([template, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      method: method.toUpperCase(),
      // A path parameter is one segment (encoded as a client sends it).
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
      template,
      operation,
    })),
  );
  contract = { document, operations, ajv, validators: new Map() };
  return contract;
}

/** The document's operation for a request, or undefined for one the API's `$default` route answers. */
export function operationFor(method: string, path: string): { template: string; operation: OperationObject } | undefined {
  const bare = path.split('?')[0] ?? '';
  return loadContract().operations.find((o) => o.method === method.toUpperCase() && o.pattern.test(bare));
}

/** What the answer breaks of the contract, as a message that says where to look; undefined when it keeps it. */
export function contractViolation(answer: ContractAnswer): string | undefined {
  const { document } = loadContract();
  const request = `${answer.method.toUpperCase()} ${answer.path}`;
  const found = operationFor(answer.method, answer.path);
  const mediaType = answer.contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  const where = (what: string) =>
    `${request} answered ${answer.status} ${mediaType || '(no content type)'}, which breaks the API's contract: ${what}\n` +
    `  body: ${excerpt(answer.body)}\n` +
    '  Fix the document where the code is right (shared/api/, infra/openapi/operations.ts, then npm run openapi), the code where it is wrong.';

  if (!found) {
    // No operation: the `$default` route, whose one answer is a 404 problem.
    if (answer.status !== 404 || mediaType !== 'application/problem+json') return where('no operation of openapi.json is this method and path, and only the $default route\'s 404 problem+json may answer it');
    return schemaViolation('$default', { $ref: '#/components/schemas/Problem' }, answer.body, where);
  }
  const { operation, template } = found;
  const name = `${operation.operationId} (${answer.method.toUpperCase()} ${template})`;
  const documented = Object.keys(operation.responses);
  const entry = operation.responses[String(answer.status)];
  if (!entry) return where(`${name} documents ${documented.join(', ')}, not ${answer.status}`);
  const response = resolveResponse(document, entry);

  if (answer.status < 300 && answer.key) {
    const scheme = /^icp_(agency|operator)_/.exec(answer.key)?.[1];
    const allowed = operation.security.flatMap((s) => Object.keys(s));
    if (scheme && allowed.length > 0 && !allowed.includes(`${scheme}Key`)) {
      return where(`${name} takes ${allowed.join(' or ')}, yet it succeeded with an ${scheme} key`);
    }
  }
  if (!response.content) {
    return answer.body === undefined ? undefined : where(`${name} documents no body for ${answer.status}`);
  }
  const media = response.content[mediaType];
  if (!media) return where(`${name} answers ${answer.status} as ${Object.keys(response.content).join(' or ')}`);
  return schemaViolation(`${operation.operationId} ${answer.status} ${mediaType}`, media.schema, answer.body, where);
}

/**
 * What a webhook delivery breaks of the document's `webhooks`: its event type must be one, its body match that event's
 * schema, and it must carry the Standard Webhooks headers as described. Undefined when it keeps the contract.
 */
export function webhookContractViolation(headers: Record<string, string | string[] | undefined>, body: unknown): string | undefined {
  const { document } = loadContract();
  const type = (body as { type?: unknown } | null)?.type;
  const where = (what: string) =>
    `A webhook delivery of ${JSON.stringify(type)} breaks the API's contract: ${what}\n  body: ${excerpt(body)}\n` +
    '  Fix the document where the code is right (infra/openapi/webhooks.ts, components.ts, then npm run openapi), the code where it is wrong.';
  const webhooks = document.webhooks as Record<string, { post: WebhookOperation }>;
  const operation = typeof type === 'string' ? webhooks[type]?.post : undefined;
  if (!operation) return where(`openapi.json's webhooks are ${Object.keys(webhooks).join(', ')}`);
  for (const parameter of operation.parameters) {
    const value = headers[parameter.name];
    if (typeof value !== 'string') return where(`the header ${parameter.name} is missing`);
    const violation = schemaViolation(`webhook header ${parameter.name}`, parameter.schema, value, where, `header ${parameter.name}`);
    if (violation) return violation;
  }
  const schema = operation.requestBody.content['application/json']?.schema;
  if (!schema) return where('its operation has no application/json body');
  return schemaViolation(`webhook ${type as string}`, schema, body, where);
}

interface WebhookOperation {
  parameters: { name: string; schema: Record<string, unknown> }[];
  requestBody: { content: Record<string, { schema: Record<string, unknown> }> };
}

/** Throws an Error with the violation's message, if any. */
export function assertContract(answer: ContractAnswer): void {
  const violation = contractViolation(answer);
  if (violation) throw new Error(violation);
}

function resolveResponse(document: OpenApiDocument, entry: ResponseObject | { $ref: string }): ResponseObject {
  if (!('$ref' in entry)) return entry;
  const name = entry.$ref.replace('#/components/responses/', '');
  const shared = (document.components.responses as Record<string, ResponseObject> | undefined)?.[name];
  if (!shared) throw new Error(`openapi.json refers to a response it does not have: ${entry.$ref}`);
  return shared;
}

function schemaViolation(key: string, schema: Record<string, unknown>, body: unknown, where: (what: string) => string, subject = 'body'): string | undefined {
  const { ajv, validators } = loadContract();
  let validate = validators.get(key);
  if (!validate) {
    // The schemas' `$ref`s point into the document (`#/components/schemas/…`): resolve them against its base.
    const rebased = JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${BASE}#/components/`)) as Record<string, unknown>;
    validate = ajv.compile(rebased);
    validators.set(key, validate);
  }
  if (validate(body)) return undefined;
  return where(`the ${subject} does not match its schema:\n${formatErrors(validate.errors ?? [], subject)}`);
}

function formatErrors(errors: ErrorObject[], subject: string): string {
  return errors
    .slice(0, 12)
    .map((e) => {
      const extra = 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : 'allowedValues' in e.params ? ` (${JSON.stringify(e.params.allowedValues)})` : '';
      return `    ${e.instancePath || `(${subject})`} ${e.message ?? e.keyword}${extra}`;
    })
    .join('\n');
}

function excerpt(body: unknown): string {
  if (body === undefined) return '(none)';
  const text = JSON.stringify(body);
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

