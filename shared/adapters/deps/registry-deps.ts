import { config } from '../../config.ts';
import type { Deps } from '../../ports/deps.ts';
import { DynamoFilingRegistryRepository } from '../dynamo/dynamo-filing-registry-repository.ts';
import { bound } from './bound.ts';
import { documentClient } from './documents.ts';

/** The tenant's filing registry in the table (imports, look-ups, and the cross-check of new applications). */
export const registryDeps: () => Pick<Deps, 'registry'> = bound(() => ({
  registry: new DynamoFilingRegistryRepository(documentClient(), config().TABLE_NAME),
}));
