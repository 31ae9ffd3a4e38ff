import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { type CfnResource, ofType, resolvePlaceholders, synthesize } from './synth.ts';

// asl-validator is CommonJS without type declarations: its export is one function (see its dist/src/validator.js).
type AslValidator = (
  definition: unknown,
  options?: { checkPaths: boolean; checkArn: boolean },
) => { isValid: boolean; errors: unknown[]; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Parameters?: Record<string, unknown>;
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Retry?: { ErrorEquals: string[]; IntervalSeconds?: number; MaxAttempts?: number; BackoffRate?: number; MaxDelaySeconds?: number; JitterStrategy?: string }[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
}
interface Definition {
  StartAt: string;
  States: Record<string, State>;
  TimeoutSeconds?: number;
}

// Prepare (once for the file: synthesizing costs seconds)
const synth = synthesize();

function machine(name: string): { definition: Definition; resource: CfnResource } {
  const [[, resource] = []] = ofType(synth.serviceResources, 'AWS::StepFunctions::StateMachine').filter(
    ([, m]) => m.Properties?.StateMachineName === name,
  );
  if (!resource) throw new Error(`No state machine ${name}`);
  return { definition: JSON.parse(resolvePlaceholders(resource.Properties?.DefinitionString)) as Definition, resource };
}

/** The `icp:entry` of the function a Task invokes, whether by its ARN (optimized) or by `Parameters.FunctionName`. */
function taskEntry(state: State): string | undefined {
  const arn = (state.Resource?.startsWith('arn:aws:states:') ? state.Parameters?.FunctionName : state.Resource) as string;
  const logicalId = arn.split(':function:')[1] ?? '';
  return synth.serviceResources[logicalId]?.Metadata?.['icp:entry'] as string | undefined;
}

const review = machine('IcpCancelService-review');
const delivery = machine('IcpCancelService-delivery');
const batches = machine('IcpCancelService-batches');

describe.each([
  ['review', review],
  ['delivery', delivery],
  ['batch ingestion', batches],
])('%s state machine', (_name, { definition, resource }) => {
  it('is valid Amazon States Language', () => {
    // Act
    const result = aslValidator(definition, { checkPaths: true, checkArn: true });

    // Assess
    expect(result.errorsText()).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('is a Standard machine with tracing and error logging, and every Task has a timeout and a local handler', () => {
    // Act
    const tasks = Object.entries(definition.States).filter(([, s]) => s.Type === 'Task');

    // Assess
    expect(resource.Properties).toMatchObject({
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ERROR', IncludeExecutionData: false },
    });
    for (const [name, state] of tasks) {
      expect(state.TimeoutSeconds ?? state.TimeoutSecondsPath, name).toBeDefined();
      expect(taskEntry(state), name).toMatch(/^functions\/(workflow|webhooks|batches)\/[a-z-]+\.ts$/);
    }
  });
});

describe('review state machine', () => {
  const states = review.definition.States;

  it('has the review states, starting from LoadApplication', () => {
    // Act
    const names = Object.keys(states).sort();

    // Assess
    expect(review.definition.StartAt).toBe('LoadApplication');
    expect(names).toEqual(
      [
        'LoadApplication',
        'RouteByStatus',
        'ProbeSite',
        'SubmitToAuthority',
        'RecordOverdue',
        'ApplyDecision',
        'AfterDecision',
        'AwaitCorrection',
        'ExpireCorrection',
        'MarkFailed',
        'Failed',
        'Finished',
      ].sort(),
    );
    expect(review.definition.TimeoutSeconds).toBe(365 * 24 * 3600);
  });

  it('waits for the authority with a task token, the SLA as TimeoutSecondsPath, and an overdue loop', () => {
    // Act
    const submit = states.SubmitToAuthority as State;

    // Assess
    expect(submit.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(submit.TimeoutSecondsPath).toBe('$.app.reviewTimeoutSeconds');
    expect(submit.TimeoutSeconds).toBeUndefined();
    expect(submit.Parameters?.Payload).toMatchObject({ 'taskToken.$': '$$.Task.Token' });
    expect(taskEntry(submit)).toBe('functions/workflow/submit-to-authority.ts');
    expect(submit.Catch?.[0]).toMatchObject({ ErrorEquals: ['States.Timeout'], Next: 'RecordOverdue' });
    expect(submit.Catch?.at(-1)).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'MarkFailed' });
    expect(states.RecordOverdue?.Next).toBe('SubmitToAuthority');
  });

  it('waits for a correction with a task token and the correction window as its timeout', () => {
    // Act
    const awaitCorrection = states.AwaitCorrection as State;

    // Assess
    expect(awaitCorrection.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(awaitCorrection.TimeoutSecondsPath).toBe('$.app.correctionTimeoutSeconds');
    expect(awaitCorrection.Catch?.[0]).toMatchObject({ ErrorEquals: ['States.Timeout'], Next: 'ExpireCorrection' });
    expect(awaitCorrection.Next).toBe('LoadApplication');
  });

  it('retries transient errors on every task and routes a task that still fails to MarkFailed', () => {
    // Act
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');

    // Assess
    for (const [name, state] of tasks) {
      expect(state.Retry?.[0]?.ErrorEquals, name).toContain('TransientError');
      if (name !== 'MarkFailed') expect(state.Catch?.at(-1)?.Next, name).toBe('MarkFailed');
    }
  });
});

describe('delivery state machine', () => {
  it('retries DeliveryFailedError 20 times with capped, jittered backoff, then gives up', () => {
    // Act
    const deliver = delivery.definition.States.DeliverWebhook as State;

    // Assess
    expect(delivery.definition.StartAt).toBe('WaitBeforeAttempt');
    expect(taskEntry(deliver)).toBe('functions/webhooks/deliver-webhook.ts');
    expect(deliver.Retry).toContainEqual({
      ErrorEquals: ['DeliveryFailedError'],
      IntervalSeconds: 30,
      MaxAttempts: 20,
      BackoffRate: 2,
      MaxDelaySeconds: 6 * 3600,
      JitterStrategy: 'FULL',
    });
    expect(deliver.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'GiveUpDelivery' }]);
    const giveUp = delivery.definition.States.GiveUpDelivery as State & { Next: string };
    expect(taskEntry(giveUp)).toBe('functions/webhooks/give-up-delivery.ts');
    // Giving up is idempotent, so retried whatever failed; then the execution succeeds: the endpoint is the customer's.
    expect(giveUp.Retry?.at(-1)).toMatchObject({ ErrorEquals: ['States.ALL'], MaxAttempts: 7 });
    expect(giveUp.Next).toBe('GaveUp');
    expect(delivery.definition.States.GaveUp).toMatchObject({ Type: 'Succeed' });
    expect(Object.keys(delivery.definition.States).sort()).toEqual(
      ['Delivered', 'DeliverWebhook', 'GaveUp', 'GiveUpDelivery', 'HonourRetryAfter', 'WaitBeforeAttempt', 'WaitRetryAfter'].sort(),
    );
  });

  it('first waits what the dispatcher\'s failed first attempt earned (waitSeconds), then attempts', () => {
    // Act
    const wait = delivery.definition.States.WaitBeforeAttempt as State & { Type: string; SecondsPath: string; Next: string };

    // Assess
    expect(wait).toMatchObject({ Type: 'Wait', SecondsPath: '$.waitSeconds', Next: 'DeliverWebhook' });
  });

  it("honours an endpoint's Retry-After by waiting that long before the next attempt", () => {
    // Act
    const deliver = delivery.definition.States.DeliverWebhook as State;
    const choice = delivery.definition.States.HonourRetryAfter as State & { Choices: unknown[]; Default: string };
    const wait = delivery.definition.States.WaitRetryAfter as State & { SecondsPath: string; Next: string };

    // Assess
    expect(deliver.Next).toBe('HonourRetryAfter');
    expect(choice.Choices).toEqual([{ Variable: '$.result.outcome', StringEquals: 'retry_after', Next: 'WaitRetryAfter' }]);
    expect(choice.Default).toBe('Delivered');
    expect(wait).toMatchObject({ Type: 'Wait', SecondsPath: '$.result.waitSeconds', Next: 'DeliverWebhook' });
  });
});

describe('batch ingestion state machine', () => {
  const { States: states, StartAt } = batches.definition;

  it('prepares, loops IngestChunk until the manifest is read, finishes, then loops StartReviews until every review is started', () => {
    // Assess
    expect(StartAt).toBe('Prepare');
    expect(states.Prepare?.Next).toBe('MoreRows');
    expect(states.IngestChunk?.Next).toBe('MoreRows');
    expect(states.MoreRows).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.progress.done', BooleanEquals: true, Next: 'Finish' }],
      Default: 'IngestChunk',
    });
    expect(states.Finish?.Next).toBe('StartReviews');
    expect(states.StartReviews?.Next).toBe('MoreReviews');
    expect(states.MoreReviews).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.starts.done', BooleanEquals: true, Next: 'Ingested' }],
      Default: 'StartReviews',
    });
    expect(Object.values(states).filter((s) => s.Type === 'Task').map(taskEntry).sort()).toEqual([
      'functions/batches/fail-ingestion.ts',
      'functions/batches/finish-ingestion.ts',
      'functions/batches/ingest-chunk.ts',
      'functions/batches/prepare-ingestion.ts',
      'functions/batches/start-reviews.ts',
    ]);
    // The cursor lives in the batch record: the loop passes only the ids.
    expect(states.IngestChunk?.Parameters).toEqual({ 'batchId.$': '$.batchId', 'tenantId.$': '$.tenantId' });
  });

  it('retries any failure of a task (a crash, a timeout) except a rejected manifest or a missing batch, then fails the batch (the execution too, unless the manifest was refused)', () => {
    const finalErrors: Record<string, string[]> = {
      Prepare: ['ManifestRejectedError', 'BatchMissingError'],
      IngestChunk: ['ManifestRejectedError', 'BatchMissingError'],
      // Finish and StartReviews read no manifest.
      Finish: ['BatchMissingError'],
      StartReviews: ['BatchMissingError'],
    };
    for (const [name, final] of Object.entries(finalErrors)) {
      const state = states[name] as State;
      expect(state.Retry?.map((r) => [r.ErrorEquals, r.MaxAttempts]), name).toEqual([
        [expect.arrayContaining(['TransientError']), 5],
        [final, 0],
        [['States.ALL'], 6],
      ]);
      expect(state.Catch, name).toEqual([{ ErrorEquals: ['States.ALL'], Next: 'FailIngestion', ResultPath: '$.error' }]);
    }
    expect(states.FailIngestion?.Next).toBe('WhyFailed');
    // The agency's manifest refused: the batch is failed, the execution succeeds (no page for a customer's file).
    expect(states.WhyFailed).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.error.Error', StringEquals: 'ManifestRejectedError', Next: 'ManifestRefused' }],
      Default: 'Failed',
    });
    expect(states.ManifestRefused).toMatchObject({ Type: 'Succeed' });
    // A chunk task waits a little longer than its function may run (5 minutes).
    expect(states.IngestChunk?.TimeoutSeconds).toBe(330);
  });
});
