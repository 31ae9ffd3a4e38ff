import { AppError } from '../../domain/errors.ts';

/**
 * The workflow reached a task in a state it cannot act on (e.g. the application was withdrawn meanwhile). Not retried:
 * the execution ends through MarkFailed, which leaves final applications as they are.
 */
export class WorkflowStateError extends AppError {
  override readonly name = 'WorkflowStateError';
  readonly status = 409;
  readonly type = 'workflow-state';
  readonly title = 'The application is not in a state this step can act on';
}

/** The application named in a workflow input does not exist (or is another tenant's). */
export class ApplicationMissingError extends AppError {
  override readonly name = 'ApplicationMissingError';
  readonly status = 404;
  readonly type = 'application-missing';
  readonly title = 'The application does not exist';
}
