import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traced } from '../../observability/tracer.ts';
import { faulted } from '../faults/sdk-faults.ts';
import { documentClientOf } from '../dynamo/client.ts';
import { bound } from './bound.ts';

/**
 * The process's DynamoDB document client, shared by every repository on the table; its calls traced when tracing and
 * faulted by the local fault plan (`FAULTS`).
 */
export const documentClient: () => DynamoDBDocumentClient = bound(() => documentClientOf(traced(faulted(new DynamoDBClient({}), 'dynamodb'))));
