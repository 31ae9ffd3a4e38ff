import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arbitraryOf } from '../../../fuzz/schema-arbitrary.ts';
import { ApplicationInput } from '../../../shared/domain/application.ts';
import { Decision } from '../../../shared/domain/records.ts';
import { EvidenceUploadInput } from '../../../shared/use-cases/create-evidence-upload.ts';
import { WebhookEndpointInput } from '../../../shared/use-cases/webhooks/manage-endpoints.ts';
import * as z from '../../../shared/zod.ts';

describe('arbitraryOf', () => {
  it.each([
    ['Decision', Decision],
    ['EvidenceUploadInput', EvidenceUploadInput],
    ['WebhookEndpointInput', WebhookEndpointInput],
  ])('makes only values that %s accepts (a schema with no refinement)', (_name, schema: z.core.$ZodType) => {
    // Act + Assess
    fc.assert(fc.property(arbitraryOf(schema), (value) => z.safeParse(schema, value).success), { seed: 1, numRuns: 200 });
  });

  it('makes the shape of an application, with the leaves it is given', () => {
    // Prepare
    const hints = { filingNumber: fc.constant('京ICP备2020123456号-1') };

    // Act
    const values = fc.sample(arbitraryOf(ApplicationInput, hints), { seed: 1, numRuns: 50 }) as Record<string, unknown>[];

    // Assess
    for (const value of values) {
      expect(value.filingNumber).toBe('京ICP备2020123456号-1');
      expect(Object.keys(value)).toEqual(expect.arrayContaining(['kind', 'websiteName', 'domains', 'subject', 'reason', 'siteState']));
    }
    expect(values.filter((v) => z.safeParse(ApplicationInput, v).success).length).toBeGreaterThan(0);
  });
});
