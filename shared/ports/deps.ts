import type { EvidencePolicy } from '../domain/evidence-matrix.ts';
import type { ApplicationRepository } from './application-repository.ts';
import type { FilingRegistryRepository } from './filing-registry-repository.ts';
import type { Metrics } from './metrics.ts';
import type {
  AuthorityGateway,
  Clock,
  DeliveryWorkflow,
  EvidenceStore,
  IdGenerator,
  ReviewWorkflow,
  SiteProber,
  WebhookSender,
} from './services.ts';
import type { TenantRepository } from './tenant-repository.ts';
import type { WebhookRepository } from './webhook-repository.ts';

/** Policy knobs the use cases read (from the environment in practice, see `shared/config.ts`). */
export interface Settings {
  maxResubmissions: number;
  correctionWindowDays: number;
  uploadUrlTtlSeconds: number;
  webhooksAllowLoopback: boolean;
  webhooksAllowHttp: boolean;
  /** Which documents are required and the file rules they must meet (size limit, signed form, colour). */
  evidencePolicy: EvidencePolicy;
  /** How long a function instance trusts an API key it looked up (`API_KEY_CACHE_SECONDS`; 30 when absent). */
  apiKeyCacheSeconds?: number;
}

/**
 * Everything a use case may depend on. A function binds only the part its use case names (`Pick<Deps, …>`), with the
 * factories of `shared/adapters/deps/`, each once per process.
 */
export interface Deps {
  applications: ApplicationRepository;
  tenants: TenantRepository;
  webhooks: WebhookRepository;
  registry: FilingRegistryRepository;
  evidence: EvidenceStore;
  review: ReviewWorkflow;
  delivery: DeliveryWorkflow;
  authority: AuthorityGateway;
  prober: SiteProber;
  sender: WebhookSender;
  clock: Clock;
  ids: IdGenerator;
  settings: Settings;
  metrics: Metrics;
}
