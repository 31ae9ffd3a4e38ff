/**
 * Local credentials per function: each function signs its AWS calls with an access key of its own, so that the local
 * IAM proxy knows which role a call is made under, as AWS knows from the role session's credentials.
 */

/** A caller the proxy knows: a function (authorised against its role), or unrestricted (the runtime's own calls). */
export type Caller = { functionId: string; secretAccessKey: string } | 'unrestricted';

/** Who signed with an access key id (undefined for an unsigned request); undefined: nobody known, refused. */
export type Identify = (accessKeyId: string | undefined) => Caller | undefined;

const ACCESS_KEY_PREFIX = 'LOCAL';

/**
 * The credentials a function signs with locally: `LOCAL<logical id>`. Letters and digits only, as DynamoDB Local
 * (2.x) requires of an access key id; CDK logical ids are alphanumeric.
 */
export function functionCredentials(functionId: string): { accessKeyId: string; secretAccessKey: string } {
  if (!/^[A-Za-z0-9]+$/.test(functionId)) throw new Error(`A function's logical id is alphanumeric; got ${functionId}`);
  return { accessKeyId: `${ACCESS_KEY_PREFIX}${functionId}`, secretAccessKey: `local-secret-${functionId}` };
}

/**
 * Identifies the functions' access keys (see {@link functionCredentials}); any other key (the runtime's own admin
 * calls, a test harness) is `unrestricted`, or refused when `others` is `'refused'`.
 */
export function identifyFunctions(functionIds: Iterable<string>, options: { others?: 'unrestricted' | 'refused' } = {}): Identify {
  const byKey = new Map<string, Caller>();
  for (const functionId of functionIds) {
    const { accessKeyId, secretAccessKey } = functionCredentials(functionId);
    byKey.set(accessKeyId, { functionId, secretAccessKey });
  }
  const others = options.others ?? 'unrestricted';
  return (accessKeyId) => byKey.get(accessKeyId ?? '') ?? (others === 'unrestricted' ? 'unrestricted' : undefined);
}
