import * as z from '../zod.ts';
import type { ApplicationInput } from './application.ts';
import type { FieldError } from './errors.ts';
import {
  identifierSchema,
  parseCreditCode,
  parseDomainName,
  parseFilingNumber,
  parseResidentId,
} from './identifiers/index.ts';
import type { DateOptions } from './identifiers/parse-result.ts';

/**
 * The filing registry, pure part: what the agency knows of a filing (usually an export of MIIT's public query), how an
 * import is read, and how a submission is checked against it. Storage and HTTP live elsewhere.
 */

export const RegistrySubjectType = z.enum([
  'enterprise',
  'individual',
  'public_institution',
  'government',
  'social_organisation',
  'other',
]);
export type RegistrySubjectType = z.infer<typeof RegistrySubjectType>;

/** MIIT's `natureName` values (主办单位性质) and what they are. Anything else is `other`. */
const NATURE_NAMES: Readonly<Record<string, RegistrySubjectType>> = {
  企业: 'enterprise',
  个人: 'individual',
  事业单位: 'public_institution',
  政府机关: 'government',
  国家机关: 'government',
  社会团体: 'social_organisation',
  民办非企业单位: 'social_organisation',
  基金会: 'social_organisation',
  群众性团体组织: 'social_organisation',
};

/**
 * Records are judged against the day of their import (`parseRegistryImport`), submissions against the day they came:
 * reading stored records back (the schema below) and canonicalising values to compare them check the form only,
 * never a year against another day (the machine's, say, under the local runtime's shifted clock).
 */
const ANY_DAY: DateOptions = { today: '9999-12-31' };
const FilingNumber = identifierSchema((input, path) => parseFilingNumber(input, path, ANY_DAY));
const DomainName = identifierSchema(parseDomainName);

export const RegistryWebsite = z.strictObject({
  filingNumber: FilingNumber,
  websiteName: z.optional(z.string().check(z.minLength(1))),
  domains: z.optional(z.array(DomainName)),
});
export type RegistryWebsite = z.infer<typeof RegistryWebsite>;

/** One website's filing as the registry knows it. Identifiers are stored in canonical form. */
export const RegistryRecord = z.strictObject({
  /** The website's number (`-n`); a subject's own number for a record of a subject without website details. */
  filingNumber: FilingNumber,
  subjectFilingNumber: FilingNumber,
  subjectName: z.string().check(z.trim(), z.minLength(1)),
  subjectType: RegistrySubjectType,
  /** `natureName` as MIIT wrote it (企业, 个人, 事业单位…), when known. */
  subjectNature: z.optional(z.string().check(z.minLength(1))),
  creditCode: z.optional(identifierSchema(parseCreditCode)),
  idNumber: z.optional(identifierSchema((input, path) => parseResidentId(input, path, ANY_DAY))),
  websiteName: z.optional(z.string().check(z.trim(), z.minLength(1))),
  domains: z.array(DomainName),
  /** MIIT's `limitAccess` (是 = access restricted). */
  limitAccess: z.optional(z.boolean()),
  /** MIIT's `updateRecordTime`, as given. */
  updatedAt: z.optional(z.string().check(z.minLength(1))),
  /** The subject's other websites: undefined when unknown, empty when this is known to be its only one. */
  otherWebsites: z.optional(z.array(RegistryWebsite)),
  /** Access providers (接入商) of this website: undefined when unknown. */
  accessProviders: z.optional(z.array(z.string().check(z.minLength(1)))),
});
export type RegistryRecord = z.infer<typeof RegistryRecord>;

// ---------------------------------------------------------------------------------------------------------------
// Import

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
/** A column read after `blankToUndefined` (what classic zod calls `preprocess`). */
const blankAsMissing = <S extends z.core.$ZodType>(schema: S) => z.pipe(z.transform(blankToUndefined), schema);
/**
 * Bounds of a row's text and lists: far above any real filing (a name is at most 200 characters, as in an application;
 * a website has a handful of domains), so that no row makes a record DynamoDB cannot store (see `MAX_RECORD_BYTES`).
 */
const MAX_TEXT = 200;
const MAX_LIST_ITEM = 253;
const MAX_LIST_ITEMS = 1_000;
const Text = blankAsMissing(
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be text') }).check(z.trim(), z.maxLength(MAX_TEXT)),
);
const OptionalText = blankAsMissing(z.optional(z.string().check(z.trim(), z.maxLength(MAX_TEXT))));
const List = blankAsMissing(
  z.optional(
    z.pipe(
      z.pipe(
        z.union([z.string(), z.array(z.string())]),
        z.transform((v) => (Array.isArray(v) ? v : v.split(/[\s,;，；、|]+/)).map((s) => s.trim()).filter((s) => s !== '')),
      ),
      z.array(z.string().check(z.maxLength(MAX_LIST_ITEM))).check(z.maxLength(MAX_LIST_ITEMS)),
    ),
  ),
);
const YesNo = blankAsMissing(
  z.optional(
    z.pipe(
      z.union([z.boolean(), z.enum(['是', '否', 'true', 'false', 'yes', 'no', 'Y', 'N'])]),
      z.transform((v) => v === true || v === '是' || v === 'true' || v === 'yes' || v === 'Y'),
    ),
  ),
);

/** A row of our own CSV/JSON shape. Unknown columns are ignored (agencies keep their own columns beside ours). */
export const PlainRegistryRow = z.object({
  filingNumber: Text,
  subjectFilingNumber: OptionalText,
  subjectName: Text,
  /** Our names (enterprise, individual…) or MIIT's (企业, 个人…). */
  subjectType: Text,
  creditCode: OptionalText,
  idNumber: OptionalText,
  websiteName: OptionalText,
  /** Several domains separated by spaces, commas, semicolons, 、 or |, or a JSON array. */
  domains: List,
  limitAccess: YesNo,
  updatedAt: OptionalText,
  /** Filing numbers of the subject's other websites. */
  otherWebsites: List,
  accessProviders: List,
});

/** A row of MIIT's public query export (the shape most open-source query tools write). */
export const MiitRegistryRow = z.object({
  mainLicence: Text,
  serviceLicence: Text,
  unitName: Text,
  natureName: Text,
  serviceName: OptionalText,
  domain: Text,
  limitAccess: YesNo,
  updateRecordTime: OptionalText,
});

export interface RegistryImportError {
  /** 0-based index of the row in the input. */
  row: number;
  errors: FieldError[];
}

export interface RegistryImportResult {
  records: RegistryRecord[];
  errors: RegistryImportError[];
}

export interface RegistryImportOptions extends DateOptions {
  /**
   * Take the rows of one subject in this import as all of its websites, filling `otherWebsites` of records that do
   * not state it. Default true: a MIIT query by subject returns every website, and a missed "last website" warning
   * costs an empty subject, while a needless one costs a glance.
   */
  siblingsFromImport?: boolean;
}

/**
 * The largest record stored, as JSON: a DynamoDB item holds at most 400 KB (the record, its keys and a few
 * attributes), and a larger one would fail the import's write. Rows within their bounds can still add up past it: the
 * one-row-per-domain rows of MIIT's export merged into one website, the websites of one subject listed in each other.
 */
export const MAX_RECORD_BYTES = 300 * 1024;

type Draft = { record: RegistryRecord; rows: number[]; explicitSiblings: boolean };

/**
 * Read registry rows in either shape (ours, or MIIT's export), row by row: each row becomes part of a record or is
 * reported with its field errors. Rows of one website (MIIT's export has one row per domain) are merged.
 * CSV text is the caller's to parse; this takes the parsed rows.
 */
export function parseRegistryImport(rows: readonly unknown[], options: RegistryImportOptions = {}): RegistryImportResult {
  const errors: RegistryImportError[] = [];
  const drafts = new Map<string, Draft>();
  const dates: DateOptions = options.today === undefined ? {} : { today: options.today };
  rows.forEach((raw, row) => {
    const parsed = isMiitRow(raw) ? fromMiitRow(raw, dates) : fromPlainRow(raw, dates);
    if (!parsed.ok) {
      errors.push({ row, errors: parsed.errors });
      return;
    }
    const existing = drafts.get(parsed.record.filingNumber);
    if (!existing) {
      drafts.set(parsed.record.filingNumber, { record: parsed.record, rows: [row], explicitSiblings: parsed.explicitSiblings });
      return;
    }
    const conflict = conflictingField(existing.record, parsed.record);
    if (conflict) {
      errors.push({
        row,
        errors: [
          {
            path: conflict,
            code: 'conflicting_rows',
            message: `Row ${(existing.rows[0] ?? 0) + 1} gives another ${conflict} for ${parsed.record.filingNumber}; keep one value per filing.`,
          },
        ],
      });
      return;
    }
    existing.record = { ...existing.record, domains: union(existing.record.domains, parsed.record.domains) };
    existing.rows.push(row);
  });

  const records = [...drafts.values()];
  if (options.siblingsFromImport !== false) {
    for (const draft of records) {
      if (draft.explicitSiblings) continue;
      draft.record = {
        ...draft.record,
        otherWebsites: records
          .filter((other) => other !== draft && other.record.subjectFilingNumber === draft.record.subjectFilingNumber)
          .filter((other) => other.record.filingNumber !== other.record.subjectFilingNumber)
          .map(({ record }) => ({
            filingNumber: record.filingNumber,
            ...(record.websiteName ? { websiteName: record.websiteName } : {}),
            domains: record.domains,
          })),
      };
    }
  }
  const fitting = records.filter((draft) => {
    const bytes = Buffer.byteLength(JSON.stringify(draft.record));
    if (bytes <= MAX_RECORD_BYTES) return true;
    const message = `The record of ${draft.record.filingNumber} would take ${bytes} bytes, more than the ${MAX_RECORD_BYTES} a record can: list fewer domains or websites.`;
    for (const row of draft.rows) errors.push({ row, errors: [{ path: '(row)', code: 'record_too_large', message }] });
    return false;
  });
  errors.sort((a, b) => a.row - b.row);
  return { records: fitting.map((d) => d.record), errors };
}

function isMiitRow(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && ('serviceLicence' in raw || 'mainLicence' in raw);
}

type RowResult = { ok: true; record: RegistryRecord; explicitSiblings: boolean } | { ok: false; errors: FieldError[] };

function zodErrors(error: z.core.$ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.join('.'),
    code: 'invalid_field',
    message: `${issue.path.join('.') || 'row'} ${issue.message}`,
  }));
}

/** Parse an identifier into `errors` (with the source column as path) and return its canonical form. */
function take<P>(
  errors: FieldError[],
  path: string,
  value: string | undefined,
  parse: (input: string, path: string) => { ok: true; value: string; parts: P } | { ok: false; errors: FieldError[] },
): { value: string; parts: P } | undefined {
  if (value === undefined) return undefined;
  const parsed = parse(value, path);
  if (parsed.ok) return parsed;
  errors.push(...parsed.errors);
  return undefined;
}

function subjectTypeOf(name: string): RegistrySubjectType {
  const ours = RegistrySubjectType.safeParse(name);
  return ours.success ? ours.data : (NATURE_NAMES[name] ?? 'other');
}

function fromMiitRow(raw: unknown, dates: DateOptions): RowResult {
  const filingNumber = (input: string, path: string) => parseFilingNumber(input, path, dates);
  const parsed = MiitRegistryRow.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error) };
  const row = parsed.data;
  const errors: FieldError[] = [];
  const service = take(errors, 'serviceLicence', row.serviceLicence, filingNumber);
  const main = take(errors, 'mainLicence', row.mainLicence, filingNumber);
  const domain = take(errors, 'domain', row.domain, parseDomainName);
  if (service && main && service.parts.subjectNumber !== main.value) {
    errors.push({
      path: 'mainLicence',
      code: 'inconsistent_licences',
      message: `mainLicence ${main.value} is not the subject of serviceLicence ${service.value} (expected ${service.parts.subjectNumber}).`,
    });
  }
  if (errors.length > 0 || !service || !main || !domain) return { ok: false, errors };
  return {
    ok: true,
    explicitSiblings: false,
    record: {
      filingNumber: service.value,
      subjectFilingNumber: main.value,
      subjectName: row.unitName,
      subjectType: subjectTypeOf(row.natureName),
      subjectNature: row.natureName,
      ...(row.serviceName ? { websiteName: row.serviceName } : {}),
      domains: [domain.value],
      ...(row.limitAccess === undefined ? {} : { limitAccess: row.limitAccess }),
      ...(row.updateRecordTime ? { updatedAt: row.updateRecordTime } : {}),
    },
  };
}

function fromPlainRow(raw: unknown, dates: DateOptions): RowResult {
  const filingNumber = (input: string, path: string) => parseFilingNumber(input, path, dates);
  const parsed = PlainRegistryRow.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: zodErrors(parsed.error) };
  const row = parsed.data;
  const errors: FieldError[] = [];
  const filing = take(errors, 'filingNumber', row.filingNumber, filingNumber);
  const subject = take(errors, 'subjectFilingNumber', row.subjectFilingNumber, filingNumber);
  if (filing && subject && filing.parts.subjectNumber !== subject.value) {
    errors.push({
      path: 'subjectFilingNumber',
      code: 'inconsistent_licences',
      message: `subjectFilingNumber ${subject.value} is not the subject of ${filing.value} (expected ${filing.parts.subjectNumber}).`,
    });
  }
  const creditCode = take(errors, 'creditCode', row.creditCode, parseCreditCode);
  const idNumber = take(errors, 'idNumber', row.idNumber, (input, path) => parseResidentId(input, path, dates));
  const domains = (row.domains ?? []).map((d, i) => take(errors, `domains.${i}`, d, parseDomainName)?.value);
  const others = (row.otherWebsites ?? []).map((n, i) => take(errors, `otherWebsites.${i}`, n, filingNumber)?.value);
  if (errors.length > 0 || !filing) return { ok: false, errors };
  return {
    ok: true,
    explicitSiblings: row.otherWebsites !== undefined,
    record: {
      filingNumber: filing.value,
      subjectFilingNumber: filing.parts.subjectNumber,
      subjectName: row.subjectName,
      subjectType: subjectTypeOf(row.subjectType),
      ...(RegistrySubjectType.safeParse(row.subjectType).success ? {} : { subjectNature: row.subjectType }),
      ...(creditCode ? { creditCode: creditCode.value } : {}),
      ...(idNumber ? { idNumber: idNumber.value } : {}),
      ...(row.websiteName ? { websiteName: row.websiteName } : {}),
      domains: domains.filter((d): d is string => d !== undefined),
      ...(row.limitAccess === undefined ? {} : { limitAccess: row.limitAccess }),
      ...(row.updatedAt ? { updatedAt: row.updatedAt } : {}),
      ...(row.otherWebsites === undefined
        ? {}
        : { otherWebsites: others.filter((n): n is string => n !== undefined).map((filingNumber) => ({ filingNumber })) }),
      ...(row.accessProviders === undefined ? {} : { accessProviders: row.accessProviders }),
    },
  };
}

const MERGE_CHECKED_FIELDS = ['subjectName', 'subjectType', 'websiteName', 'creditCode', 'idNumber'] as const;

function conflictingField(a: RegistryRecord, b: RegistryRecord): string | undefined {
  return MERGE_CHECKED_FIELDS.find((field) => a[field] !== undefined && b[field] !== undefined && a[field] !== b[field]);
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

// ---------------------------------------------------------------------------------------------------------------
// Cross-check

export interface RegistryMismatch extends FieldError {
  code: 'registry_mismatch';
  registryValue: string | string[];
  submittedValue: string;
}

/**
 * Names as filed compare equal when they differ only in full-width/half-width forms (（） vs ()), spaces and the case
 * of Latin letters: the authority compares the text, not its encoding.
 */
export function normaliseName(name: string): string {
  return name.normalize('NFKC').replace(/\s+/g, '').toLowerCase();
}

/** The canonical form of an identifier if it parses, otherwise the trimmed input (so a bad value still compares). */
function canonical(value: string, parse: (input: string, path: string) => { ok: boolean; value?: string }): string {
  const parsed = parse(value, '');
  return parsed.ok && parsed.value ? parsed.value : value.trim();
}

/**
 * Compare a submission with the registry's record of the filing, field by field, as the authority will
 * (a mismatch is the commonest reason for a return, INFO_MISMATCH). Checked: the filing number, the subject's name,
 * type (person or organisation), credit code and ID number, the website's name, and each submitted domain, which
 * must be one of the filing's (for cancel_subject, of any of the subject's known websites). Domains of the filing
 * left out of the submission are not a mismatch here: that is a partial removal, refused by the kind rules.
 */
export function crossCheck(submission: ApplicationInput, record: RegistryRecord): RegistryMismatch[] {
  const mismatches: RegistryMismatch[] = [];
  const mismatch = (path: string, what: string, registryValue: string | string[], submittedValue: string, fix: string) =>
    mismatches.push({
      path,
      code: 'registry_mismatch',
      message: `The ${what} differs from the filing: the registry has ${JSON.stringify(registryValue)}, the submission ${JSON.stringify(submittedValue)}. ${fix}`,
      registryValue,
      submittedValue,
    });

  if (submission.kind !== 'cancel_licence') {
    const filing = parseFilingNumber(submission.filingNumber, 'filingNumber', ANY_DAY);
    const submitted = filing.ok ? filing.value : submission.filingNumber.trim();
    const expected = submission.kind === 'cancel_subject' ? record.subjectFilingNumber : record.filingNumber;
    if (submitted !== expected) {
      mismatch('filingNumber', 'filing number', expected, submitted, 'Check which filing this cancellation is for.');
    }
  }

  if (normaliseName(submission.subject.name) !== normaliseName(record.subjectName)) {
    mismatch('subject.name', 'subject name (主办单位名称)', record.subjectName, submission.subject.name, 'Enter it exactly as filed.');
  }
  if ((submission.subject.type === 'individual') !== (record.subjectType === 'individual')) {
    mismatch(
      'subject.type',
      'subject type (主办单位性质)',
      record.subjectNature ?? record.subjectType,
      submission.subject.type,
      'A filing by a person (个人) is cancelled as an individual, any other as an organisation.',
    );
  }
  if (submission.subject.creditCode && record.creditCode) {
    const submitted = canonical(submission.subject.creditCode, parseCreditCode);
    if (submitted !== record.creditCode) {
      mismatch('subject.creditCode', 'unified social credit code', record.creditCode, submitted, 'Copy it from the business licence used for the filing.');
    }
  }
  if (submission.subject.idNumber && record.idNumber) {
    const submitted = canonical(submission.subject.idNumber, (input, path) => parseResidentId(input, path, ANY_DAY));
    if (submitted !== record.idNumber) {
      mismatch('subject.idNumber', 'ID number', record.idNumber, submitted, 'Use the ID card the filing was made with.');
    }
  }
  const websiteKind = submission.kind === 'cancel_website' || submission.kind === 'cancel_access';
  if (websiteKind && record.websiteName && normaliseName(submission.websiteName) !== normaliseName(record.websiteName)) {
    mismatch('websiteName', 'website name (网站名称)', record.websiteName, submission.websiteName, 'Enter it exactly as filed.');
  }

  const filedDomains =
    submission.kind === 'cancel_subject'
      ? union(record.domains, (record.otherWebsites ?? []).flatMap((w) => w.domains ?? []))
      : record.domains;
  // Without any domain on record (a subject-only record) there is nothing to compare against.
  if (filedDomains.length > 0) {
    submission.domains.forEach((domain, i) => {
      const submitted = canonical(domain, parseDomainName);
      if (!filedDomains.includes(submitted)) {
        mismatch(`domains.${i}`, 'domain', filedDomains, submitted, 'List only domains of this filing.');
      }
    });
  }
  return mismatches;
}
