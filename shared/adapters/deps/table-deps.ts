import { config } from '../../config.ts';
import type { Deps } from '../../ports/deps.ts';
import { shiftedClock } from '../clock.ts';
import { DynamoApplicationRepository } from '../dynamo/dynamo-application-repository.ts';
import { DynamoTenantRepository } from '../dynamo/dynamo-tenant-repository.ts';
import { DynamoWebhookRepository } from '../dynamo/dynamo-webhook-repository.ts';
import { ulidIds } from '../ulid-ids.ts';
import { bound } from './bound.ts';
import { documentClient } from './documents.ts';

/** The records in the table, and what every use case reads beside them: the clock, ids and settings. */
export type TableDeps = Pick<Deps, 'applications' | 'tenants' | 'webhooks' | 'clock' | 'ids' | 'settings'>;

/**
 * What every function needs (each at least authenticates or reads a record): the repositories on the DynamoDB
 * document client and the process's clock, ids and settings. No S3, Step Functions or HTTP client; the filing
 * registry is `registryDeps()` (its record schemas cost every cold start that does not need them).
 * Endpoints come from the SDK's own `AWS_ENDPOINT_URL_<SERVICE>` variables, which is how the local runtime points the
 * same code at DynamoDB Local, s3rver and the local Step Functions.
 */
export const tableDeps: () => TableDeps = bound(() => {
  const c = config();
  const documents = documentClient();
  const clock = shiftedClock(c.CLOCK_OFFSET_MS);
  return {
    applications: new DynamoApplicationRepository(documents, c.TABLE_NAME, c.EVENT_RETENTION_DAYS),
    tenants: new DynamoTenantRepository(documents, c.TABLE_NAME),
    webhooks: new DynamoWebhookRepository(documents, c.TABLE_NAME, { retentionDays: c.EVENT_RETENTION_DAYS, clock }),
    clock,
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
      apiKeyCacheSeconds: c.API_KEY_CACHE_SECONDS,
    },
  };
});
