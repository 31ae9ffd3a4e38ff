/**
 * What never reaches a log line (STYLE.md rule 13), in one place: the logger runs every key and value of a line
 * through {@link redact} as it serialises it (Powertools' `jsonReplacerFn`; Powertools itself redacts nothing), the
 * message and the name, message and stack of logged errors included.
 *
 * Two rules:
 * - **by key**: a field named like a secret or a personal identifier is replaced whole, whatever it holds (keys are
 *   compared lower-case without `-` and `_`, so `Authorization`, `idNumber`, `id_number` and `X-Api-Key` all match);
 * - **by shape**, in every string, whatever its key: API keys (`icp_agency_…`, `icp_operator_…`), Standard Webhooks
 *   secrets (`whsec_…`), bearer tokens, the signature and credentials of presigned URLs (`X-Amz-Signature`,
 *   `X-Amz-Credential`, `X-Amz-Security-Token`) and any query parameter named like a token, secret, signature,
 *   password or API key, the password of a URL (`https://user:password@…`), webhook signatures (`v1,<base64>`) and
 *   resident ID numbers (18 characters: 17 digits and a check digit or X).
 *
 * The business keys (`tenantId`, `applicationId`, `batchId`, `deliveryId`) and ids of records are not secrets and
 * stay; a filing number or a domain is public (the MIIT registry shows both).
 */

export const REDACTED = '[redacted]';

/** Field names whose values are never logged (normalised: lower-case, without `-` and `_`). */
const SECRET_KEYS = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'apikey',
  'xapikey',
  'agencykey',
  'operatorkey',
  'keyhash',
  'secret',
  'secrets',
  'previoussecrets',
  'signingsecret',
  'webhooksecret',
  'webhooksignature',
  'password',
  'token',
  'tasktoken',
  'sessiontoken',
  'secretaccesskey',
  'credentials',
  'uploadurl',
  'downloadurl',
  'idnumber',
  'residentid',
  'idcard',
]);

/** Secrets and identifiers recognised by their shape in any text, each with what replaces it. */
const SECRET_SHAPES: [RegExp, string][] = [
  [/\bicp_(agency|operator)_[A-Za-z0-9_-]+/g, `icp_$1_${REDACTED}`],
  [/\bwhsec_[A-Za-z0-9+/=]+/g, `whsec_${REDACTED}`],
  [/\b(Bearer|Basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`],
  [/([?&](?:X-Amz-(?:Signature|Credential|Security-Token)|[^=&\s"']*(?:token|secret|signature|password|api[-_]?key)[^=&\s"']*)=)[^&\s"']+/gi, `$1${REDACTED}`],
  [/\b(https?:\/\/)[^/\s:@"']+:[^/\s@"']+@/gi, `$1${REDACTED}@`],
  [/\bv1,[A-Za-z0-9+/]{20,}={0,2}/g, `v1,${REDACTED}`],
  [/(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g, REDACTED],
];

function normalise(key: string): string {
  return key.replace(/[-_]/g, '').toLowerCase();
}

/** Whether a field of this name is never logged. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEYS.has(normalise(key));
}

/** `text` with every secret or identifier of a known shape replaced. */
export function scrub(text: string): string {
  let out = text;
  for (const [shape, replacement] of SECRET_SHAPES) out = out.replace(shape, replacement);
  return out;
}

/**
 * A `JSON.stringify` replacer: a secret field's value replaced whole (present but empty values stay as they are, so
 * a missing header still reads as missing), every string scrubbed, everything else unchanged (objects are walked
 * into by `JSON.stringify` itself).
 */
export function redact(key: string, value: unknown): unknown {
  if (key !== '' && isSecretKey(key) && value !== undefined && value !== null && value !== '') return REDACTED;
  if (typeof value === 'string') return scrub(value);
  return value;
}
