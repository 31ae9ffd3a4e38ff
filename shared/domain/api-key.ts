import * as z from '../zod.ts';
import { Scope } from './records.ts';

/**
 * API keys: `icp_<scope>_<43 characters of base64url>` (256 random bits), stored only as their SHA-256 hash, with
 * what the tenant and the administrator see of them.
 */

/** An API key's record, as stored beside its hash (the key itself is never stored). */
export const ApiKey = z.strictObject({
  keyId: z.string().check(z.minLength(1)),
  tenantId: z.string().check(z.minLength(1)),
  scopes: z.array(Scope).check(z.minLength(1)),
  /** The key's first characters (`icp_agency_Ab3dEf9h`): enough to tell keys apart, far too few to use. */
  prefix: z.optional(z.string()),
  /** The label its creator gave it. */
  name: z.optional(z.string()),
  createdAt: z.iso.datetime(),
  /** Set once: the key is refused from then on (within the key cache's time, see `authenticate`). */
  revokedAt: z.optional(z.iso.datetime()),
  /** Set by a rotation: the key is refused from this time on. */
  expiresAt: z.optional(z.iso.datetime()),
  /** The key this one replaced, when a rotation made it. */
  rotatedFrom: z.optional(z.string()),
  /** The last time a request made with it succeeded, to the hour (`recordKeyUse`). */
  lastUsedAt: z.optional(z.iso.datetime()),
});
export type ApiKey = z.infer<typeof ApiKey>;

/** `active` works and has no end; `expiring` works until `expiresAt` (a rotation's overlap); the others are refused. */
export type ApiKeyStatus = 'active' | 'expiring' | 'expired' | 'revoked';

export function keyStatus(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now: Date): ApiKeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt) return Date.parse(key.expiresAt) <= now.getTime() ? 'expired' : 'expiring';
  return 'active';
}

/** Whether a request made with the key is accepted at `now`. */
export function keyWorks(key: Pick<ApiKey, 'revokedAt' | 'expiresAt'>, now: Date): boolean {
  const status = keyStatus(key, now);
  return status === 'active' || status === 'expiring';
}

/** Random characters of a generated key shown in its prefix: 48 of its 256 bits, leaving 208 unknown. */
const PREFIX_RANDOM_CHARACTERS = 8;

/**
 * The part of a key that may be shown: `icp_<scope>_` and its first 8 random characters. A key of another form (the
 * local runtime's LOCAL_API_KEY) shows a quarter of its length, at most 8 characters, so a short one shows little.
 */
export function keyPrefix(key: string): string {
  const generated = /^icp_[a-z]+_/.exec(key);
  if (generated) return key.slice(0, generated[0].length + PREFIX_RANDOM_CHARACTERS);
  return key.slice(0, Math.min(PREFIX_RANDOM_CHARACTERS, Math.floor(key.length / 4)));
}

/** `POST /v1/api-keys` (and `npm run admin -- keys create`). */
export const ApiKeyInput = z.strictObject({
  name: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(100))),
  scope: z._default(Scope, 'agency'),
});
export type ApiKeyInput = z.infer<typeof ApiKeyInput>;

/**
 * How long a rotated key keeps working beside its successor. A day by default (as a webhook secret's rotation), so
 * every client can switch at leisure; 0 ends it at once (a leaked key); 30 days at most, so that a forgotten old key
 * does not linger.
 */
export const ROTATION_OVERLAP = { defaultSeconds: 86_400, minSeconds: 0, maxSeconds: 30 * 86_400 } as const;

/** `POST /v1/api-keys/{id}/rotate`. */
export const RotationInput = z.strictObject({
  overlapSeconds: z._default(
    z.number().check(z.int(), z.minimum(ROTATION_OVERLAP.minSeconds), z.maximum(ROTATION_OVERLAP.maxSeconds)),
    ROTATION_OVERLAP.defaultSeconds,
  ),
});
export type RotationInput = z.infer<typeof RotationInput>;

/** A key as the API and the admin command show it: never the key, never its hash. */
export interface ApiKeyView {
  id: string;
  prefix?: string;
  name?: string;
  scopes: Scope[];
  status: ApiKeyStatus;
  createdAt: string;
  lastUsedAt?: string;
  revokedAt?: string;
  expiresAt?: string;
  rotatedFrom?: string;
}

export function apiKeyView(key: ApiKey, now: Date): ApiKeyView {
  return {
    id: key.keyId,
    ...(key.prefix ? { prefix: key.prefix } : {}),
    ...(key.name ? { name: key.name } : {}),
    scopes: key.scopes,
    status: keyStatus(key, now),
    createdAt: key.createdAt,
    ...(key.lastUsedAt ? { lastUsedAt: key.lastUsedAt } : {}),
    ...(key.revokedAt ? { revokedAt: key.revokedAt } : {}),
    ...(key.expiresAt ? { expiresAt: key.expiresAt } : {}),
    ...(key.rotatedFrom ? { rotatedFrom: key.rotatedFrom } : {}),
  };
}
