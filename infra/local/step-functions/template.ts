/**
 * Reads what the local runtime runs out of a synthesized CloudFormation template (the plain JSON object that
 * `Template.fromStack(stack).toJSON()` or `cdk.out/*.template.json` hold): the Lambda functions with their entry
 * files, and the state machines as plain Amazon States Language, with every CloudFormation intrinsic resolved.
 */

/** The part of a CloudFormation template this module reads. */
export interface CfnTemplate {
  Parameters?: Record<string, { Default?: unknown }>;
  Resources?: Record<string, CfnResource>;
  Outputs?: Record<string, { Value?: unknown; Export?: { Name?: unknown } }>;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

/** A Lambda function of the template that the local runtime can run in-process. */
export interface LambdaFunctionEntry {
  logicalId: string;
  /** Repository-relative entry file, from the `icp:entry` metadata, e.g. `functions/workflow/load-application.ts`. */
  entry: string;
  /** The exported handler's name, from the `icp:handler` metadata. */
  handler: string;
}

/** A state machine of the template, its definition resolved to plain ASL. */
export interface StateMachineEntry {
  logicalId: string;
  name: string;
  definition: Record<string, unknown>;
}

/** How tokens that point outside the Lambda functions resolve. */
export interface ResolveOptions {
  /**
   * The value of `Ref`/`Fn::GetAtt` on a resource that is not a Lambda function (tables, buckets…); return `undefined`
   * to keep the default: a state machine's local ARN, else the logical id.
   */
  resolveRef?: (logicalId: string, attribute?: string) => string | undefined;
  /** The value of `Fn::ImportValue` (an export of another stack; see {@link readExports}). */
  resolveImport?: (exportName: string) => string | undefined;
  /**
   * The value of `Fn::GetStackOutput` (an output of another stack, read by name, as CDK's cross-stack references
   * write them; see {@link readOutputs}).
   */
  resolveStackOutput?: (stackName: string, outputName: string) => string | undefined;
  /** A state machine's name; defaults to its `StateMachineName`, else its logical id. */
  stateMachineName?: (logicalId: string) => string | undefined;
}

export const LOCAL_PARTITION = 'aws';
export const LOCAL_REGION = 'local';
export const LOCAL_ACCOUNT_ID = '000000000000';

export const ENTRY_METADATA_KEY = 'icp:entry';
export const HANDLER_METADATA_KEY = 'icp:handler';

/** The ARN a Lambda function of the template has locally: its logical id is its function name. */
export function localLambdaArn(logicalId: string): string {
  return `arn:${LOCAL_PARTITION}:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${logicalId}`;
}

/** The ARN a state machine has locally (the one `LocalStepFunctions` is given). */
export function localStateMachineArn(name: string): string {
  return `arn:${LOCAL_PARTITION}:states:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stateMachine:${name}`;
}

/**
 * The template's Lambda functions that carry the `icp:entry` metadata (the project's function construct adds it),
 * by logical id. Functions without it (CDK's own helpers) are left out.
 */
export function readLambdaFunctions(template: CfnTemplate): Map<string, LambdaFunctionEntry> {
  const functions = new Map<string, LambdaFunctionEntry>();
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const entry = resource.Metadata?.[ENTRY_METADATA_KEY];
    if (resource.Type !== 'AWS::Lambda::Function' || typeof entry !== 'string') {
      continue;
    }
    const handler = resource.Metadata?.[HANDLER_METADATA_KEY];
    functions.set(logicalId, { logicalId, entry, handler: typeof handler === 'string' ? handler : 'handler' });
  }
  return functions;
}

/**
 * The template's state machines with their definitions resolved: Lambda ARNs become {@link localLambdaArn}, other
 * references go through `options`. `DefinitionString` (a string or an `Fn::Join`), `Definition` (an object) and
 * `DefinitionSubstitutions` are understood.
 */
export function readStateMachines(template: CfnTemplate, options: ResolveOptions = {}): StateMachineEntry[] {
  const resolver = new IntrinsicResolver(template, options);
  const machines: StateMachineEntry[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') {
      continue;
    }
    const props = resource.Properties ?? {};
    const substitutions = Object.fromEntries(
      Object.entries((props.DefinitionSubstitutions ?? {}) as Record<string, unknown>).map(([key, value]) => [
        key,
        String(resolver.resolve(value)),
      ]),
    );
    let definition: unknown;
    if (props.DefinitionString !== undefined) {
      const text = String(resolver.resolve(props.DefinitionString));
      definition = JSON.parse(substitute(text, substitutions));
    } else if (props.Definition !== undefined) {
      definition = JSON.parse(substitute(JSON.stringify(resolver.resolve(props.Definition)), substitutions));
    } else {
      throw new Error(`State machine ${logicalId} has no DefinitionString or Definition (DefinitionS3Location is not supported locally)`);
    }
    machines.push({ logicalId, name: resolver.stateMachineName(logicalId), definition: definition as Record<string, unknown> });
  }
  return machines;
}

/**
 * The exports of a template (`Outputs.*.Export.Name` → resolved value), to answer another stack's `Fn::ImportValue`
 * through {@link ResolveOptions.resolveImport}.
 */
export function readExports(template: CfnTemplate, options: ResolveOptions = {}): Map<string, string> {
  const resolver = new IntrinsicResolver(template, options);
  const exports = new Map<string, string>();
  for (const output of Object.values(template.Outputs ?? {})) {
    if (output.Export?.Name !== undefined) {
      exports.set(String(resolver.resolve(output.Export.Name)), String(resolver.resolve(output.Value)));
    }
  }
  return exports;
}

/**
 * The outputs of a template by their logical name (`Outputs.<name>.Value` resolved), to answer another stack's
 * `Fn::GetStackOutput` through {@link ResolveOptions.resolveStackOutput}.
 */
export function readOutputs(template: CfnTemplate, options: ResolveOptions = {}): Map<string, string> {
  const resolver = new IntrinsicResolver(template, options);
  return new Map(Object.entries(template.Outputs ?? {}).map(([name, output]) => [name, String(resolver.resolve(output.Value))]));
}

/**
 * Any value of the template (a policy document, an environment variable…) with its intrinsics resolved as
 * {@link readStateMachines} resolves a definition's.
 */
export function resolveIntrinsics(template: CfnTemplate, value: unknown, options: ResolveOptions = {}): unknown {
  return new IntrinsicResolver(template, options).resolve(value);
}

/**
 * Resolves `Fn::Join`, `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Select`, `Fn::Split`, `Fn::ImportValue`,
 * `Fn::GetStackOutput` and the pseudo parameters CDK writes. Anything else is an error: a silently wrong ARN would only surface as a confusing failure
 * deep inside an execution.
 */
class IntrinsicResolver {
  private readonly resources: Record<string, CfnResource>;

  constructor(
    private readonly template: CfnTemplate,
    private readonly options: ResolveOptions,
  ) {
    this.resources = template.Resources ?? {};
  }

  stateMachineName(logicalId: string): string {
    const mapped = this.options.stateMachineName?.(logicalId);
    if (mapped !== undefined) {
      return mapped;
    }
    const declared = this.resources[logicalId]?.Properties?.StateMachineName;
    return declared === undefined ? logicalId : String(this.resolve(declared));
  }

  resolve(value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((item) => this.resolve(item));
    }
    if (value === null || typeof value !== 'object') {
      return value;
    }
    const entries = Object.entries(value);
    const [key, arg] = entries[0] ?? [];
    if (entries.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::'))) {
      return this.resolveIntrinsic(key, arg);
    }
    return Object.fromEntries(entries.map(([k, v]) => [k, this.resolve(v)]));
  }

  private resolveIntrinsic(fn: string, arg: unknown): unknown {
    switch (fn) {
      case 'Ref':
        return this.ref(String(arg));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/s);
        return this.getAtt(String(logicalId), String(this.resolve(attribute)));
      }
      case 'Fn::Join': {
        const [separator, items] = arg as [string, unknown];
        return (this.resolve(items) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Sub':
        return this.sub(arg);
      case 'Fn::Select': {
        const [index, items] = arg as [unknown, unknown];
        return (this.resolve(items) as unknown[])[Number(this.resolve(index))];
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, unknown];
        return String(this.resolve(source)).split(separator);
      }
      case 'Fn::ImportValue': {
        const exportName = String(this.resolve(arg));
        const value = this.options.resolveImport?.(exportName);
        if (value === undefined) {
          throw new Error(`Fn::ImportValue ${exportName}: pass resolveImport (e.g. from readExports of the exporting stack)`);
        }
        return value;
      }
      case 'Fn::GetStackOutput': {
        const { StackName: stackName, OutputName: outputName } = arg as { StackName: unknown; OutputName: unknown };
        const [stack, output] = [String(this.resolve(stackName)), String(this.resolve(outputName))];
        const value = this.options.resolveStackOutput?.(stack, output);
        if (value === undefined) {
          throw new Error(`Fn::GetStackOutput ${stack}.${output}: pass resolveStackOutput (e.g. from readOutputs of that stack)`);
        }
        return value;
      }
      default:
        throw new Error(`Unsupported intrinsic function ${fn} in a template value`);
    }
  }

  private ref(name: string): string {
    switch (name) {
      case 'AWS::Partition':
        return LOCAL_PARTITION;
      case 'AWS::Region':
        return LOCAL_REGION;
      case 'AWS::AccountId':
        return LOCAL_ACCOUNT_ID;
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter !== undefined && !(name in this.resources)) {
      if (parameter.Default === undefined) {
        throw new Error(`Template parameter ${name} has no default`);
      }
      return String(parameter.Default);
    }
    // Ref on a Lambda function is its name, which locally is its logical id.
    if (this.resources[name]?.Type === 'AWS::Lambda::Function') {
      return name;
    }
    return this.options.resolveRef?.(name) ?? this.defaultRef(name, undefined);
  }

  private getAtt(logicalId: string, attribute: string): string {
    if (this.resources[logicalId]?.Type === 'AWS::Lambda::Function' && attribute === 'Arn') {
      return localLambdaArn(logicalId);
    }
    return this.options.resolveRef?.(logicalId, attribute) ?? this.defaultRef(logicalId, attribute);
  }

  private defaultRef(logicalId: string, attribute: string | undefined): string {
    const resource = this.resources[logicalId];
    if (resource === undefined) {
      throw new Error(`Reference to ${logicalId}, which is not a resource or parameter of the template`);
    }
    // Ref and Arn of a state machine are its ARN; its Name attribute is its name.
    if (resource.Type === 'AWS::StepFunctions::StateMachine') {
      const name = this.stateMachineName(logicalId);
      return attribute === 'Name' ? name : localStateMachineArn(name);
    }
    return logicalId;
  }

  private sub(arg: unknown): string {
    const [text, variables] = Array.isArray(arg) ? (arg as [string, Record<string, unknown>?]) : [String(arg), undefined];
    return text.replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
      if (expression.startsWith('!')) {
        return `\${${expression.slice(1)}}`;
      }
      if (variables && expression in variables) {
        return String(this.resolve(variables[expression]));
      }
      const dot = expression.indexOf('.');
      return dot < 0 || expression.startsWith('AWS::')
        ? this.ref(expression)
        : this.getAtt(expression.slice(0, dot), expression.slice(dot + 1));
    });
  }
}

/**
 * `DefinitionSubstitutions`: `${Name}` in the definition's JSON text becomes the substitution's value, escaped as the
 * inside of a JSON string (where CloudFormation puts them in practice: ARNs, names).
 */
function substitute(text: string, substitutions: Record<string, string>): string {
  return text.replace(/\$\{([^}]+)\}/g, (match, name: string) => {
    const value = substitutions[name];
    return value === undefined ? match : JSON.stringify(value).slice(1, -1);
  });
}
