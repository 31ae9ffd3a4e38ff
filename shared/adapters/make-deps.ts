import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Deps } from '../ports/deps.ts';
import { authorityDeps } from './deps/authority-deps.ts';
import { compose, unbindAll } from './deps/bound.ts';
import { documentClient } from './deps/documents.ts';
import { evidenceDeps } from './deps/evidence-deps.ts';
import { metricsDeps } from './deps/metrics-deps.ts';
import { probeDeps } from './deps/probe-deps.ts';
import { registryDeps } from './deps/registry-deps.ts';
import { s3Client } from './deps/s3-client.ts';
import { sfnClient } from './deps/sfn-client.ts';
import { tableDeps } from './deps/table-deps.ts';
import { webhookDeps } from './deps/webhook-deps.ts';
import { workflowDeps } from './deps/workflow-deps.ts';

/**
 * Every adapter at once, for the processes that do everything: the local runtime's own work (demo tenant, resuming
 * workflows, the simulated authority) and tests. No Lambda entry imports this module: a function composes the
 * factories its use case needs (`shared/adapters/deps/`), so that its bundle carries no client it never calls.
 */
export const makeDeps: () => Deps = compose(tableDeps, registryDeps, evidenceDeps, workflowDeps, webhookDeps, authorityDeps, probeDeps, metricsDeps);

/** The SDK clients every adapter shares. */
export interface AwsClients {
  documents: DynamoDBDocumentClient;
  s3: S3Client;
  sfn: SFNClient;
}

/** The process's SDK clients, the same ones the factories bind (a reset rebinds them too). */
export function awsClients(): AwsClients {
  return { documents: documentClient(), s3: s3Client(), sfn: sfnClient() };
}

/**
 * Forget every bound client and adapter, of every factory (the local runtime rebinds after it changed the environment,
 * and its in-process handlers with it; tests too).
 */
export function resetDeps(): void {
  unbindAll();
}
