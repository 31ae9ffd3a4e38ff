import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { toLambdaRecord } from '../../../../infra/local/engines/stream-record.ts';

describe('toLambdaRecord', () => {
  it('gives back the type of an empty map, which DynamoDB Local writes as {} in its stream records', () => {
    // Prepare: the image DynamoDB Local streamed for a `batch.completed` event of a batch with no application
    const record = {
      eventID: 'e1',
      eventName: 'INSERT' as const,
      dynamodb: {
        Keys: { pk: { S: 'EVENT#evt_1' }, sk: { S: 'EVENT' } },
        NewImage: { pk: { S: 'EVENT#evt_1' }, counts: {}, nested: { M: { inner: {} } }, list: { L: [{}, { S: 'x' }] } },
      },
    };

    // Act
    const lambda = toLambdaRecord(record as never, 'arn:stream');

    // Assess
    const image = lambda.dynamodb?.NewImage as Record<string, AttributeValue>;
    expect(image.counts).toEqual({ M: {} });
    expect(unmarshall(image)).toEqual({ pk: 'EVENT#evt_1', counts: {}, nested: { inner: {} }, list: [{}, 'x'] });
  });
});
