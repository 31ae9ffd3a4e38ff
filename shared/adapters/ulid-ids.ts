import { monotonicFactory } from 'ulid';
import type { IdGenerator } from '../ports/services.ts';

const nextUlid = monotonicFactory();

/** ULIDs sort by creation time, so ids double as a time order; lower case reads better in URLs. */
export const ulidIds: IdGenerator = { next: (prefix) => `${prefix}_${nextUlid().toLowerCase()}` };
