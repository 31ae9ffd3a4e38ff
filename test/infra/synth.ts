import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { buildApp, type BuiltApp } from '../../infra/build-app.ts';

/** A CloudFormation resource as it appears in a synthesized template. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface Synthesized extends BuiltApp {
  assembly: CloudAssembly;
  data: Template;
  service: Template;
  /** The raw service template's resources, by logical id. */
  serviceResources: Record<string, CfnResource>;
  dataResources: Record<string, CfnResource>;
}

/**
 * Synthesizes the real app (both stacks, cdk-nag on) with bundling off, as the local runtime does. Synthesis throws
 * when cdk-nag reports an unacknowledged finding. Call it once per test file.
 *
 * CDK's built-in CloudFormation template validation (the `validateAgainstDefaultRules` flag) costs about 4 s per
 * synthesis; one test file runs it (`cfnValidation: true`), the others skip it.
 */
export function synthesize(options: { cfnValidation?: boolean } = {}): Synthesized {
  const built = buildApp(
    new App({
      context: { 'aws:cdk:bundling-stacks': [] },
      builtinCloudFormationValidation: options.cfnValidation ?? false,
    }),
  );
  const assembly = built.app.synth();
  const data = Template.fromStack(built.dataStack);
  const service = Template.fromStack(built.serviceStack);
  return {
    ...built,
    assembly,
    data,
    service,
    dataResources: data.toJSON().Resources as Record<string, CfnResource>,
    serviceResources: service.toJSON().Resources as Record<string, CfnResource>,
  };
}

/** The resources of one type, by logical id. */
export function ofType(resources: Record<string, CfnResource>, type: string): [string, CfnResource][] {
  return Object.entries(resources).filter(([, r]) => r.Type === type);
}

/** The project's functions: every Lambda that carries the `icp:entry` metadata (CDK's own handlers do not). */
export function appFunctions(resources: Record<string, CfnResource>): [string, CfnResource][] {
  return ofType(resources, 'AWS::Lambda::Function').filter(([, r]) => r.Metadata?.['icp:entry'] !== undefined);
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points at. */
export function refTarget(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
    return v.Ref ?? v['Fn::GetAtt']?.[0];
  }
  return undefined;
}

export const PLACEHOLDER = { partition: 'aws', region: 'us-east-1', account: '123456789012' } as const;

/**
 * Resolves the intrinsics CDK puts in a state machine definition (`Fn::Join`, `Ref` to pseudo parameters,
 * `Fn::GetAtt` of a function's ARN) with placeholder values: a function's ARN becomes
 * `arn:aws:lambda:us-east-1:123456789012:function:<logical id>`.
 */
export function resolvePlaceholders(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if (Array.isArray(v['Fn::Join'])) {
    const [delimiter, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(resolvePlaceholders).join(delimiter);
  }
  if (typeof v.Ref === 'string') {
    const pseudo: Record<string, string> = {
      'AWS::Partition': PLACEHOLDER.partition,
      'AWS::Region': PLACEHOLDER.region,
      'AWS::AccountId': PLACEHOLDER.account,
      'AWS::URLSuffix': 'amazonaws.com',
    };
    const resolved = pseudo[v.Ref];
    if (!resolved) throw new Error(`Unexpected Ref ${v.Ref} in a definition`);
    return resolved;
  }
  if (Array.isArray(v['Fn::GetAtt'])) {
    const [logicalId, attribute] = v['Fn::GetAtt'] as [string, string];
    if (attribute !== 'Arn') throw new Error(`Unexpected Fn::GetAtt ${logicalId}.${attribute} in a definition`);
    return `arn:${PLACEHOLDER.partition}:lambda:${PLACEHOLDER.region}:${PLACEHOLDER.account}:function:${logicalId}`;
  }
  throw new Error(`Unexpected intrinsic ${JSON.stringify(value)}`);
}
