import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traced } from '../../observability/tracer.ts';
import { documentClientOf } from '../dynamo/client.ts';
import { bound } from './bound.ts';

/** The process's DynamoDB document client, shared by every repository on the table; its calls traced when tracing. */
export const documentClient: () => DynamoDBDocumentClient = bound(() => documentClientOf(traced(new DynamoDBClient({}))));
