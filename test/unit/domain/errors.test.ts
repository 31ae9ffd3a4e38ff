import { describe, expect, it } from 'vitest';
import {
  type AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  TransientError,
  UnauthorizedError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  ValidationError,
  WORKFLOW_ERROR_NAMES,
} from '../../../shared/domain/errors.ts';
import { BatchMissingError, ManifestRejectedError } from '../../../shared/use-cases/batches/batch-errors.ts';
import { DeliveryExhaustedError, DeliveryFailedError } from '../../../shared/use-cases/webhooks/deliveries.ts';
import { ApplicationMissingError, WorkflowStateError } from '../../../shared/use-cases/workflow/workflow-errors.ts';
import { InvalidWebhookSecretError, UnsafeWebhookTargetError } from '../../../shared/webhooks/errors.ts';

type AppErrorClass = new (message: string) => AppError;

/** Every error class of the family, with the name and HTTP status it has always had. */
const FAMILY: { name: string; ErrorClass: AppErrorClass; status: number }[] = [
  { name: 'ValidationError', ErrorClass: ValidationError, status: 400 },
  { name: 'UnprocessableError', ErrorClass: UnprocessableError, status: 422 },
  { name: 'UnauthorizedError', ErrorClass: UnauthorizedError, status: 401 },
  { name: 'ForbiddenError', ErrorClass: ForbiddenError, status: 403 },
  { name: 'NotFoundError', ErrorClass: NotFoundError, status: 404 },
  { name: 'ConflictError', ErrorClass: ConflictError, status: 409 },
  { name: 'PayloadTooLargeError', ErrorClass: PayloadTooLargeError, status: 413 },
  { name: 'UnsupportedMediaTypeError', ErrorClass: UnsupportedMediaTypeError, status: 415 },
  { name: 'TransientError', ErrorClass: TransientError, status: 503 },
  { name: 'WorkflowStateError', ErrorClass: WorkflowStateError, status: 409 },
  { name: 'ApplicationMissingError', ErrorClass: ApplicationMissingError, status: 404 },
  { name: 'ManifestRejectedError', ErrorClass: ManifestRejectedError, status: 422 },
  { name: 'BatchMissingError', ErrorClass: BatchMissingError, status: 404 },
  { name: 'DeliveryFailedError', ErrorClass: DeliveryFailedError, status: 502 },
  { name: 'DeliveryExhaustedError', ErrorClass: DeliveryExhaustedError, status: 502 },
  { name: 'UnsafeWebhookTargetError', ErrorClass: UnsafeWebhookTargetError, status: 422 },
  { name: 'InvalidWebhookSecretError', ErrorClass: InvalidWebhookSecretError, status: 500 },
];

describe('the error family', () => {
  it.each(FAMILY)('$name is named so and answers $status', ({ name, ErrorClass, status }) => {
    // Act
    const error = new ErrorClass('what went wrong');

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
    expect(error.status).toBe(status);
    expect(String(error)).toBe(`${name}: what went wrong`);
  });

  it('names each error a workflow retries or catches after the class that throws it', () => {
    // Act
    const thrown = {
      transient: new TransientError('throttled').name,
      deliveryFailed: new DeliveryFailedError('503 from the endpoint').name,
      manifestRejected: new ManifestRejectedError('not UTF-8').name,
      batchMissing: new BatchMissingError('no such batch').name,
    };

    // Assess
    expect(thrown).toEqual(WORKFLOW_ERROR_NAMES);
  });
});
