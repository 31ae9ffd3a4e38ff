import { describe, expect, it } from 'vitest';
import { classifyRequest } from '../../infra/local/iam/classify.ts';
import { PolicyEvaluator } from '../../infra/local/iam/policy-evaluator.ts';
import { readFunctionIdentities, readTablePartitionKeys } from '../../infra/local/iam/role-policies.ts';
import type { CfnTemplate } from '../../infra/local/step-functions/template.ts';
import { HTTP_ROUTES } from '../../infra/stacks/catalog.ts';
import { keys } from '../../shared/adapters/dynamo/keys.ts';
import { appFunctions, synthesize } from './synth.ts';

// Prepare (once for the file): the synthesized roles, evaluated as AWS would, with requests classified as the local
// IAM proxy classifies them (partition keys and all).
const synth = synthesize();
const templates = { data: synth.data.toJSON() as CfnTemplate, service: synth.service.toJSON() as CfnTemplate };
const names = { TABLE_NAME: 'icp-cancel', BUCKET_NAME: 'icp-cancel-evidence' };
const evaluator = new PolicyEvaluator(readFunctionIdentities(templates, names));
const partitionKeys = readTablePartitionKeys(templates, names);
const functionOf = (entry: string): string => {
  const [[id] = []] = appFunctions(synth.serviceResources).filter(([, fn]) => fn.Metadata?.['icp:entry'] === entry);
  if (id === undefined) throw new Error(`No function for ${entry}`);
  return id;
};

/** Whether `entry`'s role may send this `UpdateItem` (marshalled as the SDK sends it). */
async function mayUpdate(entry: string, key: { pk: string; sk: string }): Promise<boolean> {
  const body = { TableName: 'icp-cancel', Key: { pk: { S: key.pk }, sk: { S: key.sk } }, UpdateExpression: 'SET lastUsedAt = :at' };
  const request = { method: 'POST', url: '/', headers: { 'x-amz-target': 'DynamoDB_20120810.UpdateItem' }, body: Buffer.from(JSON.stringify(body)) };
  const { authorizations } = classifyRequest('dynamodb', request, { partitionKeys });
  return (await evaluator.authorize(functionOf(entry), authorizations)).allowed;
}

describe("recording a key's use: the one write every API function may make", () => {
  it('lets every route that authenticates update key-use items, and the read-only ones nothing else (not the keys themselves)', async () => {
    // Prepare
    const routes = HTTP_ROUTES.filter((r) => r.table !== 'none');

    // Act
    const outcomes = await Promise.all(
      routes.map(async (route) => ({
        route: route.routeKey,
        keyUse: await mayUpdate(route.entry, keys.keyUse('key_1')),
        key: await mayUpdate(route.entry, keys.apiKey('a'.repeat(64))),
        application: await mayUpdate(route.entry, keys.application('app_1')),
      })),
    );

    // Assess
    expect(outcomes).toEqual(
      routes.map((route) => ({ route: route.routeKey, keyUse: true, key: route.table === 'readWrite', application: route.table === 'readWrite' })),
    );
  });

  it('gives the routes that take no key (unrouted requests, the OpenAPI document) no write at all', async () => {
    // Prepare
    const keyless = HTTP_ROUTES.filter((r) => r.table === 'none');

    // Act
    const writes = await Promise.all(keyless.map((route) => mayUpdate(route.entry, keys.keyUse('key_1'))));

    // Assess
    expect(keyless.length).toBeGreaterThan(0);
    expect(writes.every((allowed) => !allowed)).toBe(true);
  });
});
