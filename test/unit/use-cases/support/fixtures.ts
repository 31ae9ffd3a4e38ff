import type { ApplicationInput } from '../../../../shared/domain/application.ts';
import type { Application } from '../../../../shared/domain/records.ts';

/** Real identifiers with valid check characters (GB 32100-2015, GB 11643-1999). */
export const CREDIT_CODE = '91110108551385082Q'; // 小米科技有限责任公司
export const OTHER_CREDIT_CODE = '91110000802100433B'; // 北京百度网讯科技有限公司
export const RESIDENT_ID = '11010519491231002X'; // the standard's own example

let next = Math.floor(Math.random() * 400_000);

/**
 * A subject number no other test uses (the open-order guard is global, as it is for the providers): 10 digits,
 * a 2024 filing, e.g. `京ICP备2024123456号`.
 */
export function uniqueSubjectNumber(): string {
  next += 1;
  return `京ICP备2024${String(next).padStart(6, '0')}号`;
}

/** cancel_website of an enterprise's website `<subject>-1`, site closed. */
export function websiteApplication(overrides: Partial<ApplicationInput> = {}): ApplicationInput {
  return {
    kind: 'cancel_website',
    filingNumber: `${uniqueSubjectNumber()}-1`,
    websiteName: '示例网站',
    domains: ['example.cn'],
    subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: CREDIT_CODE },
    reason: 'business_change',
    siteState: { state: 'closed', since: '2026-02-01' },
    ...overrides,
  };
}

/** A stored draft as a creation writes it: a website cancellation (`websiteApplication`) unless `fields` say more. */
export function draftApplication(fields: Pick<Application, 'id' | 'tenantId' | 'createdAt'> & Partial<Application>): Application {
  return {
    ...websiteApplication(),
    status: 'draft',
    attempt: 1,
    sequence: 1,
    version: 1,
    requiredEvidence: ['closure_proof'],
    rejectionReasons: [],
    workflowRuns: 0,
    updatedAt: fields.createdAt,
    ...fields,
  };
}

/** A registry row of our own shape for `application`'s filing, as the agency would import it. */
export function registryRow(application: ApplicationInput, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    filingNumber: application.filingNumber,
    subjectName: application.subject.name,
    subjectType: application.subject.type,
    ...(application.subject.creditCode ? { creditCode: application.subject.creditCode } : {}),
    ...(application.subject.idNumber ? { idNumber: application.subject.idNumber } : {}),
    websiteName: application.websiteName,
    domains: application.domains.join(' '),
    ...overrides,
  };
}
