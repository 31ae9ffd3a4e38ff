import { randomBytes, randomUUID } from 'node:crypto';

/** Marks the engine's own tokens, so that garbage (`InvalidToken`) is told apart from a task that is over. */
const TOKEN_PREFIX = 'icp-local-sfn-task:';

/**
 * A new opaque task token, unique per task attempt, like the ones Step Functions hands to `.waitForTaskToken` tasks.
 * Like AWS's, it carries its execution (`executionArn`), which is how the state machine a `SendTask*` call is authorised
 * on is known even after the task is over (see {@link executionOfTaskToken}).
 */
export function mintTaskToken(executionArn: string): string {
  return Buffer.from(`${TOKEN_PREFIX}${randomUUID()}:${randomBytes(24).toString('base64url')}:${executionArn}`).toString('base64url');
}

/** Whether `token` was minted by {@link mintTaskToken} (by any engine instance; it may be unknown or over). */
export function isWellFormedTaskToken(token: string): boolean {
  return token.length <= 2048 && Buffer.from(token, 'base64url').toString('utf8').startsWith(TOKEN_PREFIX);
}

/** The ARN of the execution a token of {@link mintTaskToken} was minted for; undefined for any other text. */
export function executionOfTaskToken(token: string): string | undefined {
  if (!isWellFormedTaskToken(token)) return undefined;
  const [, , ...arn] = Buffer.from(token, 'base64url').toString('utf8').slice(TOKEN_PREFIX.length).split(':');
  const executionArn = arn.join(':');
  return executionArn.startsWith('arn:') ? executionArn : undefined;
}
