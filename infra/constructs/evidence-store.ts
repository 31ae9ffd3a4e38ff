import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './nag.ts';

/** Key prefix of uploaded evidence; uploads elsewhere are not evidence and trigger nothing. */
export const EVIDENCE_PREFIX = 'evidence/';

/** Managed policies for the evidence objects, to attach to the roles that need them. */
export interface EvidenceAccess {
  /** `s3:PutObject` on evidence objects only: for the function that presigns uploads (the URL carries its authority). */
  put: iam.IManagedPolicy;
  /**
   * `s3:GetObject` on evidence objects only (it authorizes HEAD too), and `s3:ListBucket` (see {@link listBucket}) so
   * that an object no longer there is a 404 the checker handles, not a 403.
   */
  read: iam.IManagedPolicy;
}

/**
 * `s3:ListBucket` on the bucket itself, for the roles that read objects: S3 tells a caller that an object it asked
 * for is missing (404 `NoSuchKey`, `NotFound` for a HEAD) only when the caller may list the bucket, and refuses it
 * (403 `AccessDenied`) otherwise, while the adapters treat a missing object as an answer. It is not narrowed with an
 * `s3:prefix` condition: AWS does not document which prefix, if any, that existence check evaluates, so a condition
 * could leave the 403 in place (the local IAM proxy evaluates the check without one). A listing shows key names only.
 */
export function listBucket(bucket: s3.IBucket): iam.PolicyStatement {
  return new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] });
}

/**
 * The evidence bucket (documents customers upload, later bulk manifests and reports) and the bucket its server
 * access logs go to.
 *
 * - S3-managed encryption: browsers upload straight to S3 with presigned PUTs, and SSE-KMS would put a KMS call (and
 *   a key grant to every signer and reader) on each upload for no extra protection here.
 * - Versioned, TLS-only, all public access blocked, RETAIN: evidence backs a legal filing.
 * - CORS allows PUT and GET from any origin: the customer's own web app and the console upload with a URL our API
 *   presigned, and the console reads a batch's report with one; the signature, not the origin, is what authorizes it.
 *
 * Access to evidence objects is defined here, next to the bucket, as managed policies the service stack attaches to
 * its roles: the object ARNs stay in this stack, where the prefix wildcard can be acknowledged by its exact name
 * (in the service stack the bucket ARN would be an output read that only takes its final form during synthesis).
 */
export class EvidenceStore extends Construct {
  readonly bucket: s3.Bucket;
  readonly accessLogs: s3.Bucket;
  readonly access: EvidenceAccess;

  constructor(scope: Construct, id: string) {
    super(scope, id);

    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      // Server access log delivery supports SSE-S3 only.
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(400) }],
    });
    Validations.of(this.accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This is the access log bucket of the evidence bucket; logging it would log its own log deliveries.',
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'evidence-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      cors: [
        {
          allowedMethods: [s3.HttpMethods.PUT, s3.HttpMethods.GET],
          allowedOrigins: ['*'],
          // What a presigned PUT from a browser sends: the signed content type and checksum headers.
          allowedHeaders: ['content-type', 'content-md5', 'x-amz-*'],
          exposedHeaders: ['ETag', 'x-amz-version-id'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(90),
          abortIncompleteMultipartUploadAfter: Duration.days(7),
        },
      ],
    });

    const evidenceObjects = this.bucket.arnForObjects(`${EVIDENCE_PREFIX}*`);
    const objectPolicy = (id: string, action: string, description: string, extra: iam.PolicyStatement[] = []): iam.ManagedPolicy => {
      const policy = new iam.ManagedPolicy(this, id, {
        description,
        statements: [new iam.PolicyStatement({ actions: [action], resources: [evidenceObjects] }), ...extra],
      });
      acknowledgeWildcardResource(
        policy,
        evidenceObjects,
        'Object-level wildcard limited to the evidence/ prefix of the one evidence bucket: keys are generated per upload.',
      );
      return policy;
    };
    this.access = {
      put: objectPolicy('PutEvidence', 's3:PutObject', 'Put evidence objects (presigning uploads); no read, list or delete'),
      read: objectPolicy('ReadEvidence', 's3:GetObject', 'Read evidence objects (listing the bucket, so a missing one is a 404); no write or delete', [
        listBucket(this.bucket),
      ]),
    };
  }
}
