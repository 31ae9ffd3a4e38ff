import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidArn,
  InvalidToken,
  ListExecutionsCommand,
  SFNClient,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  TaskDoesNotExist,
} from '@aws-sdk/client-sfn';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalStepFunctions } from '../../../../infra/local/step-functions/local-step-functions.ts';
import { busiestWindow, type SfnApiServer, type SfnApiServerOptions, startSfnApiServer } from '../../../../infra/local/step-functions/sfn-api-server.ts';
import { type ApprovalHarness, type TestHandler, approvalHarness, until } from './approval-harness.ts';

const input = (fields: Record<string, unknown> = {}): string =>
  JSON.stringify({ id: 'app-1', mode: 'direct', approvalTimeoutSeconds: 3600, heartbeatSeconds: 3600, ...fields });

let server: SfnApiServer | undefined;
let engine: LocalStepFunctions | undefined;
afterEach(async () => {
  await server?.close();
  await engine?.close();
  server = undefined;
  engine = undefined;
});

/** The engine behind an HTTP server, and an unchanged SFNClient pointed at it with made-up credentials. */
async function served(
  handlers: Parameters<typeof approvalHarness>[0] = {},
  options: SfnApiServerOptions = {},
): Promise<ApprovalHarness & { client: SFNClient; url: string; server: SfnApiServer }> {
  const h = approvalHarness(handlers);
  engine = h.sfn;
  server = await startSfnApiServer(h.sfn, options);
  const client = new SFNClient({
    endpoint: server.url,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // One attempt a call: the SDK would retry a throttled start by itself.
    maxAttempts: 1,
  });
  return { ...h, client, url: server.url, server };
}

describe('startSfnApiServer', () => {
  it('runs an execution through the SDK: start, heartbeat, task success, describe, list', async () => {
    // Prepare
    const h = await served({ finish: (payload) => payload.approval });
    const started = await h.client.send(
      new StartExecutionCommand({ stateMachineArn: h.stateMachineArn, name: 'app-1-1', input: input() }),
    );
    await until(() => h.calls.requestApproval.length === 1);
    const taskToken = h.calls.requestApproval[0].token as string;

    // Act
    await h.client.send(new SendTaskHeartbeatCommand({ taskToken }));
    await h.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ approved: true }) }));
    await h.sfn.waitForExecution(started.executionArn ?? '');
    const described = await h.client.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    const listed = await h.client.send(
      new ListExecutionsCommand({ stateMachineArn: h.stateMachineArn, statusFilter: 'SUCCEEDED' }),
    );

    // Assess
    expect(started.startDate).toBeInstanceOf(Date);
    expect(described).toMatchObject({
      executionArn: started.executionArn,
      stateMachineArn: h.stateMachineArn,
      name: 'app-1-1',
      status: 'SUCCEEDED',
      input: input(),
      output: '{"approved":true}',
      startDate: started.startDate,
    });
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(listed.executions).toEqual([
      expect.objectContaining({ executionArn: started.executionArn, name: 'app-1-1', status: 'SUCCEEDED' }),
    ]);
  });

  it('lets a task complete its own token over HTTP before its invocation returns', async () => {
    // Prepare: the function answers through the SDK, as a real handler would, and only then returns.
    let client: SFNClient | undefined;
    const requestApproval: TestHandler = async (payload) => {
      await client?.send(new SendTaskSuccessCommand({ taskToken: payload.token, output: '{"approved":"early"}' }));
      return { sent: true };
    };
    const h = await served({ requestApproval, finish: (payload) => payload.approval });
    client = h.client;

    // Act
    const { executionArn } = await h.client.send(
      new StartExecutionCommand({ stateMachineArn: h.stateMachineArn, input: input() }),
    );
    const result = await h.sfn.waitForExecution(executionArn ?? '');

    // Assess
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: '{"approved":"early"}' });
  });

  it('answers errors the SDK turns into its own exception classes', async () => {
    // Prepare
    const h = await served();
    const { executionArn } = await h.client.send(
      new StartExecutionCommand({ stateMachineArn: h.stateMachineArn, name: 'dup', input: input() }),
    );
    await until(() => h.calls.requestApproval.length === 1);
    const taskToken = h.calls.requestApproval[0].token as string;
    await h.client.send(new SendTaskFailureCommand({ taskToken, error: 'ApprovalRejected', cause: 'no' }));
    const unknownMachine = h.stateMachineArn.replace(/[^:]+$/, 'Nope');

    // Act
    const outcomes = await Promise.allSettled([
      h.client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' })),
      h.client.send(new SendTaskSuccessCommand({ taskToken: 'garbage', output: '{}' })),
      h.client.send(new StartExecutionCommand({ stateMachineArn: h.stateMachineArn, name: 'dup', input: '{"x":1}' })),
      h.client.send(new StartExecutionCommand({ stateMachineArn: unknownMachine })),
      h.client.send(new DescribeExecutionCommand({ executionArn: `${executionArn}-nope` })),
      h.client.send(new DescribeExecutionCommand({ executionArn: 'not-an-arn' })),
    ]);

    // Assess
    const errors = outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.reason : outcome.value));
    expect(errors[0]).toBeInstanceOf(TaskDoesNotExist);
    expect(errors[1]).toBeInstanceOf(InvalidToken);
    expect(errors[2]).toBeInstanceOf(ExecutionAlreadyExists);
    expect(errors[3]).toBeInstanceOf(StateMachineDoesNotExist);
    expect(errors[4]).toBeInstanceOf(ExecutionDoesNotExist);
    expect(errors[5]).toBeInstanceOf(InvalidArn);
    expect(errors[0].$metadata.httpStatusCode).toBe(400);
  });

  it('stops an execution through the SDK', async () => {
    // Prepare
    const h = await served();
    const { executionArn } = await h.client.send(
      new StartExecutionCommand({ stateMachineArn: h.stateMachineArn, input: input() }),
    );

    // Act
    const stopped = await h.client.send(new StopExecutionCommand({ executionArn, error: 'Withdrawn', cause: 'by customer' }));
    const described = await h.client.send(new DescribeExecutionCommand({ executionArn }));

    // Assess
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Withdrawn', cause: 'by customer' });
  });

  it('answers an operation it does not serve with UnknownOperationException', async () => {
    // Prepare
    const h = await served();

    // Act
    const response = await fetch(h.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.CreateStateMachine' },
      body: '{}',
    });

    // Assess
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });

  it('enforces a StartExecution quota as AWS does (ThrottlingException beyond it) and logs every start call', async () => {
    // Prepare: a bucket of 2, refilled at 1 a second, on a clock the test moves
    let now = 1_000_000;
    const h = await served({}, { startExecutionQuota: { rate: 1, burst: 2 }, now: () => now });
    const start = (name: string) => h.client.send(new StartExecutionCommand({ stateMachineArn: h.stateMachineArn, name, input: input() }));

    // Act
    await start('a-1');
    await start('b-1');
    const third = await start('c-1').catch((error: unknown) => error);
    now += 1_000;
    await start('c-1');
    now += 1_000;
    await start('a-1').catch(() => undefined);
    h.server.setStartExecutionQuota(undefined);
    for (const name of ['d-1', 'e-1', 'f-1']) await start(name);

    // Assess
    expect(third).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    expect(h.server.startExecutionCalls.map((c) => [c.name, c.outcome])).toEqual([
      ['a-1', 'started'],
      ['b-1', 'started'],
      ['c-1', 'throttled'],
      ['c-1', 'started'],
      // The same name again: a running execution with the same input is joined, a closed one already exists.
      ['a-1', expect.stringMatching(/^(started|exists)$/)],
      ['d-1', 'started'],
      ['e-1', 'started'],
      ['f-1', 'started'],
    ]);
    expect(busiestWindow([0, 100, 999, 1_000, 1_500, 2_600])).toBe(3);
  });

  it('refuses to listen on anything but loopback', async () => {
    // Prepare
    const h = approvalHarness({});
    engine = h.sfn;

    // Act
    const listening = startSfnApiServer(h.sfn, { host: '0.0.0.0' });

    // Assess
    await expect(listening).rejects.toThrow(/loopback/);
  });
});
