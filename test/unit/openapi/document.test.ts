import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, methodAndPath, operationMismatches, type OpenApiDocument } from '../../../infra/openapi/document.ts';
import { OPENAPI_FILE, openApiText } from '../../../infra/openapi/main.ts';
import { OPERATIONS } from '../../../infra/openapi/operations.ts';
import { HTTP_ROUTES } from '../../../infra/stacks/catalog.ts';
import { contractViolation } from '../../support/contract.ts';

// Prepare (once for the file): the committed document, which the API serves, and the one the code makes now.
const committedText = readFileSync(OPENAPI_FILE, 'utf8');
const committed = JSON.parse(committedText) as OpenApiDocument;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

describe('openapi.json', () => {
  it('is what npm run openapi writes from the code now', () => {
    // Act
    const generated = openApiText();

    // Assess
    expect(committedText === generated, 'openapi.json is not what the code describes: run npm run openapi and commit openapi.json').toBe(true);
  });

  it('has an operation for every route of the catalogue (its id the operationId), and no other', () => {
    // Act
    const catalogued = HTTP_ROUTES.filter((r) => r.routeKey !== '$default').map((r) => `${r.routeKey} ${r.id}`);
    const documented = Object.entries(committed.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`),
    );
    const missing = catalogued.filter((r) => !documented.includes(r)).map((r) => `${r} is a route (infra/stacks/catalog.ts) but not in openapi.json: describe it in infra/openapi/operations.ts, then npm run openapi`);
    const extra = documented.filter((o) => !catalogued.includes(o)).map((o) => `${o} is in openapi.json but not a route of infra/stacks/catalog.ts`);

    // Assess
    expect([...missing, ...extra]).toEqual([]);
    expect(documented.length).toBe(catalogued.length);
  });

  it('validates as OpenAPI 3.1 against the specification\'s own schema', async () => {
    // Act
    const result = await new Validator().validate(structuredClone(committed));

    // Assess
    expect(result).toEqual({ valid: true });
  });

  it('has schemas that are JSON Schema 2020-12, each compiling with its references resolved', () => {
    // Prepare: ajv in strict mode, which also refuses keywords it does not know
    const ajv = new Ajv2020({ strict: true });
    (addFormats as unknown as (ajv: Ajv2020) => void)(ajv);
    ajv.addKeyword('components');
    const base = 'https://icp-cancel.dev/openapi.json';

    // Act
    const invalid = Object.entries(committed.components.schemas).filter(([, schema]) => !ajv.validateSchema(schema)).map(([name]) => name);
    ajv.addSchema({ $id: base, components: { schemas: committed.components.schemas } });
    const compiled = Object.keys(committed.components.schemas).filter((name) => ajv.getSchema(`${base}#/components/schemas/${name}`) !== undefined);

    // Assess
    expect(invalid).toEqual([]);
    expect(compiled).toEqual(Object.keys(committed.components.schemas));
  });

  it('says who may call each operation: the agency or operator key the handler requires, either for reads, none for the document', () => {
    // Act
    const security = Object.fromEntries(
      Object.entries(committed.paths).flatMap(([path, item]) =>
        Object.entries(item).map(([method, operation]) => [`${method.toUpperCase()} ${path}`, operation.security.flatMap((s) => Object.keys(s)).join('|') || 'none']),
      ),
    );

    // Assess: spot checks of each kind, and every GET but the document and the key list takes both keys (a tenant's
    // keys are its agency keys' business: an operator key lists none)
    expect(security['POST /v1/applications']).toBe('agencyKey');
    expect(security['POST /v1/reviews/{id}/decision']).toBe('operatorKey');
    expect(security['GET /v1/applications/{id}']).toBe('agencyKey|operatorKey');
    expect(security['GET /v1/openapi.json']).toBe('none');
    expect(security['GET /v1/api-keys']).toBe('agencyKey');
    expect(
      Object.entries(security).filter(([key, value]) => key.startsWith('GET ') && !['GET /v1/openapi.json', 'GET /v1/api-keys'].includes(key) && value !== 'agencyKey|operatorKey'),
    ).toEqual([]);
    expect(Object.keys(committed.components.securitySchemes as object).sort()).toEqual(['agencyKey', 'operatorKey']);
  });

  it("answers problem+json for every refusal but API Gateway's own throttle, and 401 for every operation that needs a key", () => {
    // Act
    const refusals = Object.entries(committed.paths).flatMap(([path, item]) =>
      Object.entries(item).flatMap(([method, operation]) =>
        Object.entries(operation.responses)
          .filter(([status]) => Number(status) >= 400)
          .map(([status, response]) => {
            const resolved = '$ref' in response ? (committed.components.responses as Record<string, typeof response>)[response.$ref.split('/').pop() ?? ''] : response;
            return { operation: `${method.toUpperCase()} ${path} ${status}`, types: Object.keys((resolved as { content?: object })?.content ?? {}) };
          }),
      ),
    );
    const needingKeys = Object.values(committed.paths).flatMap((item) => Object.values(item)).filter((o) => o.security.length > 0);

    // Assess
    expect(refusals.filter((r) => !r.types.includes('application/problem+json') && !r.operation.endsWith(' 429'))).toEqual([]);
    expect(refusals.filter((r) => r.operation.endsWith(' 429')).length).toBe(Object.values(committed.paths).flatMap((item) => Object.values(item)).length);
    expect(needingKeys.filter((o) => !('401' in o.responses)).map((o) => o.operationId)).toEqual([]);
  });

  it('gives every event type a webhook with its payload and the Standard Webhooks headers', () => {
    // Act
    const webhooks = committed.webhooks as Record<string, { post: { parameters: { name: string }[]; requestBody: { content: Record<string, { schema: { $ref: string } }> } } }>;

    // Assess
    expect(Object.keys(webhooks)).toContain('application.verification_required');
    expect(Object.keys(webhooks)).toContain('batch.completed');
    for (const [type, { post }] of Object.entries(webhooks)) {
      expect(post.parameters.map((p) => p.name), type).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
      const name = post.requestBody.content['application/json']?.schema.$ref.split('/').pop() ?? '';
      expect(committed.components.schemas[name], type).toBeDefined();
    }
  });

  it('names its schemas after what they are, for the types a generated client takes from them', () => {
    // Assess
    expect(Object.keys(committed.components.schemas)).toEqual(
      expect.arrayContaining(['Application', 'ApplicationDetail', 'ApplicationInput', 'Batch', 'Problem', 'WebhookEndpoint', 'WebhookDelivery', 'FilingRecord', 'ApplicationRejectedEvent']),
    );
    // A component is a part of the document, not a document: no $schema or $id of its own
    expect(Object.entries(committed.components.schemas).filter(([, schema]) => '$schema' in schema || '$id' in schema).map(([name]) => name)).toEqual([]);
  });
});

describe('operationMismatches', () => {
  it('tells a new route what it lacks, and a described route that is gone, in words that say what to do', () => {
    // Prepare
    const routes = [...HTTP_ROUTES.filter((r) => r.routeKey !== 'GET /v1/batches'), { routeKey: 'GET /v1/invoices' as const, id: 'ListInvoices' }];

    // Act
    const mismatches = operationMismatches(routes, OPERATIONS);

    // Assess
    expect(mismatches).toEqual([
      'GET /v1/invoices (ListInvoices) has no entry in infra/openapi/operations.ts: add one (its summary, auth, body, query and answers, with their schemas in shared/api/), then run npm run openapi',
      'infra/openapi/operations.ts describes GET /v1/batches, which is not a route of HTTP_ROUTES (infra/stacks/catalog.ts): remove it or add the route',
    ]);
    expect(() => buildOpenApiDocument(routes as typeof HTTP_ROUTES)).toThrow('GET /v1/invoices (ListInvoices) has no entry');
  });
});

describe('the examples', () => {
  /** Every example of the document, with the schema and the way the contract check reads it. */
  function examples(document: OpenApiDocument) {
    const found: { where: string; method: string; path: string; status?: number; mediaType: string; value: unknown }[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const body = (operation.requestBody as { content: Record<string, { examples?: Record<string, { value: unknown }> }> } | undefined)?.content;
        for (const [mediaType, media] of Object.entries(body ?? {})) {
          for (const [name, { value }] of Object.entries(media.examples ?? {})) found.push({ where: `${operation.operationId} request ${name}`, method, path, mediaType, value });
        }
        for (const [status, response] of Object.entries(operation.responses)) {
          for (const [mediaType, media] of Object.entries(('content' in response ? response.content : undefined) ?? {})) {
            for (const [name, { value }] of Object.entries((media.examples ?? {}) as Record<string, { value: unknown }>)) {
              found.push({ where: `${operation.operationId} ${status} ${name}`, method, path, status: Number(status), mediaType, value });
            }
          }
        }
      }
    }
    return found;
  }

  it('of answers match the schemas of their operation and status (checked as the system tests check answers)', () => {
    // Act
    const answers = examples(committed).filter((e) => e.status !== undefined);
    const violations = answers.flatMap((e) => contractViolation({ method: e.method, path: e.path.replace(/\{\w+\}/g, 'x'), status: e.status as number, contentType: e.mediaType, body: e.value }) ?? []);

    // Assess
    expect(answers.length).toBeGreaterThanOrEqual(9);
    expect(violations).toEqual([]);
  });

  it('of webhook payloads are events as the outbox schema reads them', async () => {
    // Prepare
    const { EVENT_SCHEMAS } = await import('../../../infra/openapi/components.ts');
    const { safeParse } = await import('../../../shared/zod.ts');
    const payloads = Object.entries(committed.webhooks as Record<string, { post: { requestBody: { content: Record<string, { examples?: Record<string, { value: unknown }> }> } } }>).flatMap(
      ([type, { post }]) => Object.values(post.requestBody.content['application/json']?.examples ?? {}).map(({ value }) => ({ type, value })),
    );

    // Act
    const refused = payloads.filter(({ type, value }) => !safeParse(EVENT_SCHEMAS[type as keyof typeof EVENT_SCHEMAS], value).success).map((p) => p.type);

    // Assess
    expect(payloads.map((p) => p.type).sort()).toEqual(['application.rejected', 'batch.completed']);
    expect(refused).toEqual([]);
  });

  it('of request bodies are accepted by the zod schemas of their bodies', async () => {
    // Prepare
    const { COMPONENTS } = await import('../../../infra/openapi/components.ts');
    const { OPERATIONS: operations } = await import('../../../infra/openapi/operations.ts');
    const bodies = Object.entries(operations).flatMap(([routeKey, spec]) =>
      Object.entries(spec.body?.examples ?? {}).map(([name, { value }]) => ({ where: `${routeKey} ${name}`, schema: COMPONENTS[spec.body?.schema ?? '']?.schema, value })),
    );

    // Act
    const { safeParse } = await import('../../../shared/zod.ts');
    const refused = bodies.filter((b) => !b.schema || !safeParse(b.schema, b.value).success).map((b) => b.where);

    // Assess
    expect(bodies.length).toBeGreaterThanOrEqual(8);
    expect(refused).toEqual([]);
    expect(methodAndPath('POST /v1/applications')).toEqual(['post', '/v1/applications']);
  });
});
