import { tableDeps } from '../../shared/adapters/deps/table-deps.ts';
import { json, parseBody, pathParam } from '../../shared/http/api-gateway.ts';
import { route } from '../../shared/http/route.ts';
import { applicationView } from '../../shared/use-cases/application-view.ts';
import { recordSmsVerification, SmsVerificationNotice } from '../../shared/use-cases/record-sms-verification.ts';

/** POST /v1/reviews/{id}/verification (operator) with `{ sentAt? }` → 202; the customer gets `application.verification_required`. */
export const handler = route('operator', tableDeps, async ({ event, principal, deps }) => {
  const notice = parseBody(event, SmsVerificationNotice);
  const app = await recordSmsVerification(deps, principal, pathParam(event, 'id'), notice);
  return json(202, applicationView(app));
});
