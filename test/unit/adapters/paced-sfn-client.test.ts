import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACED_SFN_CLIENT_CONFIG, pacedSfnClient } from '../../../shared/adapters/deps/sfn-client.ts';
import { SfnExecutionLauncher } from '../../../shared/adapters/sfn/paced-starts.ts';

/**
 * The paced starts make one StartExecution call a token: the SDK must not retry a call on its own (two more by
 * default), or Step Functions would see calls no token allowed — exactly when it is throttling.
 */
describe('the paced starts’ Step Functions client', () => {
  let server: Server;
  let calls = 0;
  let endpoint = '';

  beforeAll(async () => {
    // A Step Functions API that throttles every call (the answer the SDK retries by default).
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        calls++;
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
        response.end(JSON.stringify({ __type: 'com.amazonaws.states#ThrottlingException', message: 'Rate exceeded' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const launcher = (config: object) =>
    new SfnExecutionLauncher(new SFNClient({ ...config, endpoint, region: 'local', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }), {
      review: 'arn:aws:states:local:000000000000:stateMachine:review',
      delivery: 'arn:aws:states:local:000000000000:stateMachine:delivery',
    });
  const execution = { machine: 'review' as const, name: 'app_1-1', input: { applicationId: 'app_1' } };

  it('makes one call a start: a throttled start is answered as throttled, not retried by the SDK', async () => {
    // Act
    calls = 0;
    const outcome = await launcher(PACED_SFN_CLIENT_CONFIG).launch(execution);

    // Assess
    expect(outcome).toBe('throttled');
    expect(calls).toBe(1);
  });

  it('is what the SDK would otherwise do differently (its default retries a throttled call)', async () => {
    // Act: the default configuration, for comparison
    calls = 0;
    const outcome = await launcher({}).launch(execution);

    // Assess
    expect(outcome).toBe('throttled');
    expect(calls).toBeGreaterThan(1);
  });

  it('is the configuration of the factory the paced starts take their client from', async () => {
    expect(await pacedSfnClient().config.maxAttempts()).toBe(1);
  });
});
