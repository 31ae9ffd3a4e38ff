import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { makeDocumentClient } from '../dynamo/client.ts';
import { bound } from './bound.ts';

/** The process's DynamoDB document client, shared by every repository on the table. */
export const documentClient: () => DynamoDBDocumentClient = bound(() => makeDocumentClient());
