import * as z from '../../shared/zod.ts';
import { compose } from '../../shared/adapters/deps/bound.ts';
import { metricsDeps } from '../../shared/adapters/deps/metrics-deps.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { webhookDeps } from '../../shared/adapters/deps/webhook-deps.ts';
import { deliverWebhook } from '../../shared/use-cases/webhooks/deliveries.ts';
import { workflowHandler } from '../../shared/workflow-handler.ts';

const Input = z.object({ deliveryId: z.string().check(z.minLength(1)), tenantId: z.string().check(z.minLength(1)) });

/** Delivery workflow task `DeliverWebhook`: one signed attempt; throws DeliveryFailedError to be retried. */
export const handler = workflowHandler('deliver-webhook', Input, compose(tableDeps, webhookDeps, metricsDeps), deliverWebhook);
