import { daysAgo } from './clock.ts';

let serial = 0;

/** A filing number no other test uses (10-digit form: year 2020 + a sequence unique to this process and run). */
export function uniqueFilingNumber(website = 2): string {
  serial += 1;
  const sequence = (Date.now() % 100_000) * 10 + serial;
  return `京ICP备2020${String(sequence % 1_000_000).padStart(6, '0')}号-${website}`;
}

/** A valid application body (cancel one website of an enterprise, site closed). */
export function applicationBody(overrides: Record<string, unknown> = {}) {
  return {
    kind: 'cancel_website',
    filingNumber: uniqueFilingNumber(),
    websiteName: '示例网站',
    domains: ['example.cn'],
    subject: { name: '示例科技有限公司', type: 'enterprise', creditCode: '91330100799655058B' },
    reason: 'business_change',
    siteState: { state: 'closed', since: daysAgo(30) },
    customerRef: 'order-42',
    ...overrides,
  };
}

/** A minimal but real PDF (magic bytes `%PDF-`). */
export const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
