import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { appFunctions, type CfnResource, ofType, refTarget } from './synth.ts';

function synthesized(context: Record<string, unknown> = {}): Record<string, CfnResource> {
  const built = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context }, builtinCloudFormationValidation: false }));
  return Template.fromStack(built.serviceStack).toJSON().Resources as Record<string, CfnResource>;
}

/** Each function's entry, with its value of `variable` (undefined when it has none). */
function variableByEntry(resources: Record<string, CfnResource>, variable: string): Map<string, unknown> {
  return new Map(
    appFunctions(resources).map(([, fn]) => [
      fn.Metadata?.['icp:entry'] as string,
      (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables[variable],
    ]),
  );
}

/** The one StartExecution pace: a setting every starting function shares, and the sweep of what is left behind. */
describe('the StartExecution pace', () => {
  const resources = synthesized({ startExecutionRate: '150', startExecutionBurst: '400' });

  it('is set alike, by -c startExecutionRate/startExecutionBurst, on exactly the functions allowed to start reviews or deliveries', () => {
    // Act
    const rates = variableByEntry(resources, 'START_EXECUTION_RATE');
    const bursts = variableByEntry(resources, 'START_EXECUTION_BURST');
    const starters = [...variableByEntry(resources, 'REVIEW_STATE_MACHINE_ARN').entries(), ...variableByEntry(resources, 'DELIVERY_STATE_MACHINE_ARN').entries()]
      .filter(([entry, arn]) => arn !== undefined && entry !== 'functions/http/withdraw-application.ts')
      .map(([entry]) => entry);

    // Assess
    expect(new Set([...rates].filter(([, v]) => v !== undefined).map(([entry]) => entry))).toEqual(new Set(starters));
    expect(new Set([...rates.values()].filter((v) => v !== undefined))).toEqual(new Set(['150']));
    expect(new Set([...bursts.values()].filter((v) => v !== undefined))).toEqual(new Set(['400']));
    expect(starters).toEqual(expect.arrayContaining(['functions/batches/start-reviews.ts', 'functions/events/dispatch-events.ts', 'functions/starts/sweep-starts.ts']));
  });

  it('leaves the functions to the default (300 a second) without the context, and refuses a value they would refuse', () => {
    // Act
    const byDefault = variableByEntry(synthesized(), 'START_EXECUTION_RATE');
    const wrong = () => synthesized({ startExecutionRate: 'fast' });

    // Assess
    expect([...byDefault.values()].every((v) => v === undefined)).toBe(true);
    expect(wrong).toThrow(/startExecutionRate/);
  });

  it('sweeps the start queue every minute, not retried (the next sweep is a minute away; the requests stay in the table)', () => {
    // Act
    const rules = ofType(resources, 'AWS::Events::Rule');
    const [[, rule] = []] = rules;
    const targets = rule?.Properties?.Targets as { Arn: unknown; RetryPolicy?: Record<string, unknown> }[];
    const target = resources[refTarget(targets[0]?.Arn) as string];

    // Assess
    expect(rules).toHaveLength(1);
    expect(rule?.Properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    expect(targets).toHaveLength(1);
    expect(target?.Metadata?.['icp:entry']).toBe('functions/starts/sweep-starts.ts');
    expect(targets[0]?.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 0 });
  });
});
