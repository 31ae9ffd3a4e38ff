import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { appFunctions, type CfnResource } from './synth.ts';

/** The retention of events and delivery logs is deployment configuration: CDK context → every function's variable. */
function retentionOfEachFunction(context: Record<string, unknown>): unknown[] {
  const built = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context }, builtinCloudFormationValidation: false }));
  const resources = Template.fromStack(built.serviceStack).toJSON().Resources as Record<string, CfnResource>;
  return appFunctions(resources).map(([, fn]) => (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables.EVENT_RETENTION_DAYS);
}

describe('event retention', () => {
  it('is 30 days on every function by default, and what -c eventRetentionDays says otherwise', () => {
    // Act
    const byDefault = retentionOfEachFunction({});
    const asked = retentionOfEachFunction({ eventRetentionDays: '90' });

    // Assess
    expect(byDefault.length).toBeGreaterThan(40);
    expect(new Set(byDefault)).toEqual(new Set(['30']));
    expect(new Set(asked)).toEqual(new Set(['90']));
  });

  it.each([['3'], ['400'], ['thirty'], [12.5]])('refuses %j, as the configuration would at run time', (value) => {
    // Act
    const synth = () => retentionOfEachFunction({ eventRetentionDays: value });

    // Assess
    expect(synth).toThrow(/eventRetentionDays must be a whole number of days from 7 to 365/);
  });
});
