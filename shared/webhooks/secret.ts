import { randomBytes } from 'node:crypto';

const PREFIX = 'whsec_';
/** 24 bytes (192 bits) is the Standard Webhooks minimum; we generate exactly that. */
const SECRET_BYTES = 24;
/** The spec allows secrets of 24 to 64 bytes; anything else was not produced by a conforming sender. */
const MIN_BYTES = 24;
const MAX_BYTES = 64;

/**
 * Generates a new endpoint signing secret in the Standard Webhooks format: `whsec_` followed by the standard base64 of
 * 24 random bytes. Shown to the customer once; they pass it to their verifier as is.
 */
export function generateWebhookSecret(): string {
  return PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

/**
 * Whether `s` is a Standard Webhooks secret: `whsec_` + canonical standard base64 of 24–64 bytes.
 * Canonical means it round-trips, so strings that Node's lenient decoder would silently truncate are refused.
 */
export function isWebhookSecret(s: unknown): s is string {
  if (typeof s !== 'string' || !s.startsWith(PREFIX)) return false;
  const encoded = s.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return false;
  const bytes = Buffer.from(encoded, 'base64');
  return bytes.length >= MIN_BYTES && bytes.length <= MAX_BYTES && bytes.toString('base64') === encoded;
}
