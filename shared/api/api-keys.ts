import { ROTATION_OVERLAP } from '../domain/api-key.ts';
import { Scope } from '../domain/records.ts';
import * as z from '../zod.ts';
import type { issuedKeyBody, listApiKeys, revokedKeyBody, rotatedKeyBody } from '../use-cases/api-keys.ts';
import type { Agrees, Assert } from './agree.ts';
import { Timestamp } from './applications.ts';

/** The answers of the API key routes (see `applications.ts` for how these are kept true to the code). */

export const ApiKeyStatus = z.enum(['active', 'expiring', 'expired', 'revoked']).check(
  z.describe('`active`: works, without an end; `expiring`: works until `expiresAt` (a rotation\'s overlap); `expired` and `revoked`: refused (401).'),
);

export const ApiKey = z.strictObject({
  id: z.string().check(z.describe('`key_` and a ULID.')),
  prefix: z.optional(z.string().check(z.describe('The key\'s first characters (`icp_agency_` and 8 more): enough to tell keys apart, far too few to use.'))),
  name: z.optional(z.string().check(z.describe('The label it was given at creation (a rotation passes it on).'))),
  scopes: z.array(Scope),
  status: ApiKeyStatus,
  createdAt: Timestamp,
  lastUsedAt: z.optional(Timestamp.check(z.describe('When a request made with it last succeeded, to the hour: written at most once an hour, so up to an hour behind.'))),
  revokedAt: z.optional(Timestamp),
  expiresAt: z.optional(Timestamp.check(z.describe('Set by a rotation: refused from this instant on.'))),
  rotatedFrom: z.optional(z.string().check(z.describe('The key this one replaced.'))),
});
type _ApiKey = Assert<Agrees<z.infer<typeof ApiKey>, Awaited<ReturnType<typeof listApiKeys>>[number]>>;

export const ApiKeyList = z.strictObject({ items: z.array(ApiKey).check(z.describe('Newest first; revoked and expired keys stay listed 90 days.')) });

const Key = z.string().check(z.regex(/^icp_agency_[A-Za-z0-9_-]{43}$/), z.describe('The key, shown in this answer only (only its SHA-256 hash is stored). A replay of the request has none.'));

export const IssuedApiKey = z.strictObject({ ...ApiKey.shape, key: z.optional(Key) });
type _IssuedApiKey = Assert<Agrees<z.infer<typeof IssuedApiKey>, ReturnType<typeof issuedKeyBody>>>;

export const RotatedApiKey = z.strictObject({
  ...IssuedApiKey.shape,
  previous: ApiKey.check(z.describe(`The key replaced, \`expiring\` at the end of the overlap (${ROTATION_OVERLAP.defaultSeconds} s by default).`)),
});
type _RotatedApiKey = Assert<Agrees<z.infer<typeof RotatedApiKey>, ReturnType<typeof rotatedKeyBody>>>;

export const RevokedApiKey = z.strictObject({
  ...ApiKey.shape,
  warnings: z.optional(
    z.array(z.strictObject({ code: z.literal('own_key_revoked'), message: z.string() })).check(z.describe('When the request was made with the key it revoked.')),
  ),
});
type _RevokedApiKey = Assert<Agrees<z.infer<typeof RevokedApiKey>, ReturnType<typeof revokedKeyBody>>>;
