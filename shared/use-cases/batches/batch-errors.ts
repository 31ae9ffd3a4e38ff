import { AppError, WORKFLOW_ERROR_NAMES } from '../../domain/errors.ts';

/**
 * The manifest cannot be read as a whole (not UTF-8, not CSV, unknown or missing columns, too many rows, too large):
 * the batch fails before any row is ingested. Not retried by the ingestion workflow.
 */
export class ManifestRejectedError extends AppError {
  override readonly name = WORKFLOW_ERROR_NAMES.manifestRejected;
  readonly status = 422;
  readonly type = 'manifest-rejected';
  readonly title = 'The manifest cannot be read';
}

/** The batch named in a workflow input does not exist (or is another tenant's). */
export class BatchMissingError extends AppError {
  override readonly name = WORKFLOW_ERROR_NAMES.batchMissing;
  readonly status = 404;
  readonly type = 'batch-missing';
  readonly title = 'The batch does not exist';
}
