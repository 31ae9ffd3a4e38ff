/**
 * What a failed HeadObject means, named. A HEAD answer has no body, so S3's 403 reaches the SDK without its error code
 * and comes out named `Unknown`, which tells an operator nothing; it is the same refusal a GET reports as
 * `AccessDenied`: the role may not read the object, or the object is missing and the role may not `s3:ListBucket`.
 */
export class S3AccessDeniedError extends Error {
  override readonly name = 'AccessDenied';
}

/**
 * For a HeadObject that failed: `undefined` when the object is missing (404); throws the refusal, named, for a bare 403,
 * and any other error as it came.
 */
export function missingOrThrow(error: unknown, key: string): undefined {
  const { name, $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  if (name === 'NotFound' || name === 'NoSuchKey') return undefined;
  if ($metadata?.httpStatusCode === 403) {
    throw new S3AccessDeniedError(
      `S3 refused HeadObject on ${key} (403): the role may not read it, or it is missing and the role may not s3:ListBucket.`,
      { cause: error },
    );
  }
  throw error;
}
