import * as z from '../../shared/zod.ts';
import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { giveUpDelivery } from '../../shared/use-cases/webhooks/deliveries.ts';
import { workflowHandler } from '../../shared/workflow-handler.ts';

const Input = z.object({ deliveryId: z.string().check(z.minLength(1)), tenantId: z.string().check(z.minLength(1)) });

/** Delivery workflow task `GiveUpDelivery`: after the last retry, the delivery is marked failed. */
export const handler = workflowHandler('give-up-delivery', Input, tableDeps, giveUpDelivery);
