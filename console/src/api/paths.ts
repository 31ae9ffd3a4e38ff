/**
 * The API as the console sees it: `paths` generated from the repository's `openapi.json` by openapi-typescript
 * (`npm run console:types`, into `openapi.gen.ts`, which is not committed: it is made again before every type check and
 * build, so the console is always checked against the current document), and names for the schemas it shows.
 */
import type { components, paths } from './openapi.gen.ts';

export type { paths };
type Schemas = components['schemas'];

/** An application as listed (`GET /v1/applications`). */
export type Application = Schemas['Application'];
/** An application with its evidence and timeline (`GET /v1/applications/{id}`). */
export type ApplicationDetail = Schemas['ApplicationDetail'];
export type BatchView = Schemas['Batch'];
export type EndpointView = Schemas['WebhookEndpoint'];
export type DeliveryView = Schemas['WebhookDelivery'];
export type EventType = Schemas['EventType'];
/** RFC 9457 problem details, as every error of the API is answered. */
export type Problem = Schemas['Problem'];
