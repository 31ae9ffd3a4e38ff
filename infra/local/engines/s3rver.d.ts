// s3rver ships no types: the part of its API the local S3 engine uses (lib/s3rver.js, lib/models/event.js, 3.7.1).
declare module 's3rver' {
  import type { EventEmitter } from 'node:events';
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory: string;
    resetOnClose?: boolean;
    allowMismatchedSignatures?: boolean;
    vhostBuckets?: boolean;
    serviceEndpoint?: string;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }

  /** One record of the event s3rver emits after a PUT, POST, copy or delete (its own, partly S3-like shape). */
  interface S3rverEventRecord {
    eventTime: string;
    eventName: string;
    awsRegion: string;
    requestParameters: { sourceIPAddress: string };
    responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
    s3: {
      bucket: { name: string };
      object: { key: string; size?: number; eTag?: string; sequencer: string };
    };
  }

  class S3rver extends EventEmitter {
    constructor(options: S3rverOptions);
    /** Creates the `configureBuckets` buckets and applies their configurations. */
    configureBuckets(): Promise<void>;
    /** The request listener, to mount on a server of one's own. */
    getMiddleware(): (req: IncomingMessage, res: ServerResponse) => void;
    logger: { close(): void; exceptions: { unhandle(): void } };
    /** Its filesystem store (lib/stores/filesystem.js). */
    store: {
      /** The file of an object's `resource` (`object`, `metadata.json`…). */
      getResourcePath(bucket: string, key: string, resource: string): string;
      /** An object's headers: its stored metadata, `etag`, `last-modified`, `content-length`. */
      getMetadata(bucket: string, key: string): Promise<Record<string, string | number>>;
    };
  }

  export default S3rver;
  export type { S3rverEventRecord, S3rverOptions };
}

// The account s3rver checks access key ids against (lib/models/account.js): every key pair it knows, in this process.
declare module 's3rver/lib/models/account.js' {
  interface AWSAccount {
    createKeyPair(accessKeyId: string, secretAccessKey: string): void;
  }
  const account: { DUMMY_ACCOUNT: AWSAccount };
  export default account;
}
