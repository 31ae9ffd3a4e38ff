import type { AttributeValue as SdkAttributeValue, _Record as SdkRecord } from '@aws-sdk/client-dynamodb-streams';
import type { AttributeValue, DynamoDBRecord } from 'aws-lambda';

type SdkImage = Record<string, SdkAttributeValue>;

/**
 * The record of a `DynamoDBStreamEvent` that Lambda would deliver for a record read with `GetRecords`: the same
 * fields plus `eventSourceARN`, with the creation time in epoch seconds (the SDK parses it into a `Date`) and binary
 * attributes in base64 (the SDK decodes them into bytes; Lambda's JSON carries base64 text).
 */
export function toLambdaRecord(record: SdkRecord, streamArn: string): DynamoDBRecord {
  const stream = record.dynamodb ?? {};
  const created = stream.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion ?? '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: record.awsRegion,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) } : {}),
      Keys: toImage(stream.Keys),
      ...(stream.NewImage ? { NewImage: toImage(stream.NewImage) } : {}),
      ...(stream.OldImage ? { OldImage: toImage(stream.OldImage) } : {}),
      SequenceNumber: stream.SequenceNumber,
      SizeBytes: stream.SizeBytes,
      StreamViewType: stream.StreamViewType,
    },
    eventSourceARN: streamArn,
    ...(record.userIdentity ? { userIdentity: { ...record.userIdentity } } : {}),
  };
}

function toImage(image: SdkImage | undefined): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(image ?? {})) out[name] = toAttributeValue(value);
  return out;
}

function toAttributeValue(value: SdkAttributeValue): AttributeValue {
  // DynamoDB Local writes an empty map as `{}` in its stream records (GetItem shows it as `{"M":{}}`, as DynamoDB's own
  // streams do): a value of no type can only be that, and left as it is no reader of the record can unmarshall it.
  if (Object.keys(value).length === 0) return { M: {} };
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.BS !== undefined) return { BS: value.BS.map((bytes) => Buffer.from(bytes).toString('base64')) };
  if (value.L !== undefined) return { L: value.L.map(toAttributeValue) };
  if (value.M !== undefined) return { M: toImage(value.M) };
  // The remaining members (S, N, SS, NS, BOOL, NULL) are already JSON-shaped.
  return { ...value } as AttributeValue;
}
