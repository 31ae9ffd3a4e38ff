import { request as httpRequest, type RequestOptions } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type HttpApi, startHttpApi } from '../../../../infra/local/engines/http-api-local.ts';
import { RouteKeyError, RouteTable } from '../../../../infra/local/engines/http-api-routes.ts';

// The crash test logs on purpose.
process.env.LOG_LEVEL = 'SILENT';

const MAX_BODY_BYTES = 1024;

describe('local HTTP API', () => {
  let api: HttpApi;
  const events: APIGatewayProxyEventV2[] = [];
  const record =
    (answer: (event: APIGatewayProxyEventV2) => unknown = () => ({ statusCode: 204 })) =>
    async (event: APIGatewayProxyEventV2) => {
      events.push(event);
      return answer(event);
    };

  beforeAll(async () => {
    api = await startHttpApi({
      maxBodyBytes: MAX_BODY_BYTES,
      routes: [
        { routeKey: 'POST /v1/applications/{id}/submit', invoke: record() },
        { routeKey: 'GET /v1/applications/{id}', invoke: record() },
        { routeKey: 'GET /v1/applications/latest', invoke: record() },
        { routeKey: 'ANY /v1/files/{proxy+}', invoke: record() },
        { routeKey: 'PUT /v1/files/{proxy+}', invoke: record() },
        { routeKey: 'POST /v1/uploads', invoke: record() },
        {
          routeKey: 'GET /v1/report',
          invoke: record(() => ({
            statusCode: 200,
            headers: { 'Content-Type': 'application/pdf', 'X-Rows': 3 },
            cookies: ['a=1; Path=/', 'b=2'],
            body: Buffer.from([0, 1, 2, 255]).toString('base64'),
            isBase64Encoded: true,
          })),
        },
        { routeKey: 'GET /v1/plain', invoke: record(() => ({ ok: true, items: [1, 2] })) },
        {
          routeKey: 'GET /v1/crash',
          invoke: record(() => {
            throw new Error('boom: secret detail');
          }),
        },
      ],
    });
  });
  afterEach(() => {
    events.length = 0;
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('routes by method and path template and builds a payload 2.0 event', async () => {
    // Prepare
    const url = `${api.url}/v1/applications/app%2042/submit?dryRun=true&tag=a&tag=b`;

    // Act
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Trace': 'one',
        'User-Agent': 'tests/1.0',
        Cookie: 'c1=v1; c2=v2',
      },
      body: JSON.stringify({ confirm: true }),
    });

    // Assess
    expect(response.status).toBe(204);
    expect(response.headers.get('apigw-requestid')).toMatch(/^[A-Za-z0-9+/]{14}[A-Za-z0-9+/=]{2}$/);
    const [event] = events;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /v1/applications/{id}/submit',
      rawPath: '/v1/applications/app%2042/submit',
      rawQueryString: 'dryRun=true&tag=a&tag=b',
      cookies: ['c1=v1', 'c2=v2'],
      queryStringParameters: { dryRun: 'true', tag: 'a,b' },
      pathParameters: { id: 'app 42' },
      body: '{"confirm":true}',
      isBase64Encoded: false,
      requestContext: {
        accountId: expect.any(String),
        apiId: expect.any(String),
        http: {
          method: 'POST',
          path: '/v1/applications/app%2042/submit',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'tests/1.0',
        },
        requestId: response.headers.get('apigw-requestid'),
        routeKey: 'POST /v1/applications/{id}/submit',
        stage: '$default',
        time: expect.stringMatching(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/),
        timeEpoch: expect.any(Number),
      },
    });
    expect(event?.headers).toMatchObject({ 'content-type': 'application/json', 'x-trace': 'one' });
    expect(event?.headers.cookie).toBeUndefined();
    expect(event?.requestContext.domainName).toBe(new URL(api.url).host);
  });

  it('joins repeated headers with commas', async () => {
    // Prepare
    // fetch would merge them into one line itself; node:http sends one line per value.
    const headers = { 'x-forwarded-for': ['10.0.0.1', '10.0.0.2'] };

    // Act
    await send(`${api.url}/v1/applications/a1`, { headers });

    // Assess
    expect(events[0]?.headers['x-forwarded-for']).toBe('10.0.0.1,10.0.0.2');
    expect(events[0]?.queryStringParameters).toBeUndefined();
    expect(events[0]?.body).toBeUndefined();
  });

  it.each([
    ['GET', '/v1/applications/latest', 'GET /v1/applications/latest', undefined],
    ['GET', '/v1/applications/a1', 'GET /v1/applications/{id}', { id: 'a1' }],
    ['PUT', '/v1/files/a/b%20c.pdf', 'PUT /v1/files/{proxy+}', { proxy: 'a/b c.pdf' }],
    ['DELETE', '/v1/files/a/b', 'ANY /v1/files/{proxy+}', { proxy: 'a/b' }],
  ])('prefers the most specific route: %s %s → %s', async (method, path, routeKey, pathParameters) => {
    // Prepare
    // Act
    const response = await fetch(`${api.url}${path}`, { method });

    // Assess
    expect(response.status).toBe(204);
    expect(events[0]?.routeKey).toBe(routeKey);
    expect(events[0]?.pathParameters).toEqual(pathParameters);
  });

  it('passes a binary body base64-encoded', async () => {
    // Prepare
    const bytes = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x80]);

    // Act
    await fetch(`${api.url}/v1/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'application/pdf' },
      body: bytes,
    });

    // Assess
    expect(events[0]?.isBase64Encoded).toBe(true);
    expect(Buffer.from(events[0]?.body ?? '', 'base64')).toEqual(Buffer.from(bytes));
  });

  it('maps a structured result: status, headers, cookies, base64 body', async () => {
    // Prepare
    // Act
    const response = await fetch(`${api.url}/v1/report`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(response.headers.get('x-rows')).toBe('3');
    expect(response.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2']);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array([0, 1, 2, 255]));
  });

  it('answers a result without statusCode as 200 JSON', async () => {
    // Prepare
    // Act
    const response = await fetch(`${api.url}/v1/plain`);

    // Assess
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ ok: true, items: [1, 2] });
  });

  it('answers 404 Not Found without a matching route', async () => {
    // Prepare
    // Act
    const responses = await Promise.all([
      fetch(`${api.url}/v1/nothing`),
      fetch(`${api.url}/v1/applications/a1`, { method: 'DELETE' }),
      fetch(`${api.url}/v1/files/`, { method: 'PUT' }),
    ]);

    // Assess
    expect(responses.map((response) => response.status)).toEqual([404, 404, 404]);
    expect(await responses[0]?.json()).toEqual({ message: 'Not Found' });
    expect(responses[0]?.headers.get('apigw-requestid')).toBeTruthy();
    expect(events).toEqual([]);
  });

  it('answers 413 from the declared length of an oversized body, before it is sent', async () => {
    // Prepare
    const path = '/v1/uploads';

    // Act
    const { status, body } = await send(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': MAX_BODY_BYTES * 100 },
    });

    // Assess
    expect(status).toBe(413);
    expect(JSON.parse(body)).toEqual({ message: 'Request Entity Too Large' });
    expect(events).toEqual([]);
  });

  it("answers 413 without invoking the function when the event is over Lambda's payload limit, the body under API Gateway's", async () => {
    // Prepare: a server whose Lambda limit is below its body limit, as 6 MiB is below 10 MiB
    const small = await startHttpApi({ maxBodyBytes: 64 * 1024, maxEventBytes: 8 * 1024, routes: [{ routeKey: 'POST /v1/uploads', invoke: record() }] });

    // Act
    const fits = await fetch(`${small.url}/v1/uploads`, { method: 'POST', body: 'a'.repeat(4 * 1024) });
    const over = await fetch(`${small.url}/v1/uploads`, { method: 'POST', body: 'a'.repeat(16 * 1024) });
    await small.stop();

    // Assess
    expect([fits.status, over.status]).toEqual([204, 413]);
    expect(await over.json()).toEqual({ message: 'Request Too Long' });
    expect(events).toHaveLength(1);
  });

  it('answers 413 to a chunked body once it grows past the limit', async () => {
    // Prepare
    const chunk = Buffer.alloc(MAX_BODY_BYTES / 2 + 1, 'a');

    // Act
    const response = await fetch(`${api.url}/v1/uploads`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(chunk);
          controller.enqueue(chunk);
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);

    // Assess
    expect(response.status).toBe(413);
    expect(events).toEqual([]);
  });

  it('answers 500 Internal Server Error when the function throws, without its details', async () => {
    // Prepare
    // Act
    const response = await fetch(`${api.url}/v1/crash`);
    const after = await fetch(`${api.url}/v1/applications/a1`);

    // Assess
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
    expect(after.status).toBe(204);
  });
});

/** A request through node:http, which sends headers exactly as given; any declared body is never sent. */
function send(url: string, options: RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, options);
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, body: text });
      });
    });
    request.on('error', reject);
    request.flushHeaders();
  });
}

describe('route table', () => {
  it('falls back to $default and refuses malformed route keys', () => {
    // Prepare
    const table = new RouteTable([
      { routeKey: 'GET /health', target: 'health' },
      { routeKey: '$default', target: 'default' },
    ]);

    // Act
    const matched = [table.match('GET', '/health'), table.match('POST', '/anything/else')];

    // Assess
    expect(matched.map((match) => match?.target)).toEqual(['health', 'default']);
    expect(matched[1]?.routeKey).toBe('$default');
    expect(() => new RouteTable([{ routeKey: 'GET /a/{proxy+}/b', target: 1 }])).toThrow(RouteKeyError);
    expect(() => new RouteTable([{ routeKey: 'get /a', target: 1 }])).toThrow(RouteKeyError);
  });
});
