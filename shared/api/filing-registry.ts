import { RegistryRecord } from '../domain/filing-registry.ts';
import * as z from '../zod.ts';
import type { getFilingRecord, RegistryImportReport } from '../use-cases/filing-registry.ts';
import type { Agrees, Assert } from './agree.ts';
import { Timestamp } from './applications.ts';
import { FieldError } from './problem.ts';

/** The answers of the filing registry routes (see `applications.ts` for how these are kept true to the code). */

export const RegistryImport = z.strictObject({
  rows: z.number().check(z.int(), z.minimum(0), z.describe('Rows (records) received.')),
  imported: z.number().check(z.int(), z.minimum(0), z.describe('Filing records written (the rows of one website make one record).')),
  rejected: z.number().check(z.int(), z.minimum(0), z.describe('Rows refused, each in `errors`.')),
  errors: z.array(
    z.strictObject({
      row: z.number().check(z.int(), z.minimum(1), z.describe('The record\'s number, from 1.')),
      line: z.optional(z.number().check(z.int(), z.minimum(1), z.describe('CSV: the line the row ends on.'))),
      errors: z.array(FieldError),
    }),
  ),
});
type _RegistryImport = Assert<Agrees<z.infer<typeof RegistryImport>, RegistryImportReport>>;

/** A filing as the tenant's registry knows it; identifiers in canonical form. */
export const FilingRecord = z.strictObject({ ...RegistryRecord.shape, importedAt: Timestamp });
type _FilingRecord = Assert<Agrees<z.infer<typeof FilingRecord>, Awaited<ReturnType<typeof getFilingRecord>>>>;
