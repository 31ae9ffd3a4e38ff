import type { RegistryRecord } from '../domain/filing-registry.ts';

/** A record of the registry as stored: the filing as the agency knows it, and when it was imported. */
export interface StoredRegistryRecord {
  record: RegistryRecord;
  importedAt: string;
}

/**
 * The tenant's filing registry: the original filing records of its customers, imported by the agency, against which
 * submissions are cross-checked. Each tenant sees only its own records.
 */
export interface FilingRegistryRepository {
  /**
   * Stores records, replacing any with the same filing number (an import is an upsert). Written in batches, not as one
   * transaction: each record stands alone, and a repeated import writes the same items again.
   * @throws TransientError when DynamoDB keeps some writes unprocessed (throttling); repeating the import is safe.
   */
  putRecords(tenantId: string, records: readonly RegistryRecord[], importedAt: string): Promise<void>;
  /** One record by its canonical filing number. */
  get(tenantId: string, filingNumber: string): Promise<StoredRegistryRecord | undefined>;
  /** Every record of a subject: the subject's own number and each of its website numbers (`<subject>-n`). */
  listSubject(tenantId: string, subjectFilingNumber: string): Promise<StoredRegistryRecord[]>;
}
