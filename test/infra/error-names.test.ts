import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_ERROR_NAMES } from '../../shared/domain/errors.ts';
import { type BundledAssembly, synthesizeBundled } from './bundled-synth.ts';
import { type CfnResource, ofType, resolvePlaceholders } from './synth.ts';

/**
 * Lambda reports a thrown error's `name` as its error type, and a state machine's Retry and Catch match that type. The
 * bundles are minified, so a name taken from the class (`new.target.name`) comes out as one letter in AWS while every
 * test that runs the sources sees the full name. This file reads the bundles that `cdk deploy` would upload.
 */

interface State {
  Type: string;
  Resource?: string;
  Parameters?: Record<string, unknown>;
  Retry?: { ErrorEquals: string[] }[];
  Catch?: { ErrorEquals: string[] }[];
  Branches?: { States: Record<string, State> }[];
  Iterator?: { States: Record<string, State> };
  ItemProcessor?: { States: Record<string, State> };
}

/** One name that a Retry or Catch of a Task matches, and the function whose bundle must produce it. */
interface GuardedName {
  machine: string;
  state: string;
  functionId: string;
  name: string;
}

/** Names that Step Functions or the Lambda service (its runtime, its sandbox) raise themselves, not the function's code. */
function raisedByTheService(name: string): boolean {
  return ['States.', 'Lambda.', 'Runtime.', 'Sandbox.'].some((prefix) => name.startsWith(prefix));
}

/** Every state of a definition, including those inside Parallel branches and Map processors. */
function allStates(states: Record<string, State>): [string, State][] {
  return Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.Branches ?? []).flatMap((branch) => allStates(branch.States)),
    ...[state.Iterator, state.ItemProcessor].flatMap((inner) => (inner ? allStates(inner.States) : [])),
  ]);
}

/** The definition with its intrinsics resolved: a function's ARN ends in `:function:<logical id>`. */
function definitionOf(machine: CfnResource): { States: Record<string, State> } {
  let text = resolvePlaceholders(machine.Properties?.DefinitionString);
  const substitutions = (machine.Properties?.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(substitutions)) text = text.replaceAll(`\${${key}}`, resolvePlaceholders(value));
  return JSON.parse(text) as { States: Record<string, State> };
}

/** The logical id of the function a Task invokes, by its ARN (optimized) or by `Parameters.FunctionName`. */
function invokedFunction(state: State): string | undefined {
  const arn = state.Resource?.startsWith('arn:aws:states:') ? state.Parameters?.FunctionName : state.Resource;
  if (typeof arn !== 'string' || !arn.includes(':function:')) return undefined;
  return arn.split(':function:')[1]?.split(':')[0];
}

function guardedNames(assembly: BundledAssembly): GuardedName[] {
  return Object.values(assembly.templates).flatMap(({ Resources: resources }) =>
    ofType(resources, 'AWS::StepFunctions::StateMachine').flatMap(([machine, resource]) =>
      allStates(definitionOf(resource).States)
        .filter(([, state]) => state.Type === 'Task')
        .flatMap(([name, state]) => {
          const matched = [...(state.Retry ?? []), ...(state.Catch ?? [])].flatMap((rule) => rule.ErrorEquals);
          const ours = [...new Set(matched.filter((n) => !raisedByTheService(n)))];
          const functionId = invokedFunction(state);
          if (ours.length > 0 && !functionId) throw new Error(`${machine}.${name} matches ${ours.join(', ')} but invokes no Lambda`);
          return ours.map((n) => ({ machine, state: name, functionId: functionId as string, name: n }));
        }),
    ),
  );
}

/** The code of a function as it deploys: `index.mjs` in the asset directory its `aws:asset:path` metadata names. */
function bundleOf(assembly: BundledAssembly, functionId: string): string {
  for (const { Resources: resources } of Object.values(assembly.templates)) {
    const path = resources[functionId]?.Metadata?.['aws:asset:path'];
    if (typeof path === 'string') return readFileSync(join(assembly.directory, path, 'index.mjs'), 'utf8');
  }
  throw new Error(`No bundled code for ${functionId}`);
}

/** Every index at which `text` occurs in `code`. */
function occurrences(code: string, text: string): number[] {
  const found: number[] = [];
  for (let at = code.indexOf(text); at >= 0; at = code.indexOf(text, at + 1)) found.push(at);
  return found;
}

/**
 * Whether minified code gives an error this `name`: `name="X"` (a class field or `this.name=`), or `name=` a variable
 * or a constant's property that holds the literal `"X"` (`var a="X"` … `name=a`; `{k:"X"}` … `name=b.k`). A class's
 * own name is never enough: the minifier renames classes.
 */
function producesName(code: string, name: string): boolean {
  const literals = ['"', "'", '`'].map((quote) => `${quote}${name}${quote}`);
  const variables = new Set<string>();
  const keys = new Set<string>();
  for (const at of literals.flatMap((literal) => occurrences(code, literal))) {
    const [, holder, sign] = /(?<![\w$.])([\w$]+)([=:])$/.exec(code.slice(Math.max(0, at - 100), at)) ?? [];
    if (holder) (sign === '=' ? variables : keys).add(holder);
  }
  return occurrences(code, 'name=').some((at) => {
    if (/[\w$]/.test(code[at - 1] ?? '')) return false; // `filename=` is not `name=`
    const value = /^(?:"[^"]*"|'[^']*'|`[^`]*`|[\w$]+(?:\.[\w$]+)?)/.exec(code.slice(at + 5, at + 205))?.[0] ?? '';
    const [, key] = value.split('.');
    return literals.includes(value) || (key === undefined ? variables.has(value) : keys.has(key));
  });
}

describe('error names in the deployed bundles', () => {
  let assembly: BundledAssembly;

  beforeAll(async () => {
    // Prepare (once for the file: bundling every function takes half a minute when the cache is cold)
    assembly = await synthesizeBundled();
  }, 180_000);

  it('every name a Retry or Catch matches is produced, under that name, by the bundle of the function it guards', () => {
    // Act
    const guarded = guardedNames(assembly);
    const bundles = new Map(guarded.map((g) => [g.functionId, bundleOf(assembly, g.functionId)]));
    const missing = guarded
      .filter((g) => !producesName(bundles.get(g.functionId) as string, g.name))
      .map((g) => `${g.machine}.${g.state} matches ${g.name}, which the bundle of ${g.functionId} never names`);

    // Assess
    expect(new Set(guarded.map((g) => g.name))).toEqual(new Set(Object.values(WORKFLOW_ERROR_NAMES)));
    expect(missing).toEqual([]);
  });

  it('counts a name the minified code gives an error, never a class name the minifier may rename', () => {
    // Prepare
    const minified = {
      field: 'var t=class extends Error{};var e=class extends t{name="TransientError";status=503}',
      variable: 'var o="TransientError";var e=class extends t{name=o;status=503}',
      property: 'var a={transient:"TransientError",final:"BatchMissingError"};var e=class extends t{name=a.transient}',
      className: 'var t=class extends Error{constructor(m){super(m),this.name=new.target.name}};class TransientError extends t{}',
      otherProperty: 'var a={transient:"TransientError",final:"BatchMissingError"};var e=class extends t{name=a.final}',
      comparison: 'if(r.name==="TransientError")throw r',
    };

    // Act
    const produced = Object.fromEntries(Object.entries(minified).map(([form, code]) => [form, producesName(code, 'TransientError')]));

    // Assess
    expect(produced).toEqual({ field: true, variable: true, property: true, className: false, otherProperty: false, comparison: false });
  });
});
