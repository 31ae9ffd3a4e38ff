import { AppError } from '../../domain/errors.ts';

/**
 * The manifest cannot be read as a whole (not UTF-8, not CSV, unknown or missing columns, too many rows, too large):
 * the batch fails before any row is ingested. Not retried by the ingestion workflow.
 */
export class ManifestRejectedError extends AppError {
  readonly status = 422;
  readonly type = 'manifest-rejected';
  readonly title = 'The manifest cannot be read';
}

/** The batch named in a workflow input does not exist (or is another tenant's). */
export class BatchMissingError extends AppError {
  readonly status = 404;
  readonly type = 'batch-missing';
  readonly title = 'The batch does not exist';
}
