import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app.ts';
import { HTTP_ROUTES } from '../../infra/stacks/catalog.ts';
import { appFunctions, type CfnResource } from './synth.ts';

/** The evidence policy is deployment configuration: CDK context → the variables of the functions that apply it. */
function variablesByEntry(context: Record<string, unknown>): Map<string, Record<string, unknown>> {
  const built = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context }, builtinCloudFormationValidation: false }));
  const resources = Template.fromStack(built.serviceStack).toJSON().Resources as Record<string, CfnResource>;
  return new Map(
    appFunctions(resources).map(([, fn]) => [
      fn.Metadata?.['icp:entry'] as string,
      (fn.Properties?.Environment as { Variables: Record<string, unknown> }).Variables,
    ]),
  );
}

const POLICY_ENTRIES = [
  'functions/http/create-application.ts',
  'functions/http/resubmit-application.ts',
  'functions/http/create-evidence-upload.ts',
  'functions/s3/check-evidence.ts',
  // Bulk: shared evidence uploads and their check, and rows validated like single submissions.
  'functions/http/create-batch-evidence-upload.ts',
  'functions/batches/check-batch-evidence.ts',
  'functions/batches/ingest-chunk.ts',
];

describe('evidence policy', () => {
  it('reaches exactly the functions that apply it, from the CDK context', () => {
    // Act
    const variables = variablesByEntry({ evidenceSizeLimit: 'strict', evidenceRequireSignedForm: true });

    // Assess
    for (const [entry, env] of variables) {
      if (POLICY_ENTRIES.includes(entry)) {
        expect(env, entry).toMatchObject({ EVIDENCE_SIZE_LIMIT: 'strict', EVIDENCE_REQUIRE_SIGNED_FORM: 'true' });
        expect(env.EVIDENCE_REQUIRE_COLOUR, entry).toBeUndefined();
      } else {
        expect(Object.keys(env).filter((k) => k.startsWith('EVIDENCE_')), entry).toEqual([]);
      }
    }
    expect(HTTP_ROUTES.filter((r) => r.evidencePolicy).map((r) => r.entry).sort()).toEqual(POLICY_ENTRIES.filter((e) => e.startsWith('functions/http/')).sort());
  });

  it('refuses a value the configuration would refuse at run time', () => {
    // Act
    const synth = () => variablesByEntry({ evidenceSizeLimit: '1MB' });

    // Assess
    expect(synth).toThrow(/evidenceSizeLimit must be one of standard, strict/);
  });
});
