import { describe, expect, it } from 'vitest';
import { DATA_STACK_NAME } from '../../infra/build-app.ts';
import { ofType, synthesize } from './synth.ts';

// Prepare (once for the file: synthesizing costs seconds)
const synth = synthesize();

describe('records table', () => {
  it('is keyed pk/sk, on demand, with PITR, deletion protection, TTL and a new-image stream', () => {
    // Act
    const table = synth.data;

    // Assess
    table.resourceCountIs('AWS::DynamoDB::Table', 1);
    table.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('has gsi1 (tenant, newest first) and gsi2 (batch), string keys, the keys only projected (lists read their items from the table)', () => {
    // Act
    const [[, table] = []] = ofType(synth.dataResources, 'AWS::DynamoDB::Table');
    const indexes = table?.Properties?.GlobalSecondaryIndexes;
    const attributes = table?.Properties?.AttributeDefinitions;

    // Assess
    expect(indexes).toEqual([
      {
        IndexName: 'gsi1',
        KeySchema: [
          { AttributeName: 'gsi1pk', KeyType: 'HASH' },
          { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
      {
        IndexName: 'gsi2',
        KeySchema: [
          { AttributeName: 'gsi2pk', KeyType: 'HASH' },
          { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'KEYS_ONLY' },
      },
    ]);
    expect(attributes).toEqual(
      expect.arrayContaining(
        ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk'].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      ),
    );
  });

  it('is retained when removed from the stack', () => {
    // Act
    const [[, table] = []] = ofType(synth.dataResources, 'AWS::DynamoDB::Table');

    // Assess
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.UpdateReplacePolicy).toBe('Retain');
  });
});

describe('evidence bucket', () => {
  const evidenceBucketId = () => {
    const ids = ofType(synth.dataResources, 'AWS::S3::Bucket')
      .filter(([, r]) => r.Properties?.VersioningConfiguration !== undefined)
      .map(([id]) => id);
    expect(ids).toHaveLength(1);
    return ids[0] as string;
  };

  it('is encrypted, versioned, private, retained, and logs access to the separate log bucket', () => {
    // Act
    const id = evidenceBucketId();
    const bucket = synth.dataResources[id];

    // Assess
    synth.data.resourceCountIs('AWS::S3::Bucket', 2);
    expect(bucket?.DeletionPolicy).toBe('Retain');
    expect(bucket?.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: expect.stringMatching(/^EvidenceAccessLogs/) } },
    });
  });

  it('lets browsers PUT presigned uploads and GET presigned reads (the console\'s batch reports) from any origin, and nothing else', () => {
    // Act
    const cors = synth.dataResources[evidenceBucketId()]?.Properties?.CorsConfiguration;

    // Assess
    expect(cors).toEqual({
      CorsRules: [
        expect.objectContaining({
          AllowedMethods: ['PUT', 'GET'],
          AllowedOrigins: ['*'],
          AllowedHeaders: expect.arrayContaining(['content-type', 'x-amz-*']),
        }),
      ],
    });
  });

  it('expires noncurrent versions', () => {
    // Act
    const lifecycle = synth.dataResources[evidenceBucketId()]?.Properties?.LifecycleConfiguration;

    // Assess
    expect(lifecycle).toEqual({
      Rules: [expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: 90 }, Status: 'Enabled' })],
    });
  });

  it('refuses requests without TLS, on both buckets', () => {
    // Act
    const policies = ofType(synth.dataResources, 'AWS::S3::BucketPolicy');

    // Assess
    expect(policies).toHaveLength(2);
    for (const [, policy] of policies) {
      expect(policy.Properties?.PolicyDocument).toMatchObject({
        Statement: expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      });
    }
  });

  it('defines object access as one policy per prefix and need: put-only, or get (and list, to see a missing object)', () => {
    // Act
    const statements = ofType(synth.dataResources, 'AWS::IAM::ManagedPolicy').map(
      ([, policy]) => (policy.Properties?.PolicyDocument as { Statement: unknown[] }).Statement,
    );
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [evidenceBucketId(), 'Arn'] }, `/${prefix}*`]] });
    const evidenceObjects = objects('evidence/');
    const listBucket = { Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::GetAtt': [evidenceBucketId(), 'Arn'] } };

    // Assess
    expect(statements).toEqual(
      expect.arrayContaining([
        [{ Action: 's3:PutObject', Effect: 'Allow', Resource: evidenceObjects }],
        [{ Action: 's3:GetObject', Effect: 'Allow', Resource: evidenceObjects }, listBucket],
        ...['batch-manifests/', 'batch-evidence/', 'batch-files/'].map((prefix) => [
          { Action: 's3:PutObject', Effect: 'Allow', Resource: objects(prefix) },
        ]),
        // Manifests are read at the version that was uploaded.
        [{ Action: ['s3:GetObject', 's3:GetObjectVersion'], Effect: 'Allow', Resource: objects('batch-manifests/') }, listBucket],
        [{ Action: 's3:GetObject', Effect: 'Allow', Resource: objects('batch-evidence/') }, listBucket],
        [{ Action: 's3:GetObject', Effect: 'Allow', Resource: objects('batch-files/') }, listBucket],
      ]),
    );
    expect(statements).toHaveLength(8);
  });
});

describe('data stack', () => {
  it('is termination protected', () => {
    // Act
    const artifact = synth.assembly.getStackByName(DATA_STACK_NAME);

    // Assess
    expect(artifact.terminationProtection).toBe(true);
  });
});
