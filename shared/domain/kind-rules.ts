import type { ApplicationInput, CancellationKind } from './application.ts';
import { ConflictError, type FieldError } from './errors.ts';
import type { RegistryRecord } from './filing-registry.ts';
import { type DateOptions, parseDomainName, parseFilingNumber, parseLicenceNumber } from './identifiers/index.ts';

/**
 * The rules that depend on the kind of cancellation (DOMAIN.md "Kinds of cancellation"), as a pure check.
 *
 * Which number goes in `filingNumber`:
 * | kind             | filingNumber                                   |
 * |------------------|------------------------------------------------|
 * | `cancel_subject` | the subject's number, no suffix: 京ICP备10046444号 |
 * | `cancel_website` | the website's number with `-n`: 京ICP备10046444号-9 |
 * | `cancel_access`  | the website's number with `-n`                 |
 * | `cancel_licence` | the licence number: 浙B2-20080224, B2-20233776, 京ICP证030173号 |
 * Because the kind decides which parser applies, this check owns `filingNumber` entirely (format included); the
 * identifier step before it parses the subject's certificate numbers and the domains.
 * App (`…-nA`) and mini-program (`…-nX`) filings are not websites and are refused: they are cancelled elsewhere.
 *
 * Other rules, without a registry record: an organisation needs its credit code and a person their ID number; a
 * licence belongs to an organisation; a person cannot be "dissolved"; "website_migrated" needs a migrated site; a
 * domain is listed once. With the registry's record of the filing: removing only some of a website's domains is a
 * change (变更), refused; warnings when cancel_website would leave an empty subject (空壳主体) and cancel_access a
 * website without provider (空壳网站).
 */

export interface KindRuleWarning {
  code: string;
  message: string;
}

export interface KindRuleResult {
  errors: FieldError[];
  warnings: KindRuleWarning[];
}

const WEBSITE_KINDS: ReadonlySet<CancellationKind> = new Set(['cancel_website', 'cancel_access']);

/**
 * Check an application against the rules of its kind, and against the registry's record of the filing when there is
 * one. Errors refuse the application; warnings are for the agency to confirm.
 */
export function checkKindRules(
  input: ApplicationInput,
  record?: RegistryRecord,
  options: DateOptions = {},
): KindRuleResult {
  const errors: FieldError[] = [];
  const warnings: KindRuleWarning[] = [];
  const websiteNumber = checkFilingNumber(input, errors, options);
  checkSubject(input, errors);
  checkReason(input, errors, warnings);
  checkDuplicateDomains(input, errors);
  if (record) checkAgainstRecord(input, record, websiteNumber, errors, warnings);
  return { errors, warnings };
}

/** Returns the canonical filing number when it is the right kind of number for the kind. */
function checkFilingNumber(input: ApplicationInput, errors: FieldError[], options: DateOptions): string | undefined {
  const path = 'filingNumber';
  if (input.kind === 'cancel_licence') {
    const licence = parseLicenceNumber(input.filingNumber, path, options);
    if (!licence.ok) errors.push(...licence.errors);
    return undefined;
  }
  const filing = parseFilingNumber(input.filingNumber, path, options);
  if (!filing.ok) {
    errors.push(...filing.errors);
    return undefined;
  }
  const { kind, subjectNumber } = filing.parts;
  if (kind === 'app' || kind === 'mini_program') {
    errors.push({
      path,
      code: 'unsupported_service_type',
      message: `${filing.value} is ${kind === 'app' ? 'an App (APP备案, suffix A)' : 'a mini-program (小程序备案, suffix X)'} filing, not a website; icp-cancel cancels websites. Cancel it in the provider's console, or enter the number of the website.`,
    });
    return undefined;
  }
  if (input.kind === 'cancel_subject' && kind !== 'subject') {
    errors.push({
      path,
      code: 'subject_number_required',
      message: `cancel_subject removes the whole subject (注销主体) and takes the subject's own number, without the website suffix: ${subjectNumber}. To remove only this website, use cancel_website.`,
    });
  }
  if (WEBSITE_KINDS.has(input.kind) && kind !== 'website') {
    errors.push({
      path,
      code: 'website_number_required',
      message: `${input.kind} acts on one website and takes the website's number with its suffix, e.g. ${subjectNumber}-1 (see the site's footer or the MIIT query). To remove the whole subject, use cancel_subject.`,
    });
  }
  return kind === 'website' ? filing.value : undefined;
}

function checkSubject(input: ApplicationInput, errors: FieldError[]): void {
  const { subject } = input;
  if (subject.type === 'enterprise' && !subject.creditCode) {
    errors.push({
      path: 'subject.creditCode',
      code: 'credit_code_required',
      message: 'An organisation is identified by its unified social credit code (统一社会信用代码); add it as printed on the business licence.',
    });
  }
  if (subject.type === 'individual' && !subject.idNumber) {
    errors.push({
      path: 'subject.idNumber',
      code: 'id_number_required',
      message: 'A person is identified by their resident ID number (居民身份证号码); add the number of the ID card used for the filing.',
    });
  }
  if (input.kind === 'cancel_licence' && subject.type === 'individual') {
    errors.push({
      path: 'subject.type',
      code: 'licence_requires_organisation',
      message: 'Only companies hold ICP licences (经营许可证); a licence cancellation is made by the licensed company, with subject type "enterprise".',
    });
  }
}

function checkReason(input: ApplicationInput, errors: FieldError[], warnings: KindRuleWarning[]): void {
  if (input.reason === 'company_dissolved' && input.subject.type === 'individual') {
    errors.push({
      path: 'reason',
      code: 'reason_not_for_individual',
      message: 'A person cannot be dissolved; choose business_change or other as the reason for an individual\'s filing.',
    });
  }
  if (input.reason === 'website_migrated' && input.siteState.state !== 'migrated') {
    errors.push({
      path: 'siteState.state',
      code: 'reason_site_state_mismatch',
      message: 'The reason says the website moved, but the site state says closed; give the site state "migrated" with its new address, or choose another reason.',
    });
  }
  if (input.reason === 'company_dissolved' && input.subject.type !== 'individual' && WEBSITE_KINDS.has(input.kind)) {
    warnings.push({
      code: 'dissolved_company_keeps_subject',
      message: 'The company is dissolved, but this cancels only one website and leaves its subject filed; cancel_subject removes the subject and all its websites at once.',
    });
  }
}

function checkDuplicateDomains(input: ApplicationInput, errors: FieldError[]): void {
  const seen = new Map<string, number>();
  input.domains.forEach((domain, i) => {
    const parsed = parseDomainName(domain, '');
    if (!parsed.ok) return; // the identifier step reports the format
    const first = seen.get(parsed.value);
    if (first === undefined) {
      seen.set(parsed.value, i);
      return;
    }
    errors.push({
      path: `domains.${i}`,
      code: 'duplicate_domain',
      message: `${parsed.value} is already listed as domains.${first}; list each domain once.`,
    });
  });
}

function checkAgainstRecord(
  input: ApplicationInput,
  record: RegistryRecord,
  websiteNumber: string | undefined,
  errors: FieldError[],
  warnings: KindRuleWarning[],
): void {
  // The record is about another filing: the cross-check reports that; the rules below would compare unrelated sites.
  if (!websiteNumber || websiteNumber !== record.filingNumber) return;

  const submitted = new Set(input.domains.map((d) => {
    const parsed = parseDomainName(d, '');
    return parsed.ok ? parsed.value : d;
  }));
  const kept = record.domains.filter((d) => !submitted.has(d));
  if (kept.length > 0 && kept.length < record.domains.length) {
    errors.push({
      path: 'domains',
      code: 'partial_domain_removal',
      message: `Website ${record.filingNumber} has the domains ${record.domains.join(', ')}; leaving out ${kept.join(', ')} would remove only some of them, which is a change of the filing (变更), not a cancellation. List all its domains to ${input.kind === 'cancel_access' ? 'cancel its access' : 'cancel the website'}, or file a change to remove some.`,
    });
  }

  if (input.kind === 'cancel_website' && record.otherWebsites !== undefined) {
    const others = record.otherWebsites.filter((w) => w.filingNumber !== record.filingNumber);
    if (others.length === 0) {
      warnings.push({
        code: 'would_leave_empty_subject',
        message: `${record.filingNumber} is the last website of subject ${record.subjectFilingNumber}: cancelling it leaves an empty subject (空壳主体), which provinces clean up and which blocks new filings in most of them. Use cancel_subject with ${record.subjectFilingNumber} instead.`,
      });
    }
  }

  if (input.kind === 'cancel_access' && (record.accessProviders === undefined || record.accessProviders.length <= 1)) {
    warnings.push({
      code: 'would_leave_shell_website',
      message:
        record.accessProviders === undefined
          ? `The registry does not say whether ${record.filingNumber} has another access provider (接入商). If this is its only one, cancelling access leaves a filed website with no provider (空壳网站); then cancel the website instead.`
          : `${record.filingNumber} has no other access provider (接入商): cancelling access leaves a filed website with no provider (空壳网站), which provinces clean up. Cancel the website instead, or file access with the new provider first.`,
    });
  }
}

/**
 * Whether an approved cancellation of this kind ends the filing itself: a website's, a subject's or a licence's number
 * is gone afterwards (a new order on it is pointless), while removing one provider's access leaves the filing in place.
 */
export function approvalEndsFiling(kind: CancellationKind): boolean {
  return kind !== 'cancel_access';
}

/** 409 for an order on a filing whose cancellation was approved: the number no longer exists. */
export function filingCancelled(filingNumber: string, cancelledAt: string | undefined, cause?: unknown): ConflictError {
  const when = cancelledAt ? ` on ${cancelledAt.slice(0, 10)}` : '';
  return new ConflictError(`Filing ${filingNumber} was already cancelled${when}.`, {
    cause,
    errors: [
      {
        path: 'filingNumber',
        code: 'filing_cancelled',
        message: `The cancellation of ${filingNumber} was approved${when}: the number no longer exists, so there is nothing left to cancel. Check the number (MIIT's public query no longer lists it).`,
      },
    ],
  });
}
