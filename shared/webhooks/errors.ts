import { AppError, type AppErrorOptions } from '../domain/errors.ts';

/**
 * A webhook target resolves to, or is written as, an address we never send to (private, loopback, link-local, cloud
 * metadata…). Raised at connect time by the guarded DNS lookup, so it also catches DNS rebinding between registration
 * and delivery. Never worth retrying against the same address.
 */
export class UnsafeWebhookTargetError extends AppError {
  override readonly name = 'UnsafeWebhookTargetError';
  readonly status = 422;
  readonly type = 'unsafe-webhook-target';
  readonly title = 'The webhook URL points to an address that is not public';
  /** The offending address, for the delivery log (an address is not a secret). */
  readonly address: string | undefined;

  constructor(message: string, options: AppErrorOptions & { address?: string } = {}) {
    super(message, options);
    this.address = options.address;
  }
}

/**
 * A signing secret is not in the Standard Webhooks `whsec_<base64>` format. A data or configuration bug, not a client
 * error: the message never contains the secret itself.
 */
export class InvalidWebhookSecretError extends AppError {
  override readonly name = 'InvalidWebhookSecretError';
  readonly status = 500;
  readonly type = 'invalid-webhook-secret';
  readonly title = 'A webhook signing secret is malformed';
}
