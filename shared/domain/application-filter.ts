import type { ApplicationStatus } from './application.ts';
import { filingIdentity } from './identifiers/provinces.ts';
import type { Application } from './records.ts';

/** Which applications a list shows (`GET /v1/applications?status=&filingNumber=&customerRef=`); every field optional. */
export interface ApplicationFilter {
  /** Any of these statuses. */
  statuses?: readonly ApplicationStatus[];
  /** A canonical filing number (`parseFilingNumber`); matches the same filing however its province is written. */
  filingNumber?: string;
  /** Exactly this reference. */
  customerRef?: string;
}

/** Whether an application passes the filter. */
export function matchesFilter(app: Pick<Application, 'status' | 'filingNumber' | 'customerRef'>, filter: ApplicationFilter): boolean {
  if (filter.statuses && !filter.statuses.includes(app.status)) return false;
  // By identity, as the one-open-order rule: 蜀ICP备… and 川ICP备… are one filing.
  if (filter.filingNumber !== undefined && filingIdentity(app.filingNumber) !== filingIdentity(filter.filingNumber)) return false;
  if (filter.customerRef !== undefined && app.customerRef !== filter.customerRef) return false;
  return true;
}

/** The filter spelled canonically (statuses sorted, the filing by identity): the same filters give the same string. */
export function filterBinding(filter: ApplicationFilter): string {
  const statuses = filter.statuses ? [...new Set(filter.statuses)].sort() : undefined;
  const filing = filter.filingNumber === undefined ? undefined : filingIdentity(filter.filingNumber);
  if (!statuses && filing === undefined && filter.customerRef === undefined) return '';
  return JSON.stringify([statuses ?? null, filing ?? null, filter.customerRef ?? null]);
}
