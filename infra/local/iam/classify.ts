/**
 * Which IAM authorisations AWS makes for an AWS API request, read from the request as the SDK sends it: the actions a
 * call really needs (`GetObject` with a `versionId` is `s3:GetObjectVersion`; a `TransactWriteItems` is each item's
 * own action), on the resources it names, in the local account and region.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { LOCAL_ACCOUNT_ID, LOCAL_PARTITION, LOCAL_REGION } from '../step-functions/template.ts';

/** The services the local IAM proxy stands in front of (their SigV4 signing names). */
export type ProxiedService = 'dynamodb' | 's3' | 'states';

/** An AWS API request as it arrives over HTTP. */
export interface RawRequest {
  method: string;
  /** Path and query as received, still percent-encoded (`/bucket/a%20key?versionId=3`). */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body, for the JSON protocols (DynamoDB, Step Functions); S3 is classified without it. */
  body?: Buffer;
}

/** One authorisation AWS makes: may the caller perform `action` on `resource` (with these condition keys)? */
export interface AuthorizationRequest {
  action: string;
  resource: string;
  /** Condition context keys the request sets (`s3:prefix` of a listing…). */
  context?: Record<string, string | string[]>;
}

/** The operation a request calls and the authorisations it needs, all of which must be allowed. */
export interface Classification {
  /** `PutItem`, `GetObject`, `StartExecution`… */
  operation: string;
  authorizations: AuthorizationRequest[];
}

export interface ClassifyOptions {
  /**
   * The customer-managed KMS key of each bucket encrypted with SSE-KMS by default (bucket name → key ARN; see
   * `readBucketKeys`): reading and writing its objects needs `kms:Decrypt` / `kms:GenerateDataKey` on the key too.
   */
  bucketKeys?: ReadonlyMap<string, string>;
  /**
   * The ARN of the state machine whose execution a task token belongs to. AWS authorises `SendTaskSuccess`,
   * `SendTaskFailure` and `SendTaskHeartbeat` on that state machine (its denials name it), although the service
   * reference lists no resource type for them; without an answer, `*`.
   */
  stateMachineOfTaskToken?: (taskToken: string) => string | undefined;
  /**
   * The partition key attribute of each table, by its name (see `readTablePartitionKeys`): with it, an item operation
   * sets `dynamodb:LeadingKeys` to the partition key values it names, as AWS does (for fine-grained access by key
   * prefix). `Query` and `Scan` do not set it here (their keys are in an expression).
   */
  partitionKeys?: ReadonlyMap<string, string>;
}

/** A request the classifier does not know the IAM actions of: the proxy refuses it rather than guess. */
export class UnclassifiedRequestError extends Error {
  override readonly name = 'UnclassifiedRequestError';
}

const DYNAMODB_TARGET = 'DynamoDB_20120810.';
const STATES_TARGET = 'AWSStepFunctions.';

/**
 * The authorisations AWS makes for `request` to `service`.
 *
 * @throws UnclassifiedRequestError for an operation or request shape this module does not know
 */
export function classifyRequest(service: ProxiedService, request: RawRequest, options: ClassifyOptions = {}): Classification {
  switch (service) {
    case 'dynamodb':
      return classifyDynamoDb(request, options);
    case 's3':
      return classifyS3(request, options);
    case 'states':
      return classifyStates(request, options);
  }
}

/**
 * The access key id a request is signed with: from the `Authorization` header (`Credential=<id>/<scope>`), or from
 * the `X-Amz-Credential` query parameter of a presigned URL. Undefined for an unsigned request.
 */
export function accessKeyIdOf(request: Pick<RawRequest, 'url' | 'headers'>): string | undefined {
  const authorization = request.headers.authorization;
  if (typeof authorization === 'string') return /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
  const credential = queryOf(request.url).get('X-Amz-Credential');
  return credential?.split('/')[0] || undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// DynamoDB (awsJson1_0: POST / with X-Amz-Target: DynamoDB_20120810.<Operation>)

type Json = Record<string, unknown>;

function classifyDynamoDb(request: RawRequest, options: ClassifyOptions): Classification {
  const operation = targetOperation(request, DYNAMODB_TARGET);
  const body = jsonBody(request);
  const table = (name: unknown) => dynamoTableArn(String(name));
  /** `{ dynamodb:LeadingKeys }` of the items named (each a `Key` or an `Item`) in table `name`, when its key is known. */
  const leadingKeys = (name: unknown, items: unknown[]): { context?: Record<string, string[]> } => {
    const attribute = options.partitionKeys?.get(String(name).split('/').pop() ?? '');
    if (attribute === undefined) return {};
    const values = items.flatMap((item) => {
      const value = (item as Record<string, Record<string, unknown>> | undefined)?.[attribute];
      const scalar = value?.S ?? value?.N ?? value?.B;
      return typeof scalar === 'string' ? [scalar] : [];
    });
    return { context: { 'dynamodb:LeadingKeys': [...new Set(values)] } };
  };
  const requireTable = (): string => {
    if (typeof body.TableName !== 'string') throw new UnclassifiedRequestError(`DynamoDB ${operation} without a TableName`);
    return body.TableName;
  };
  switch (operation) {
    case 'TransactWriteItems': {
      // AWS authorises a transaction item by item, each with the action of its kind; there is no action of its own.
      const kinds = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem' } as const;
      const authorizations = ((body.TransactItems ?? []) as Json[]).map((item) => {
        const [kind, spec] = Object.entries(item)[0] ?? [];
        const action = kinds[kind as keyof typeof kinds];
        if (action === undefined) throw new UnclassifiedRequestError(`DynamoDB TransactWriteItems item of kind ${String(kind)}`);
        const { TableName, Key, Item } = spec as Json;
        return { action: `dynamodb:${action}`, resource: table(TableName), ...leadingKeys(TableName, [Key ?? Item]) };
      });
      return { operation, authorizations: distinct(authorizations) };
    }
    case 'TransactGetItems': {
      const authorizations = ((body.TransactItems ?? []) as Json[]).map((item) => ({
        action: 'dynamodb:GetItem',
        resource: table((item.Get as Json | undefined)?.TableName),
        ...leadingKeys((item.Get as Json | undefined)?.TableName, [(item.Get as Json | undefined)?.Key]),
      }));
      return { operation, authorizations: distinct(authorizations) };
    }
    case 'BatchGetItem':
    case 'BatchWriteItem': {
      const requests = Object.entries((body.RequestItems ?? {}) as Record<string, Json | Json[]>);
      const itemsOf = (spec: Json | Json[]): unknown[] =>
        Array.isArray(spec)
          ? spec.map((r) => (r.PutRequest as Json | undefined)?.Item ?? (r.DeleteRequest as Json | undefined)?.Key)
          : ((spec.Keys ?? []) as unknown[]);
      return {
        operation,
        authorizations: requests.map(([name, spec]) => ({ action: `dynamodb:${operation}`, resource: table(name), ...leadingKeys(name, itemsOf(spec)) })),
      };
    }
    case 'Query':
    case 'Scan': {
      // Reading an index is authorised on the index's ARN, which a grant on the table alone does not cover.
      const name = requireTable();
      const resource = typeof body.IndexName === 'string' ? `${table(name)}/index/${body.IndexName}` : table(name);
      return one(operation, `dynamodb:${operation}`, resource);
    }
    case 'ListTables':
    case 'DescribeLimits':
    case 'DescribeEndpoints':
      return one(operation, `dynamodb:${operation}`, '*');
    case 'ExecuteStatement':
    case 'BatchExecuteStatement':
    case 'ExecuteTransaction':
      // PartiQL is authorised per statement kind (dynamodb:PartiQLSelect…), on tables named inside the statement.
      throw new UnclassifiedRequestError(`DynamoDB ${operation} (PartiQL) is not classified locally`);
    case 'GetItem':
    case 'PutItem':
    case 'UpdateItem':
    case 'DeleteItem': {
      const name = requireTable();
      const keys = leadingKeys(name, [body.Key ?? body.Item]);
      return { operation, authorizations: [{ action: `dynamodb:${operation}`, resource: table(name), ...keys }] };
    }
    default:
      // Every other operation acts on the table it names, under the action of its own name.
      return one(operation, `dynamodb:${operation}`, table(requireTable()));
  }
}

/** A KMS key's ARN from its ARN, id or alias. */
function kmsKeyArn(key: string): string {
  if (key.startsWith('arn:')) return key;
  return `arn:${LOCAL_PARTITION}:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${key.startsWith('alias/') ? key : `key/${key}`}`;
}

/** A table's ARN from a `TableName`, which may be the ARN itself. */
function dynamoTableArn(name: string): string {
  return name.startsWith('arn:') ? name : `arn:${LOCAL_PARTITION}:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:table/${name}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Step Functions (awsJson1_0: POST / with X-Amz-Target: AWSStepFunctions.<Operation>)

function classifyStates(request: RawRequest, options: ClassifyOptions): Classification {
  const operation = targetOperation(request, STATES_TARGET);
  const body = jsonBody(request);
  const action = `states:${operation}`;
  switch (operation) {
    case 'SendTaskSuccess':
    case 'SendTaskFailure':
    case 'SendTaskHeartbeat': {
      const token = typeof body.taskToken === 'string' ? body.taskToken : '';
      return one(operation, action, options.stateMachineOfTaskToken?.(token) ?? '*');
    }
    case 'ListStateMachines':
    case 'ListActivities':
    case 'CreateStateMachine':
    case 'CreateActivity':
      return one(operation, action, '*');
    default: {
      // The rest act on the execution or state machine (or activity, map run) whose ARN they carry.
      const arn = ['executionArn', 'stateMachineArn', 'activityArn', 'mapRunArn', 'resourceArn']
        .map((member) => body[member])
        .find((value): value is string => typeof value === 'string');
      if (arn === undefined) throw new UnclassifiedRequestError(`Step Functions ${operation} without an ARN to authorise`);
      return one(operation, action, arn);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// S3 (REST, path-style: /<bucket>/<key>?<subresource>)

/** Subresources of an object GET and the read action each needs (`…Version` when a version is named). */
const OBJECT_GET_SUBRESOURCES: Record<string, [string, string]> = {
  tagging: ['s3:GetObjectTagging', 's3:GetObjectVersionTagging'],
  acl: ['s3:GetObjectAcl', 's3:GetObjectVersionAcl'],
  attributes: ['s3:GetObjectAttributes', 's3:GetObjectVersionAttributes'],
  retention: ['s3:GetObjectRetention', 's3:GetObjectRetention'],
  'legal-hold': ['s3:GetObjectLegalHold', 's3:GetObjectLegalHold'],
};

function classifyS3(request: RawRequest, options: ClassifyOptions): Classification {
  const queryStart = request.url.indexOf('?');
  const path = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const query = queryOf(request.url);
  const [bucketSegment = '', ...keySegments] = path.replace(/^\//, '').split('/');
  const bucket = decode(bucketSegment);
  const key = keySegments.map(decode).join('/');
  const method = request.method.toUpperCase();
  if (bucket === '') {
    if (method === 'GET') return one('ListBuckets', 's3:ListAllMyBuckets', '*');
    throw new UnclassifiedRequestError(`S3 ${method} / (only path-style requests are classified)`);
  }
  const bucketArn = `arn:${LOCAL_PARTITION}:s3:::${bucket}`;
  const objectArn = `${bucketArn}/${key}`;
  const versioned = query.has('versionId');
  const onObject = (operation: string, action: string, versionAction = action) =>
    one(operation, versioned ? versionAction : action, objectArn);
  const viaS3 = { 'kms:ViaService': `s3.${LOCAL_REGION}.amazonaws.com`, 'kms:CallerAccount': LOCAL_ACCOUNT_ID };
  const kms = (action: 'kms:Decrypt' | 'kms:GenerateDataKey', keyArn: string | undefined): AuthorizationRequest[] =>
    keyArn === undefined ? [] : [{ action, resource: kmsKeyArn(keyArn), context: viaS3 }];
  // Objects are read with the bucket's default key (objects written under another key are not tracked here).
  const readKms = (ofBucket: string) => kms('kms:Decrypt', options.bucketKeys?.get(ofBucket));
  // A write uses the key the request names, else the bucket's default; `aws:kms` without a key is the AWS-managed
  // aws/s3 key, whose key policy lets every caller S3 serves use it, and AES256 uses no KMS key at all.
  const encryption = headerOf(request.headers, 'x-amz-server-side-encryption');
  const writeKms = () =>
    kms(
      'kms:GenerateDataKey',
      encryption === undefined
        ? options.bucketKeys?.get(bucket)
        : encryption.startsWith('aws:kms')
          ? headerOf(request.headers, 'x-amz-server-side-encryption-aws-kms-key-id')
          : undefined,
    );

  if (key === '') return classifyBucket(method, bucket, bucketArn, query);

  switch (method) {
    case 'GET':
    case 'HEAD': {
      for (const [subresource, [action, versionAction]] of Object.entries(OBJECT_GET_SUBRESOURCES)) {
        if (query.has(subresource)) return onObject(`GetObject${pascal(subresource)}`, action, versionAction);
      }
      if (query.has('uploadId')) return onObject('ListParts', 's3:ListMultipartUploadParts');
      const read = { action: versioned ? 's3:GetObjectVersion' : 's3:GetObject', resource: objectArn };
      // HEAD returns metadata only; reading the data of an SSE-KMS object decrypts it with the caller's permissions.
      return method === 'HEAD'
        ? { operation: 'HeadObject', authorizations: [read] }
        : { operation: 'GetObject', authorizations: [read, ...readKms(bucket)] };
    }
    case 'PUT': {
      if (query.has('tagging')) return onObject('PutObjectTagging', 's3:PutObjectTagging', 's3:PutObjectVersionTagging');
      if (query.has('acl')) return onObject('PutObjectAcl', 's3:PutObjectAcl', 's3:PutObjectVersionAcl');
      const write = { action: 's3:PutObject', resource: objectArn };
      const copySource = headerOf(request.headers, 'x-amz-copy-source');
      if (copySource !== undefined) {
        // A copy reads its source (at a version, when one is named) and writes the target.
        const [sourcePath = '', sourceQuery = ''] = copySource.split('?');
        const sourceAction = new URLSearchParams(sourceQuery).has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject';
        const source = decode(sourcePath.replace(/^\//, ''));
        return {
          operation: query.has('partNumber') ? 'UploadPartCopy' : 'CopyObject',
          authorizations: [
            { action: sourceAction, resource: `arn:${LOCAL_PARTITION}:s3:::${source}` },
            ...readKms(source.split('/')[0] ?? ''),
            write,
            ...writeKms(),
          ],
        };
      }
      return { operation: query.has('partNumber') ? 'UploadPart' : 'PutObject', authorizations: [write, ...writeKms()] };
    }
    case 'POST': {
      if (query.has('uploads')) {
        return { operation: 'CreateMultipartUpload', authorizations: [{ action: 's3:PutObject', resource: objectArn }, ...writeKms()] };
      }
      if (query.has('uploadId')) return onObject('CompleteMultipartUpload', 's3:PutObject');
      throw new UnclassifiedRequestError(`S3 POST on an object with query ${[...query.keys()].join('&')}`);
    }
    case 'DELETE': {
      if (query.has('uploadId')) return onObject('AbortMultipartUpload', 's3:AbortMultipartUpload');
      if (query.has('tagging')) return onObject('DeleteObjectTagging', 's3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging');
      return onObject('DeleteObject', 's3:DeleteObject', 's3:DeleteObjectVersion');
    }
    default:
      throw new UnclassifiedRequestError(`S3 ${method} on an object`);
  }
}

/** Bucket configuration subresources, which no function reads or writes. */
const BUCKET_CONFIGURATION = ['cors', 'versioning', 'notification', 'policy', 'encryption', 'tagging', 'acl', 'lifecycle'];

function classifyBucket(method: string, bucket: string, bucketArn: string, query: URLSearchParams): Classification {
  if (method === 'HEAD') return one('HeadBucket', 's3:ListBucket', bucketArn);
  if (method === 'GET') {
    if (query.has('versions')) return one('ListObjectVersions', 's3:ListBucketVersions', bucketArn, listingContext(query));
    if (query.has('uploads')) return one('ListMultipartUploads', 's3:ListBucketMultipartUploads', bucketArn);
    if (query.has('location')) return one('GetBucketLocation', 's3:GetBucketLocation', bucketArn);
    const configuration = BUCKET_CONFIGURATION.find((q) => query.has(q));
    if (configuration !== undefined) throw new UnclassifiedRequestError(`S3 GET ${bucket}?${configuration} (bucket configuration)`);
    return one(query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects', 's3:ListBucket', bucketArn, listingContext(query));
  }
  if (method === 'PUT' && [...query.keys()].length === 0) return one('CreateBucket', 's3:CreateBucket', bucketArn);
  // Multi-object delete authorises s3:DeleteObject per key listed in its XML body, which is not read here.
  throw new UnclassifiedRequestError(`S3 ${method} on bucket ${bucket} with query ${[...query.keys()].join('&') || '(none)'}`);
}

/** A call that needs one authorisation. */
function one(operation: string, action: string, resource: string, context?: Record<string, string>): Classification {
  return { operation, authorizations: [{ action, resource, ...(context ? { context } : {}) }] };
}

/** The condition keys of a listing (`s3:prefix`, `s3:delimiter`, `s3:max-keys`), as S3 sets them from the query. */
function listingContext(query: URLSearchParams): Record<string, string> {
  const context: Record<string, string> = {};
  const keys = [
    ['prefix', 's3:prefix'],
    ['delimiter', 's3:delimiter'],
    ['max-keys', 's3:max-keys'],
  ] as const;
  for (const [parameter, key] of keys) {
    const value = query.get(parameter);
    if (value !== null) context[key] = value;
  }
  return context;
}

// ---------------------------------------------------------------------------------------------------------------

function targetOperation(request: RawRequest, prefix: string): string {
  const target = headerOf(request.headers, 'x-amz-target') ?? '';
  if (!target.startsWith(prefix)) throw new UnclassifiedRequestError(`X-Amz-Target ${target || '(none)'} is not ${prefix}<Operation>`);
  return target.slice(prefix.length);
}

function jsonBody(request: RawRequest): Json {
  const text = request.body?.toString('utf8') ?? '';
  if (text.trim() === '') return {};
  try {
    const body: unknown = JSON.parse(text);
    if (body !== null && typeof body === 'object' && !Array.isArray(body)) return body as Json;
  } catch {
    // refused below
  }
  throw new UnclassifiedRequestError('The request body is not a JSON object');
}

function queryOf(url: string): URLSearchParams {
  const queryStart = url.indexOf('?');
  return new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));
}

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new UnclassifiedRequestError(`Malformed percent-encoding in ${segment}`);
  }
}

function pascal(text: string): string {
  return text.replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase());
}

function distinct(requests: AuthorizationRequest[]): AuthorizationRequest[] {
  const seen = new Set<string>();
  return requests.filter((r) => {
    const key = `${r.action} ${r.resource} ${JSON.stringify(r.context ?? {})}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
