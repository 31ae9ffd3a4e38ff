import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag's AwsSolutions-IAM5 finding for one wildcard resource on `scope` (a role or policy, and what
 * is under it), naming the resource exactly as cdk-nag does, so that any other wildcard still fails the synth.
 *
 * `resource` must be resolvable within `scope`'s stack: a reference to another stack's resource only becomes its
 * final form (an output read) during synthesis, after acknowledgements are read.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const flat = flattenCfnReference(Stack.of(scope).resolve(resource));
  Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${flat}]`, reason });
}
