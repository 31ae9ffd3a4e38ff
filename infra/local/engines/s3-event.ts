import type { S3Event, S3EventRecord } from 'aws-lambda';
import type { S3rverEventRecord } from 's3rver';

let lastSequence = 0n;

/**
 * The S3 notification event AWS would deliver to Lambda for one record s3rver emitted, or undefined when it is not
 * an `ObjectCreated:*` event.
 *
 * Fixes what s3rver gets wrong or leaves out: the key is URL-encoded as in real events (form encoding: a space is
 * `+`, `/` stays), the bucket ARN is `arn:aws:s3:::bucket`, `eTag` is always there, and `sequencer` grows strictly
 * (s3rver uses the time in milliseconds, equal for uploads in the same millisecond); `versionId` is the version the
 * upload made, in a versioned bucket.
 */
export function toObjectCreatedEvent(record: S3rverEventRecord, region: string, versionId?: string): S3Event | undefined {
  if (!record.eventName.startsWith('ObjectCreated:')) return undefined;
  const bucket = record.s3.bucket.name;
  const lambdaRecord: S3EventRecord = {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: region,
    eventTime: record.eventTime,
    eventName: record.eventName,
    userIdentity: { principalId: 'AWS:LOCAL' },
    requestParameters: { sourceIPAddress: normaliseIp(record.requestParameters.sourceIPAddress) },
    responseElements: record.responseElements,
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'local-object-created',
      bucket: { name: bucket, ownerIdentity: { principalId: 'LOCAL' }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodeEventKey(record.s3.object.key),
        size: record.s3.object.size ?? 0,
        eTag: record.s3.object.eTag ?? '',
        ...(versionId === undefined ? {} : { versionId }),
        sequencer: nextSequencer(),
      },
    },
  };
  return { Records: [lambdaRecord] };
}

/** How S3 writes keys in event notifications: `evidence/my file(1).pdf` → `evidence/my+file%281%29.pdf`. */
export function encodeEventKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment)
        .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+'),
    )
    .join('/');
}

/** The inverse of {@link encodeEventKey}, as handlers decode event keys. */
export function decodeEventKey(encoded: string): string {
  return decodeURIComponent(encoded.replace(/\+/g, ' '));
}

function normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
}

function nextSequencer(): string {
  const now = BigInt(Date.now()) << 16n;
  lastSequence = now > lastSequence ? now : lastSequence + 1n;
  return lastSequence.toString(16).toUpperCase().padStart(16, '0');
}
