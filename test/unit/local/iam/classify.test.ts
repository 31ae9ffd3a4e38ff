import { describe, expect, it } from 'vitest';
import { accessKeyIdOf, classifyRequest, type RawRequest, UnclassifiedRequestError } from '../../../../infra/local/iam/classify.ts';

const TABLE_ARN = 'arn:aws:dynamodb:local:000000000000:table/icp-cancel';
const BUCKET_ARN = 'arn:aws:s3:::icp-cancel-evidence';
const MACHINE_ARN = 'arn:aws:states:local:000000000000:stateMachine:IcpCancelService-review';

/** A JSON-protocol request as the SDK sends it. */
const json = (target: string, body: unknown): RawRequest => ({
  method: 'POST',
  url: '/',
  headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0' },
  body: Buffer.from(JSON.stringify(body)),
});
const dynamo = (operation: string, body: unknown) => classifyRequest('dynamodb', json(`DynamoDB_20120810.${operation}`, body));
const states = (operation: string, body: unknown, options = {}) => classifyRequest('states', json(`AWSStepFunctions.${operation}`, body), options);
const s3 = (method: string, url: string, headers: RawRequest['headers'] = {}, options = {}) => classifyRequest('s3', { method, url, headers }, options);

describe('classifyRequest: DynamoDB', () => {
  it.each([
    ['GetItem', { TableName: 'icp-cancel', Key: {} }, 'dynamodb:GetItem', TABLE_ARN],
    ['PutItem', { TableName: 'icp-cancel', Item: {} }, 'dynamodb:PutItem', TABLE_ARN],
    ['UpdateItem', { TableName: 'icp-cancel', Key: {} }, 'dynamodb:UpdateItem', TABLE_ARN],
    ['DeleteItem', { TableName: 'icp-cancel', Key: {} }, 'dynamodb:DeleteItem', TABLE_ARN],
    ['DescribeTable', { TableName: 'icp-cancel' }, 'dynamodb:DescribeTable', TABLE_ARN],
    ['Query', { TableName: 'icp-cancel' }, 'dynamodb:Query', TABLE_ARN],
    ['Query', { TableName: 'icp-cancel', IndexName: 'gsi1' }, 'dynamodb:Query', `${TABLE_ARN}/index/gsi1`],
    ['Scan', { TableName: 'icp-cancel', IndexName: 'gsi2' }, 'dynamodb:Scan', `${TABLE_ARN}/index/gsi2`],
    ['GetItem', { TableName: TABLE_ARN, Key: {} }, 'dynamodb:GetItem', TABLE_ARN],
    ['ListTables', {}, 'dynamodb:ListTables', '*'],
  ])('%s %j needs %s on %s', (operation, body, action, resource) => {
    // Prepare
    // Act
    const classification = dynamo(operation, body);

    // Assess
    expect(classification).toEqual({ operation, authorizations: [{ action, resource }] });
  });

  it("authorises TransactWriteItems item by item, each with its kind's action (no action of its own)", () => {
    // Prepare
    const body = {
      TransactItems: [
        { Put: { TableName: 'icp-cancel', Item: {} } },
        { Update: { TableName: 'icp-cancel', Key: {} } },
        { Put: { TableName: 'icp-cancel', Item: {} } },
        { Delete: { TableName: 'other', Key: {} } },
        { ConditionCheck: { TableName: 'icp-cancel', Key: {}, ConditionExpression: 'attribute_exists(pk)' } },
      ],
    };

    // Act
    const classification = dynamo('TransactWriteItems', body);

    // Assess
    expect(classification.authorizations).toEqual([
      { action: 'dynamodb:PutItem', resource: TABLE_ARN },
      { action: 'dynamodb:UpdateItem', resource: TABLE_ARN },
      { action: 'dynamodb:DeleteItem', resource: 'arn:aws:dynamodb:local:000000000000:table/other' },
      { action: 'dynamodb:ConditionCheckItem', resource: TABLE_ARN },
    ]);
  });

  it('authorises TransactGetItems with GetItem, and the batch operations with their own action per table', () => {
    // Prepare
    // Act
    const transactGet = dynamo('TransactGetItems', { TransactItems: [{ Get: { TableName: 'icp-cancel', Key: {} } }] });
    const batchGet = dynamo('BatchGetItem', { RequestItems: { 'icp-cancel': { Keys: [] }, other: { Keys: [] } } });
    const batchWrite = dynamo('BatchWriteItem', { RequestItems: { 'icp-cancel': [] } });

    // Assess
    expect(transactGet.authorizations).toEqual([{ action: 'dynamodb:GetItem', resource: TABLE_ARN }]);
    expect(batchGet.authorizations).toEqual([
      { action: 'dynamodb:BatchGetItem', resource: TABLE_ARN },
      { action: 'dynamodb:BatchGetItem', resource: 'arn:aws:dynamodb:local:000000000000:table/other' },
    ]);
    expect(batchWrite.authorizations).toEqual([{ action: 'dynamodb:BatchWriteItem', resource: TABLE_ARN }]);
  });

  it('sets dynamodb:LeadingKeys to the partition keys an item operation names, when the table\'s partition key is known', () => {
    // Prepare
    const options = { partitionKeys: new Map([['icp-cancel', 'pk']]) };
    const classify = (operation: string, body: unknown) => classifyRequest('dynamodb', json(`DynamoDB_20120810.${operation}`, body), options);
    const key = (pk: string) => ({ pk: { S: pk }, sk: { S: 'X' } });

    // Act
    const update = classify('UpdateItem', { TableName: 'icp-cancel', Key: key('KEYUSE#key_1') });
    const put = classify('PutItem', { TableName: TABLE_ARN, Item: { ...key('APP#a'), status: { S: 'draft' } } });
    const transact = classify('TransactWriteItems', {
      TransactItems: [{ Put: { TableName: 'icp-cancel', Item: key('APP#a') } }, { Update: { TableName: 'icp-cancel', Key: key('EVENT#e') } }],
    });
    const batchGet = classify('BatchGetItem', { RequestItems: { 'icp-cancel': { Keys: [key('APP#a'), key('APP#b'), key('APP#a')] } } });
    const otherTable = classify('GetItem', { TableName: 'other', Key: key('APP#a') });

    // Assess
    expect(update.authorizations).toEqual([{ action: 'dynamodb:UpdateItem', resource: TABLE_ARN, context: { 'dynamodb:LeadingKeys': ['KEYUSE#key_1'] } }]);
    expect(put.authorizations[0]?.context).toEqual({ 'dynamodb:LeadingKeys': ['APP#a'] });
    expect(transact.authorizations.map((a) => a.context)).toEqual([{ 'dynamodb:LeadingKeys': ['APP#a'] }, { 'dynamodb:LeadingKeys': ['EVENT#e'] }]);
    expect(batchGet.authorizations[0]?.context).toEqual({ 'dynamodb:LeadingKeys': ['APP#a', 'APP#b'] });
    expect(otherTable.authorizations[0]).toEqual({ action: 'dynamodb:GetItem', resource: 'arn:aws:dynamodb:local:000000000000:table/other' });
  });

  it('refuses what it cannot classify (PartiQL, an unknown item kind, no target) instead of guessing', () => {
    // Prepare
    // Act
    const partiql = () => dynamo('ExecuteStatement', { Statement: 'SELECT * FROM "icp-cancel"' });
    const unknownKind = () => dynamo('TransactWriteItems', { TransactItems: [{ Upsert: { TableName: 'icp-cancel' } }] });
    const noTarget = () => classifyRequest('dynamodb', { method: 'POST', url: '/', headers: {}, body: Buffer.from('{}') });

    // Assess
    expect(partiql).toThrow(UnclassifiedRequestError);
    expect(unknownKind).toThrow(/Upsert/);
    expect(noTarget).toThrow(UnclassifiedRequestError);
  });
});

describe('classifyRequest: S3 (path-style)', () => {
  const manifest = `${BUCKET_ARN}/batch-manifests/t1/b1/manifest.csv`;

  it.each([
    ['GET', '/icp-cancel-evidence/batch-manifests/t1/b1/manifest.csv?x-id=GetObject', 'GetObject', 's3:GetObject', manifest],
    ['GET', '/icp-cancel-evidence/batch-manifests/t1/b1/manifest.csv?versionId=3HL4kqtJ&x-id=GetObject', 'GetObject', 's3:GetObjectVersion', manifest],
    ['HEAD', '/icp-cancel-evidence/batch-manifests/t1/b1/manifest.csv', 'HeadObject', 's3:GetObject', manifest],
    ['HEAD', '/icp-cancel-evidence/batch-manifests/t1/b1/manifest.csv?versionId=3HL4kqtJ', 'HeadObject', 's3:GetObjectVersion', manifest],
    ['PUT', '/icp-cancel-evidence/evidence/a%20b%2Bc.pdf?x-id=PutObject', 'PutObject', 's3:PutObject', `${BUCKET_ARN}/evidence/a b+c.pdf`],
    ['DELETE', '/icp-cancel-evidence/evidence/a.pdf', 'DeleteObject', 's3:DeleteObject', `${BUCKET_ARN}/evidence/a.pdf`],
    ['DELETE', '/icp-cancel-evidence/evidence/a.pdf?versionId=7', 'DeleteObject', 's3:DeleteObjectVersion', `${BUCKET_ARN}/evidence/a.pdf`],
    ['GET', '/icp-cancel-evidence/evidence/a.pdf?tagging', 'GetObjectTagging', 's3:GetObjectTagging', `${BUCKET_ARN}/evidence/a.pdf`],
    ['POST', '/icp-cancel-evidence/batch-files/r.csv?uploads', 'CreateMultipartUpload', 's3:PutObject', `${BUCKET_ARN}/batch-files/r.csv`],
    ['PUT', '/icp-cancel-evidence/batch-files/r.csv?partNumber=2&uploadId=u', 'UploadPart', 's3:PutObject', `${BUCKET_ARN}/batch-files/r.csv`],
    ['DELETE', '/icp-cancel-evidence/batch-files/r.csv?uploadId=u', 'AbortMultipartUpload', 's3:AbortMultipartUpload', `${BUCKET_ARN}/batch-files/r.csv`],
    ['HEAD', '/icp-cancel-evidence', 'HeadBucket', 's3:ListBucket', BUCKET_ARN],
  ])('%s %s is %s: %s on %s', (method, url, operation, action, resource) => {
    // Prepare
    // Act
    const classification = s3(method, url);

    // Assess
    expect(classification).toEqual({ operation, authorizations: [{ action, resource }] });
  });

  it('authorises a listing with s3:ListBucket on the bucket, with its prefix, delimiter and max-keys as condition keys', () => {
    // Prepare
    // Act
    const classification = s3('GET', '/icp-cancel-evidence?list-type=2&prefix=batch-files%2Ft1%2F&delimiter=%2F&max-keys=10');

    // Assess
    expect(classification).toEqual({
      operation: 'ListObjectsV2',
      authorizations: [{ action: 's3:ListBucket', resource: BUCKET_ARN, context: { 's3:prefix': 'batch-files/t1/', 's3:delimiter': '/', 's3:max-keys': '10' } }],
    });
  });

  it('authorises a copy as a read of its source (at its version) and a write of its target', () => {
    // Prepare
    // Act
    const classification = s3('PUT', '/icp-cancel-evidence/batch-files/copy.csv', {
      'x-amz-copy-source': '/icp-cancel-evidence/batch-manifests/m.csv?versionId=9',
    });

    // Assess
    expect(classification).toEqual({
      operation: 'CopyObject',
      authorizations: [
        { action: 's3:GetObjectVersion', resource: `${BUCKET_ARN}/batch-manifests/m.csv` },
        { action: 's3:PutObject', resource: `${BUCKET_ARN}/batch-files/copy.csv` },
      ],
    });
  });

  it("adds the KMS calls S3 makes with the caller's permissions when the bucket's default encryption is a customer key", () => {
    // Prepare
    const key = 'arn:aws:kms:local:000000000000:key/EvidenceKey';
    const options = { bucketKeys: new Map([['icp-cancel-evidence', key]]) };
    const viaS3 = { 'kms:ViaService': 's3.local.amazonaws.com', 'kms:CallerAccount': '000000000000' };

    // Act
    const put = s3('PUT', '/icp-cancel-evidence/evidence/a.pdf', {}, options);
    const get = s3('GET', '/icp-cancel-evidence/evidence/a.pdf', {}, options);
    const head = s3('HEAD', '/icp-cancel-evidence/evidence/a.pdf', {}, options);
    const sseS3 = s3('PUT', '/icp-cancel-evidence/evidence/b.pdf', { 'x-amz-server-side-encryption': 'AES256' }, options);
    const otherKey = s3('PUT', '/plain-bucket/x', { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'OtherKey' });

    // Assess
    expect(put.authorizations).toEqual([
      { action: 's3:PutObject', resource: `${BUCKET_ARN}/evidence/a.pdf` },
      { action: 'kms:GenerateDataKey', resource: key, context: viaS3 },
    ]);
    expect(get.authorizations).toEqual([
      { action: 's3:GetObject', resource: `${BUCKET_ARN}/evidence/a.pdf` },
      { action: 'kms:Decrypt', resource: key, context: viaS3 },
    ]);
    // HEAD reads metadata only, and an SSE-S3 write uses no KMS key.
    expect(head.authorizations).toHaveLength(1);
    expect(sseS3.authorizations).toHaveLength(1);
    expect(otherKey.authorizations[1]).toEqual({ action: 'kms:GenerateDataKey', resource: 'arn:aws:kms:local:000000000000:key/OtherKey', context: viaS3 });
  });

  it('refuses requests it does not classify (multi-object delete, bucket configuration, virtual-hosted style)', () => {
    // Prepare
    // Act
    const deleteObjects = () => s3('POST', '/icp-cancel-evidence?delete');
    const configuration = () => s3('GET', '/icp-cancel-evidence?cors');
    const virtualHosted = () => s3('PUT', '/');

    // Assess
    expect(deleteObjects).toThrow(UnclassifiedRequestError);
    expect(configuration).toThrow(/cors/);
    expect(virtualHosted).toThrow(/path-style/);
  });
});

describe('classifyRequest: Step Functions', () => {
  it.each([
    ['StartExecution', { stateMachineArn: MACHINE_ARN, name: 'app_1-1' }, MACHINE_ARN],
    ['StopExecution', { executionArn: 'arn:aws:states:local:000000000000:execution:IcpCancelService-review:app_1-1' }, 'arn:aws:states:local:000000000000:execution:IcpCancelService-review:app_1-1'],
    ['DescribeExecution', { executionArn: 'arn:aws:states:local:000000000000:execution:IcpCancelService-review:app_1-1' }, 'arn:aws:states:local:000000000000:execution:IcpCancelService-review:app_1-1'],
    ['ListExecutions', { stateMachineArn: MACHINE_ARN }, MACHINE_ARN],
  ])('%s is states:%s on the ARN it carries', (operation, body, resource) => {
    // Prepare
    // Act
    const classification = states(operation, body);

    // Assess
    expect(classification).toEqual({ operation, authorizations: [{ action: `states:${operation}`, resource }] });
  });

  it("authorises task responses on the state machine of the token's execution, else on *", () => {
    // Prepare
    const options = { stateMachineOfTaskToken: (token: string) => (token === 'known' ? MACHINE_ARN : undefined) };

    // Act
    const known = ['SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat'].map((op) => states(op, { taskToken: 'known', output: '{}' }, options));
    const unknown = states('SendTaskSuccess', { taskToken: 'unknown', output: '{}' }, options);

    // Assess
    expect(known.map((c) => c.authorizations)).toEqual([
      [{ action: 'states:SendTaskSuccess', resource: MACHINE_ARN }],
      [{ action: 'states:SendTaskFailure', resource: MACHINE_ARN }],
      [{ action: 'states:SendTaskHeartbeat', resource: MACHINE_ARN }],
    ]);
    expect(unknown.authorizations).toEqual([{ action: 'states:SendTaskSuccess', resource: '*' }]);
  });
});

describe('accessKeyIdOf', () => {
  it('reads the access key from the Authorization header, or from a presigned URL', () => {
    // Prepare
    const header = {
      url: '/',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=LOCALFn1/20260101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=ab' },
    };
    const presigned = { url: '/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=LOCALFn2%2F20260101%2Flocal%2Fs3%2Faws4_request', headers: {} };

    // Act
    const keys = [header, presigned, { url: '/b/k', headers: {} }].map(accessKeyIdOf);

    // Assess
    expect(keys).toEqual(['LOCALFn1', 'LOCALFn2', undefined]);
  });
});
