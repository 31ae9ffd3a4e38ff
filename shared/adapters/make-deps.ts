import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { config } from '../config.ts';
import type { Deps } from '../ports/deps.ts';
import type { IdGenerator } from '../ports/services.ts';
import { shiftedClock } from './clock.ts';
import { HttpAuthorityGateway, ManualAuthorityGateway } from './authority/authority-gateways.ts';
import { makeDocumentClient } from './dynamo/client.ts';
import { DynamoApplicationRepository } from './dynamo/dynamo-application-repository.ts';
import { DynamoFilingRegistryRepository } from './dynamo/dynamo-filing-registry-repository.ts';
import { DynamoTenantRepository } from './dynamo/dynamo-tenant-repository.ts';
import { DynamoWebhookRepository } from './dynamo/dynamo-webhook-repository.ts';
import { DnsSiteProber, SimulatedSiteProber } from './probe/site-probers.ts';
import { S3EvidenceStore } from './s3/s3-evidence-store.ts';
import { sendWebhook } from '../webhooks/http-sender.ts';
import { SfnDeliveryWorkflow, SfnReviewWorkflow } from './sfn/sfn-workflows.ts';

const nextUlid = monotonicFactory();
/** ULIDs sort by creation time, so ids double as a time order; lower case reads better in URLs. */
export const ulidIds: IdGenerator = { next: (prefix) => `${prefix}_${nextUlid().toLowerCase()}` };

let deps: Deps | undefined;
let clients: AwsClients | undefined;

/** The SDK clients every adapter shares. */
export interface AwsClients {
  documents: DynamoDBDocumentClient;
  s3: S3Client;
  sfn: SFNClient;
}

/** The process's SDK clients, built once (with `makeDeps()`'s lifetime, so a reset rebinds them too). */
export function awsClients(): AwsClients {
  if (clients) return clients;
  const c = config();
  clients = {
    documents: makeDocumentClient(),
    s3: new S3Client({
      forcePathStyle: c.S3_FORCE_PATH_STYLE,
      // Flexible checksums are not needed for presigned PUTs and break s3rver (DESIGN.md).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    sfn: new SFNClient({}),
  };
  return clients;
}

/**
 * Builds every adapter once per process (module scope in Lambda, so warm invocations reuse clients).
 * Endpoints come from the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` variables, which is how the local runtime points the
 * same code at DynamoDB Local, s3rver and the local Step Functions.
 */
export function makeDeps(): Deps {
  if (deps) return deps;
  const c = config();
  const { documents, s3, sfn } = awsClients();
  deps = {
    applications: new DynamoApplicationRepository(documents, c.TABLE_NAME),
    tenants: new DynamoTenantRepository(documents, c.TABLE_NAME),
    webhooks: new DynamoWebhookRepository(documents, c.TABLE_NAME),
    registry: new DynamoFilingRegistryRepository(documents, c.TABLE_NAME),
    evidence: new S3EvidenceStore(s3, c.BUCKET_NAME),
    review: new SfnReviewWorkflow(sfn, c.REVIEW_STATE_MACHINE_ARN),
    delivery: new SfnDeliveryWorkflow(sfn, c.DELIVERY_STATE_MACHINE_ARN),
    authority:
      c.AUTHORITY_MODE === 'simulated' && c.AUTHORITY_URL
        ? new HttpAuthorityGateway(c.AUTHORITY_URL)
        : new ManualAuthorityGateway(),
    prober: c.PROBE_MODE === 'simulated' ? new SimulatedSiteProber() : new DnsSiteProber(),
    sender: {
      send: (input) =>
        sendWebhook({ ...input, allowLoopback: c.WEBHOOKS_ALLOW_LOOPBACK, allowHttp: c.WEBHOOKS_ALLOW_HTTP }),
    },
    clock: shiftedClock(c.CLOCK_OFFSET_MS),
    ids: ulidIds,
    settings: {
      maxResubmissions: c.MAX_RESUBMISSIONS,
      correctionWindowDays: c.CORRECTION_WINDOW_DAYS,
      uploadUrlTtlSeconds: c.UPLOAD_URL_TTL_SECONDS,
      webhooksAllowLoopback: c.WEBHOOKS_ALLOW_LOOPBACK,
      webhooksAllowHttp: c.WEBHOOKS_ALLOW_HTTP,
      evidencePolicy: {
        sizeLimit: c.EVIDENCE_SIZE_LIMIT,
        requireSignedForm: c.EVIDENCE_REQUIRE_SIGNED_FORM,
        requireColour: c.EVIDENCE_REQUIRE_COLOUR,
      },
    },
  };
  return deps;
}

/** Forget the bound adapters (the local runtime rebinds after it changed the environment; tests too). */
export function resetDeps(): void {
  deps = undefined;
  clients = undefined;
}
