/**
 * The IAM policies each Lambda function of the synthesized app runs under, read from the two stacks' templates with
 * every reference resolved to the ARNs the local runtime uses, so that the local IAM proxy can evaluate a function's
 * AWS calls exactly against what AWS would.
 */
import {
  type CfnResource,
  type CfnTemplate,
  LOCAL_ACCOUNT_ID,
  LOCAL_PARTITION,
  LOCAL_REGION,
  readExports,
  readLambdaFunctions,
  readOutputs,
  resolveIntrinsics,
  type ResolveOptions,
} from '../step-functions/template.ts';

/** The data (stateful) and service (stateless) stacks' templates, as `synthesizeTemplates` returns them. */
export interface AppTemplates {
  data: CfnTemplate;
  service: CfnTemplate;
}

/** One named policy document, as IAM holds it. */
export interface IdentityPolicy {
  name: string;
  document: PolicyDocument;
}

export interface PolicyDocument {
  Version?: string;
  Statement: Record<string, unknown>[] | Record<string, unknown>;
}

/** Who a function is in IAM, and what its role allows. */
export interface FunctionIdentity {
  /** The function's logical id, which is also its name locally. */
  functionId: string;
  /** The logical id of its execution role, which is also the role's name locally. */
  roleId: string;
  roleArn: string;
  /** The principal its calls are made as: `arn:aws:sts::<account>:assumed-role/<role>/<function>`, as Lambda's session. */
  principalArn: string;
  /** Inline policies, `AWS::IAM::Policy` resources on the role, and customer-managed policies it attaches. */
  policies: IdentityPolicy[];
  /** The role's permissions boundary, when it has one. */
  permissionsBoundary?: IdentityPolicy;
  /**
   * AWS-managed policies the role attaches that grant nothing the proxied services (DynamoDB, S3, Step Functions,
   * KMS) answer, e.g. AWSLambdaBasicExecutionRole (CloudWatch Logs): listed, not evaluated.
   */
  awsManagedPolicyArns: string[];
}

/**
 * What the local runtime names the resources of the templates: the resource that a function's environment variable
 * names in AWS (`TABLE_NAME` → the records table) carries that variable's local value here
 * (`{ TABLE_NAME: 'icp-cancel', BUCKET_NAME: 'icp-cancel-evidence' }`, the values the runtime sets).
 */
export type LocalNames = Record<string, string>;

/**
 * AWS-managed policies that only grant what no proxied call needs (logs, traces, network interfaces). Any other
 * AWS-managed policy is refused: it may grant table, bucket or workflow access that the local evaluation would miss.
 */
const IGNORABLE_AWS_MANAGED_POLICIES = new Set([
  'service-role/AWSLambdaBasicExecutionRole',
  'service-role/AWSLambdaVPCAccessExecutionRole',
  'AWSXRayDaemonWriteAccess',
  'CloudWatchLambdaInsightsExecutionRolePolicy',
]);

const AWS_MANAGED_POLICY = /^arn:[^:]+:iam::aws:policy\/(.+)$/;

/**
 * Every function of the service stack that the local runtime runs (the ones carrying `icp:entry`), with the
 * policies of its role, by logical id.
 *
 * @throws Error when a reference cannot be resolved, or a role attaches an AWS-managed policy that could grant
 * access to the proxied services
 */
export function readFunctionIdentities(templates: AppTemplates, localNames: LocalNames): Map<string, FunctionIdentity> {
  const scope = new LocalScope(templates, localNames);
  const identities = new Map<string, FunctionIdentity>();
  for (const { logicalId } of readLambdaFunctions(templates.service).values()) {
    const fn = templates.service.Resources?.[logicalId] as CfnResource;
    const roleId = targetOf(fn.Properties?.Role);
    const role = roleId === undefined ? undefined : templates.service.Resources?.[roleId];
    if (roleId === undefined || role?.Type !== 'AWS::IAM::Role') {
      throw new Error(`Function ${logicalId}: its Role is not an AWS::IAM::Role of the service stack`);
    }
    identities.set(logicalId, scope.identityOf(logicalId, roleId, role));
  }
  return identities;
}

/**
 * The customer-managed KMS key of each bucket whose default encryption is SSE-KMS, by local bucket name (its ARN):
 * S3 calls KMS with the caller's permissions to write (`kms:GenerateDataKey`) and read (`kms:Decrypt`) its objects.
 * Buckets encrypted with S3-managed keys, or with the AWS-managed `aws/s3` key, need no grant and are absent.
 */
export function readBucketKeys(templates: AppTemplates, localNames: LocalNames): Map<string, string> {
  const scope = new LocalScope(templates, localNames);
  const keys = new Map<string, string>();
  for (const stack of ['data', 'service'] as const) {
    for (const [logicalId, resource] of Object.entries(templates[stack].Resources ?? {})) {
      if (resource.Type !== 'AWS::S3::Bucket') continue;
      const rules = ((resource.Properties?.BucketEncryption as { ServerSideEncryptionConfiguration?: unknown[] } | undefined)
        ?.ServerSideEncryptionConfiguration ?? []) as { ServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: unknown } }[];
      const rule = rules.find((r) => r.ServerSideEncryptionByDefault?.SSEAlgorithm?.startsWith('aws:kms'));
      const keyId = rule?.ServerSideEncryptionByDefault?.KMSMasterKeyID;
      if (keyId === undefined) continue;
      const key = String(scope.resolve(stack, keyId));
      keys.set(scope.localName(stack, logicalId), key.startsWith('arn:') ? key : kmsKeyArn(key));
    }
  }
  return keys;
}

/**
 * The partition key attribute of each DynamoDB table of the templates, by its local name: what a request's
 * `dynamodb:LeadingKeys` is read from (`ClassifyOptions.partitionKeys`).
 */
export function readTablePartitionKeys(templates: AppTemplates, localNames: LocalNames): Map<string, string> {
  const scope = new LocalScope(templates, localNames);
  const partitionKeys = new Map<string, string>();
  for (const stack of ['data', 'service'] as const) {
    for (const [logicalId, resource] of Object.entries(templates[stack].Resources ?? {})) {
      if (resource.Type !== 'AWS::DynamoDB::Table') continue;
      const schema = (resource.Properties?.KeySchema ?? []) as { AttributeName?: string; KeyType?: string }[];
      const hash = schema.find((k) => k.KeyType === 'HASH')?.AttributeName;
      if (hash !== undefined) partitionKeys.set(scope.localName(stack, logicalId), hash);
    }
  }
  return partitionKeys;
}

function kmsKeyArn(keyId: string): string {
  return `arn:${LOCAL_PARTITION}:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:key/${keyId}`;
}

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
function targetOf(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
  if (typeof v.Ref === 'string') return v.Ref;
  if (Array.isArray(v['Fn::GetAtt'])) return String(v['Fn::GetAtt'][0]);
  if (typeof v['Fn::GetAtt'] === 'string') return v['Fn::GetAtt'].split('.')[0];
  return undefined;
}

type Stack = keyof AppTemplates;

/** Resolves references in either template to local names and ARNs. */
class LocalScope {
  /** `<stack>/<logicalId>` → the local name that `localNames` gives it. */
  private readonly names = new Map<string, string>();
  private readonly options: Record<Stack, ResolveOptions>;
  /** Customer-managed policies of both stacks, by their local ARN. */
  private readonly managedPolicies = new Map<string, { stack: Stack; logicalId: string; resource: CfnResource }>();

  constructor(
    private readonly templates: AppTemplates,
    localNames: LocalNames,
  ) {
    this.nameResources(localNames);
    const dataOptions: ResolveOptions = { resolveRef: (id, attribute) => this.ref('data', id, attribute) };
    const dataOutputs = readOutputs(templates.data, dataOptions);
    const dataExports = readExports(templates.data, dataOptions);
    this.options = {
      data: dataOptions,
      service: {
        resolveRef: (id, attribute) => this.ref('service', id, attribute),
        // The service stack reads the data stack's outputs; the data stack is the only other stack of the app.
        resolveStackOutput: (_stack, output) => dataOutputs.get(output),
        resolveImport: (name) => dataExports.get(name),
      },
    };
    for (const stack of ['data', 'service'] as const) {
      for (const [logicalId, resource] of Object.entries(templates[stack].Resources ?? {})) {
        if (resource.Type === 'AWS::IAM::ManagedPolicy') {
          this.managedPolicies.set(this.ref(stack, logicalId) as string, { stack, logicalId, resource });
        }
      }
    }
  }

  resolve(stack: Stack, value: unknown): unknown {
    return resolveIntrinsics(this.templates[stack], value, this.options[stack]);
  }

  localName(stack: Stack, logicalId: string): string {
    return this.names.get(`${stack}/${logicalId}`) ?? logicalId;
  }

  identityOf(functionId: string, roleId: string, role: CfnResource): FunctionIdentity {
    const service = this.templates.service;
    const policies: IdentityPolicy[] = [];
    for (const inline of (role.Properties?.Policies ?? []) as { PolicyName: unknown; PolicyDocument: unknown }[]) {
      policies.push(this.policy('service', String(this.resolve('service', inline.PolicyName)), inline.PolicyDocument));
    }
    for (const [logicalId, resource] of Object.entries(service.Resources ?? {})) {
      const roles = (resource.Properties?.Roles ?? []) as unknown[];
      if (!roles.some((r) => targetOf(r) === roleId)) continue;
      if (resource.Type === 'AWS::IAM::Policy') policies.push(this.policy('service', logicalId, resource.Properties?.PolicyDocument));
      if (resource.Type === 'AWS::IAM::ManagedPolicy') policies.push(this.policy('service', logicalId, resource.Properties?.PolicyDocument));
    }
    const awsManagedPolicyArns: string[] = [];
    for (const reference of (role.Properties?.ManagedPolicyArns ?? []) as unknown[]) {
      const arn = String(this.resolve('service', reference));
      const managed = this.managedPolicies.get(arn);
      if (managed) {
        policies.push(this.policy(managed.stack, managed.logicalId, managed.resource.Properties?.PolicyDocument));
        continue;
      }
      const awsManaged = AWS_MANAGED_POLICY.exec(arn)?.[1];
      if (awsManaged === undefined || !IGNORABLE_AWS_MANAGED_POLICIES.has(awsManaged)) {
        throw new Error(
          `Role ${roleId} of ${functionId} attaches ${arn}, which is neither a policy of the templates nor an AWS-managed ` +
            'policy known to grant nothing the local IAM proxy evaluates',
        );
      }
      awsManagedPolicyArns.push(arn);
    }
    const boundaryArn = role.Properties?.PermissionsBoundary;
    let permissionsBoundary: IdentityPolicy | undefined;
    if (boundaryArn !== undefined) {
      const arn = String(this.resolve('service', boundaryArn));
      const boundary = this.managedPolicies.get(arn);
      if (!boundary) throw new Error(`Role ${roleId} of ${functionId}: permissions boundary ${arn} is not a policy of the templates`);
      permissionsBoundary = this.policy(boundary.stack, boundary.logicalId, boundary.resource.Properties?.PolicyDocument);
    }
    return {
      functionId,
      roleId,
      roleArn: `arn:${LOCAL_PARTITION}:iam::${LOCAL_ACCOUNT_ID}:role/${roleId}`,
      principalArn: `arn:${LOCAL_PARTITION}:sts::${LOCAL_ACCOUNT_ID}:assumed-role/${roleId}/${functionId}`,
      policies,
      ...(permissionsBoundary ? { permissionsBoundary } : {}),
      awsManagedPolicyArns,
    };
  }

  private policy(stack: Stack, name: string, document: unknown): IdentityPolicy {
    return { name, document: this.resolve(stack, document) as PolicyDocument };
  }

  /**
   * Finds the resource behind each variable of `localNames` through the functions' environment (a `Ref`, or an
   * output or export of the data stack) and gives it that name.
   */
  private nameResources(localNames: LocalNames): void {
    const data = this.templates.data;
    for (const fn of Object.values(this.templates.service.Resources ?? {})) {
      if (fn.Type !== 'AWS::Lambda::Function') continue;
      const variables = ((fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
      for (const [variable, name] of Object.entries(localNames)) {
        const value = variables[variable] as Record<string, unknown> | undefined;
        if (value === undefined) continue;
        let key: string | undefined;
        const output = value['Fn::GetStackOutput'] as { OutputName?: unknown } | undefined;
        const imported = value['Fn::ImportValue'];
        if (output) key = `data/${targetOf(data.Outputs?.[String(output.OutputName)]?.Value)}`;
        else if (typeof imported === 'string') {
          const exported = Object.values(data.Outputs ?? {}).find((o) => o.Export?.Name === imported);
          key = `data/${targetOf(exported?.Value)}`;
        } else if (targetOf(value)) key = `service/${targetOf(value)}`;
        if (key === undefined || key.endsWith('/undefined')) {
          throw new Error(`Environment variable ${variable} does not name a resource the local IAM proxy can follow`);
        }
        const known = this.names.get(key);
        if (known !== undefined && known !== name) throw new Error(`${key} is named both ${known} and ${name} locally`);
        this.names.set(key, name);
      }
    }
  }

  /** `Ref` and `Fn::GetAtt` of a resource that is not a Lambda function or a state machine (template.ts knows those). */
  private ref(stack: Stack, logicalId: string, attribute?: string): string | undefined {
    const resource = this.templates[stack].Resources?.[logicalId];
    if (resource === undefined) return undefined;
    const name = this.localName(stack, logicalId);
    const arn = (service: string, resource: string, region = LOCAL_REGION, account = LOCAL_ACCOUNT_ID) =>
      `arn:${LOCAL_PARTITION}:${service}:${region}:${account}:${resource}`;
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        if (attribute === undefined) return name;
        return attribute === 'StreamArn' ? arn('dynamodb', `table/${name}/stream/local`) : arn('dynamodb', `table/${name}`);
      case 'AWS::S3::Bucket':
        return attribute === undefined ? name : attribute === 'Arn' ? `arn:${LOCAL_PARTITION}:s3:::${name}` : `${name}.s3.local`;
      case 'AWS::IAM::ManagedPolicy':
        return `arn:${LOCAL_PARTITION}:iam::${LOCAL_ACCOUNT_ID}:policy/${stack}/${name}`;
      case 'AWS::IAM::Role':
        return attribute === undefined ? name : `arn:${LOCAL_PARTITION}:iam::${LOCAL_ACCOUNT_ID}:role/${name}`;
      case 'AWS::KMS::Key':
        return attribute === undefined || attribute === 'KeyId' ? name : kmsKeyArn(name);
      case 'AWS::SQS::Queue':
        return attribute === undefined ? `https://sqs.${LOCAL_REGION}.amazonaws.com/${LOCAL_ACCOUNT_ID}/${name}` : arn('sqs', name);
      case 'AWS::SNS::Topic':
        return arn('sns', name);
      case 'AWS::Logs::LogGroup':
        return attribute === undefined ? name : arn('logs', `log-group:${name}:*`);
      default:
        return undefined;
    }
  }
}
