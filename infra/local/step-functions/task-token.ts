import { randomBytes, randomUUID } from 'node:crypto';

/** Marks the engine's own tokens, so that garbage (`InvalidToken`) is told apart from a task that is over. */
const TOKEN_PREFIX = 'icp-local-sfn-task:';

/** A new opaque task token, unique per task attempt, like the ones Step Functions hands to `.waitForTaskToken` tasks. */
export function mintTaskToken(): string {
  return Buffer.from(`${TOKEN_PREFIX}${randomUUID()}:${randomBytes(24).toString('base64url')}`).toString('base64url');
}

/** Whether `token` was minted by {@link mintTaskToken} (by any engine instance; it may be unknown or over). */
export function isWellFormedTaskToken(token: string): boolean {
  return token.length <= 2048 && Buffer.from(token, 'base64url').toString('utf8').startsWith(TOKEN_PREFIX);
}
