import { describe, expect, it } from 'vitest';
import { PolicyEvaluator, UnknownFunctionError } from '../../../../infra/local/iam/policy-evaluator.ts';
import type { FunctionIdentity, IdentityPolicy } from '../../../../infra/local/iam/role-policies.ts';

const BUCKET_ARN = 'arn:aws:s3:::icp-cancel-evidence';
const MACHINE_ARN = 'arn:aws:states:local:000000000000:stateMachine:IcpCancelService-review';

const policy = (name: string, ...statements: Record<string, unknown>[]): IdentityPolicy => ({
  name,
  document: { Version: '2012-10-17', Statement: statements },
});
const identity = (functionId: string, policies: IdentityPolicy[], boundary?: IdentityPolicy): [string, FunctionIdentity] => [
  functionId,
  {
    functionId,
    roleId: `${functionId}Role`,
    roleArn: `arn:aws:iam::000000000000:role/${functionId}Role`,
    principalArn: `arn:aws:sts::000000000000:assumed-role/${functionId}Role/${functionId}`,
    policies,
    ...(boundary ? { permissionsBoundary: boundary } : {}),
    awsManagedPolicyArns: [],
  },
];

describe('PolicyEvaluator', () => {
  it('allows what a policy allows and nothing else: s3:GetObject on a prefix does not cover s3:GetObjectVersion', async () => {
    // Prepare
    const evaluator = new PolicyEvaluator(new Map([identity('Reader', [policy('Read', { Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET_ARN}/batch-manifests/*` })])]));
    const object = `${BUCKET_ARN}/batch-manifests/t/b/manifest.csv`;

    // Act
    const authorization = await evaluator.authorize('Reader', [
      { action: 's3:GetObject', resource: object },
      { action: 's3:GetObjectVersion', resource: object },
    ]);

    // Assess
    expect(authorization.allowed).toBe(false);
    expect(authorization.decisions.map((d) => d.result)).toEqual(['Allowed', 'ImplicitlyDenied']);
    expect(authorization.denied?.reason).toBe('because no identity-based policy allows the s3:GetObjectVersion action');
  });

  it('honours condition keys (s3:prefix of a listing) and explicit denies', async () => {
    // Prepare
    const evaluator = new PolicyEvaluator(
      new Map([
        identity('Lister', [
          policy(
            'List',
            { Effect: 'Allow', Action: 's3:ListBucket', Resource: BUCKET_ARN, Condition: { StringLike: { 's3:prefix': 'batch-files/*' } } },
            { Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET_ARN}/*` },
            { Effect: 'Deny', Action: 's3:GetObject', Resource: `${BUCKET_ARN}/evidence/*` },
          ),
        ]),
      ]),
    );

    // Act
    const [inPrefix, otherPrefix, noPrefix, denied] = await Promise.all([
      evaluator.evaluate('Lister', { action: 's3:ListBucket', resource: BUCKET_ARN, context: { 's3:prefix': 'batch-files/t1/' } }),
      evaluator.evaluate('Lister', { action: 's3:ListBucket', resource: BUCKET_ARN, context: { 's3:prefix': 'evidence/' } }),
      evaluator.evaluate('Lister', { action: 's3:ListBucket', resource: BUCKET_ARN }),
      evaluator.evaluate('Lister', { action: 's3:GetObject', resource: `${BUCKET_ARN}/evidence/a.pdf` }),
    ]);

    // Assess
    expect([inPrefix.result, otherPrefix.result, noPrefix.result]).toEqual(['Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied']);
    expect(denied).toMatchObject({ result: 'ExplicitlyDenied', reason: 'with an explicit deny in an identity-based policy' });
  });

  it('denies what the permissions boundary does not allow, even when a policy allows it', async () => {
    // Prepare
    const allowBoth = policy('Both', { Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:PutItem'], Resource: '*' });
    const boundary = policy('Boundary', { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' });
    const evaluator = new PolicyEvaluator(new Map([identity('Bounded', [allowBoth], boundary)]));
    const table = 'arn:aws:dynamodb:local:000000000000:table/icp-cancel';

    // Act
    const get = await evaluator.evaluate('Bounded', { action: 'dynamodb:GetItem', resource: table });
    const put = await evaluator.evaluate('Bounded', { action: 'dynamodb:PutItem', resource: table });

    // Assess
    expect(get.result).toBe('Allowed');
    expect(put).toMatchObject({ result: 'ImplicitlyDenied', reason: 'because no permissions boundary allows the dynamodb:PutItem action' });
  });

  it("evaluates task responses on the token's state machine, which the service reference lists no resource type for", async () => {
    // Prepare
    const onMachine = policy('Respond', { Effect: 'Allow', Action: 'states:SendTaskSuccess', Resource: MACHINE_ARN });
    const evaluator = new PolicyEvaluator(new Map([identity('Responder', [onMachine])]));

    // Act
    const [same, other, star] = await Promise.all(
      [MACHINE_ARN, `${MACHINE_ARN}-other`, '*'].map((resource) => evaluator.evaluate('Responder', { action: 'states:SendTaskSuccess', resource })),
    );

    // Assess
    expect([same?.result, other?.result, star?.result]).toEqual(['Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied']);
  });

  it('answers a repeated request from its cache, per function, action, resource and context', async () => {
    // Prepare
    const read = policy('Read', { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*' });
    const evaluator = new PolicyEvaluator(new Map([identity('A', [read]), identity('B', [])]));
    const request = { action: 'dynamodb:GetItem', resource: 'arn:aws:dynamodb:local:000000000000:table/icp-cancel' };

    // Act
    const results = [];
    for (const functionId of ['A', 'A', 'B', 'A']) results.push((await evaluator.evaluate(functionId, request)).result);

    // Assess
    expect(results).toEqual(['Allowed', 'Allowed', 'ImplicitlyDenied', 'Allowed']);
    expect(evaluator.stats).toMatchObject({ requests: 4, cacheHits: 2 });
  });

  it('refuses a function the templates do not have', () => {
    // Prepare
    const evaluator = new PolicyEvaluator(new Map());

    // Act
    const evaluating = () => evaluator.evaluate('Ghost', { action: 'dynamodb:GetItem', resource: '*' });

    // Assess
    expect(evaluating).toThrow(UnknownFunctionError);
  });

  it('evaluates dynamodb:LeadingKeys conditions, and caches one decision for requests that differ only in keys no policy names', async () => {
    // Prepare: the key-use grant of the API functions (records-table.ts), beside a plain read
    const table = 'arn:aws:dynamodb:local:000000000000:table/icp-cancel';
    const evaluator = new PolicyEvaluator(
      new Map([
        identity('Reader', [
          policy(
            'Read',
            { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: table },
            {
              Effect: 'Allow',
              Action: 'dynamodb:UpdateItem',
              Resource: table,
              Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['KEYUSE#*'] }, Null: { 'dynamodb:LeadingKeys': 'false' } },
            },
          ),
        ]),
      ]),
    );
    const update = (context?: Record<string, string[]>) => evaluator.evaluate('Reader', { action: 'dynamodb:UpdateItem', resource: table, ...(context ? { context } : {}) });

    // Act
    const results = await Promise.all([
      update({ 'dynamodb:LeadingKeys': ['KEYUSE#key_1'] }),
      update({ 'dynamodb:LeadingKeys': ['APIKEY#abc'] }),
      update({ 'dynamodb:LeadingKeys': ['KEYUSE#key_1', 'APP#a'] }),
      update(),
    ]);
    const before = evaluator.stats;
    for (const pk of ['APP#1', 'APP#2', 'APP#3']) await evaluator.evaluate('Reader', { action: 'dynamodb:GetItem', resource: table, context: { 'dynamodb:LeadingKeys': [pk] } });

    // Assess
    expect(results.map((d) => d.result)).toEqual(['Allowed', 'ImplicitlyDenied', 'ImplicitlyDenied', 'ImplicitlyDenied']);
    expect(evaluator.stats.cacheHits - before.cacheHits).toBe(2);
  });
});
