import type { ApplicationInput } from '../domain/application.ts';
import { chinaToday } from '../domain/calendar/china-date.ts';
import { type FieldError, UnprocessableError, ValidationError } from '../domain/errors.ts';
import { crossCheck, type RegistryMismatch, type RegistryRecord, type RegistryWebsite } from '../domain/filing-registry.ts';
import {
  type DateOptions,
  parseCreditCode,
  parseDomainName,
  parseFilingNumber,
  parseLicenceNumber,
  parseResidentId,
} from '../domain/identifiers/index.ts';
import { checkKindRules } from '../domain/kind-rules.ts';
import type { ApplicationWarning } from '../domain/records.ts';
import type { Deps } from '../ports/deps.ts';
import type { StoredRegistryRecord } from '../ports/filing-registry-repository.ts';

/** What `validateApplication` found. */
export interface ApplicationValidation {
  /** The input with every identifier that parses in its canonical form (the form that is stored). */
  input: ApplicationInput;
  /** Accepted, but for the agency to confirm (e.g. `would_leave_empty_subject`, `not_in_registry`). */
  warnings: ApplicationWarning[];
  /**
   * Everything that refuses the application: field errors with the parsers' and kind rules' codes (a 400), and
   * mismatches with the registry (`registry_mismatch`, with `registryValue` and `submittedValue`: a 422).
   */
  errors: (FieldError | RegistryMismatch)[];
  /** The registry's record the submission was checked against, when the filing is in the tenant's registry. */
  registryRecord?: RegistryRecord;
}

/**
 * Checks one application against every ICP rule that can be checked before the authority sees it. Used for
 * creation, resubmission and each row of a batch; it writes nothing.
 *
 * Primary course:
 * 1. Parse the identifiers people paste (credit code, resident ID, domains; the filing or licence number by kind) and
 *    put each in its canonical form; a value that does not parse is a field error with the parser's code.
 * 2. Look the filing up in the tenant's registry: the subject's records (its own number and all its websites), so
 *    the subject's other websites are known even when they were imported separately.
 * 3. The kind rules (`checkKindRules`): which number each kind takes, subject and reason coherence, duplicate domains,
 *    and with the registry's record a partial domain removal (error) or an empty subject / shell website (warnings).
 * 4. Cross-check with the registry's record (`crossCheck`): every differing field is a `registry_mismatch`. A filing
 *    missing from the registry is accepted with the warning `not_in_registry`.
 */
export async function validateApplication(
  deps: Pick<Deps, 'registry' | 'clock'>,
  tenantId: string,
  input: ApplicationInput,
): Promise<ApplicationValidation> {
  const options: DateOptions = { today: chinaToday(deps.clock.now()) };
  const errors: (FieldError | RegistryMismatch)[] = [];
  const canonical = canonicalise(input, errors, options);

  const filing = input.kind === 'cancel_licence' ? undefined : parseFilingNumber(input.filingNumber, 'filingNumber', options);
  let registryRecord: RegistryRecord | undefined;
  const warnings: ApplicationWarning[] = [];
  if (filing?.ok && filing.parts.kind !== 'app' && filing.parts.kind !== 'mini_program') {
    const subjectRecords = await deps.registry.listSubject(tenantId, filing.parts.subjectNumber);
    registryRecord = recordForSubmission(canonical, subjectRecords);
    if (!registryRecord) {
      warnings.push({
        code: 'not_in_registry',
        message: `${canonical.filingNumber} is not in your filing registry, so the subject, website and domains could not be checked against the original filing; a difference would come back from the authority as INFO_MISMATCH. Import the filing record (POST /v1/filing-registry) to have it checked.`,
      });
    }
  }

  const rules = checkKindRules(canonical, registryRecord, options);
  errors.push(...rules.errors);
  warnings.unshift(...rules.warnings);
  if (registryRecord) errors.push(...crossCheck(canonical, registryRecord));
  return { input: canonical, warnings, errors, ...(registryRecord ? { registryRecord } : {}) };
}

/**
 * Throws when the validation found errors: a `ValidationError` (400) for field errors and kind rules, otherwise an
 * `UnprocessableError` (422) for registry mismatches — well-formed, but not the filing the registry knows.
 */
export function assertValidApplication(validation: ApplicationValidation): void {
  const fieldErrors = validation.errors.filter((e) => e.code !== 'registry_mismatch');
  const extensions = validation.warnings.length > 0 ? { warnings: validation.warnings } : {};
  if (fieldErrors.length > 0) {
    throw new ValidationError('The application breaks the ICP rules listed in errors.', { errors: fieldErrors, extensions });
  }
  if (validation.errors.length > 0) {
    throw new UnprocessableError(
      'The application does not match the filing in your registry; the authority would return it as INFO_MISMATCH.',
      { errors: validation.errors, extensions },
    );
  }
}

/**
 * The input with its identifiers in canonical form; parse failures go to `errors`. The filing number's format is
 * reported by the kind rules (the kind decides which number it must be), so only its canonical form is taken here.
 */
function canonicalise(input: ApplicationInput, errors: FieldError[], options: DateOptions): ApplicationInput {
  const number =
    input.kind === 'cancel_licence'
      ? parseLicenceNumber(input.filingNumber, 'filingNumber', options)
      : parseFilingNumber(input.filingNumber, 'filingNumber', options);
  const take = (parsed: { ok: true; value: string } | { ok: false; errors: FieldError[] }, original: string): string => {
    if (parsed.ok) return parsed.value;
    errors.push(...parsed.errors);
    return original;
  };
  const { subject } = input;
  return {
    ...input,
    filingNumber: number.ok ? number.value : input.filingNumber,
    domains: input.domains.map((domain, i) => take(parseDomainName(domain, `domains.${i}`), domain)),
    subject: {
      ...subject,
      ...(subject.creditCode === undefined
        ? {}
        : { creditCode: take(parseCreditCode(subject.creditCode, 'subject.creditCode'), subject.creditCode) }),
      ...(subject.idNumber === undefined
        ? {}
        : { idNumber: take(parseResidentId(subject.idNumber, 'subject.idNumber', options), subject.idNumber) }),
    },
  };
}

/**
 * The record to check a submission against, from the registry's records of its subject.
 * - A website kind: the record of that website number.
 * - `cancel_subject`: the subject's own record if there is one, else any of its websites (the subject's name, type
 *   and certificate are the same on each); the cross-check then compares domains with all of the subject's websites.
 * In both cases the subject's other websites in the registry are added to `otherWebsites`, so the last-website
 * warning is right even when the websites came in separate imports.
 */
function recordForSubmission(input: ApplicationInput, subjectRecords: StoredRegistryRecord[]): RegistryRecord | undefined {
  const records = subjectRecords.map((s) => s.record);
  const base =
    input.kind === 'cancel_subject'
      ? (records.find((r) => r.filingNumber === r.subjectFilingNumber) ?? records[0])
      : records.find((r) => r.filingNumber === input.filingNumber);
  if (!base) return undefined;
  const siblings: RegistryWebsite[] = records
    .filter((r) => r !== base && r.filingNumber !== r.subjectFilingNumber)
    .map((r) => ({ filingNumber: r.filingNumber, ...(r.websiteName ? { websiteName: r.websiteName } : {}), domains: r.domains }));
  if (base.otherWebsites === undefined && siblings.length === 0) return base;
  const known = new Map((base.otherWebsites ?? []).map((w) => [w.filingNumber, w]));
  for (const sibling of siblings) if (!known.has(sibling.filingNumber)) known.set(sibling.filingNumber, sibling);
  return { ...base, otherWebsites: [...known.values()] };
}
