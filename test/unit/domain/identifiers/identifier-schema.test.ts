import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { identifierSchema, normalizePasted, parseFilingNumber } from '../../../../shared/domain/identifiers/index.ts';

describe('identifierSchema', () => {
  it('outputs the canonical form inside a zod schema', () => {
    // Prepare
    const schema = z.object({ filingNumber: identifierSchema(parseFilingNumber) });

    // Act
    const result = schema.parse({ filingNumber: '京icp备10046444号－9' });

    // Assess
    expect(result).toEqual({ filingNumber: '京ICP备10046444号-9' });
  });

  it('reports the parser\'s rule and message as an issue at the field', () => {
    // Prepare
    const schema = z.object({ filingNumber: identifierSchema(parseFilingNumber) });

    // Act
    const result = schema.safeParse({ filingNumber: '港ICP备12345678号' });

    // Assess
    expect(result.success).toBe(false);
    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['filingNumber'], params: { code: 'province_not_in_scope' }, message: expect.stringContaining('Hong Kong') }),
    ]);
  });
});

describe('normalizePasted', () => {
  it.each([
    ['０１２３ＡＢＣｘｙｚ', '0123ABCXYZ'],
    ['a‐b‑c‒d–e—f－g﹣h−i', 'A-B-C-D-E-F-G-H-I'],
    ['a b\u3000c\u00a0d\u200be\ufefff', 'ABCDEF'],
    ['ICP備 號 證', 'ICP备号证'],
  ])('normalises %j', (input, expected) => {
    // Assess
    expect(normalizePasted(input)).toBe(expected);
  });

  it('folds letters to the requested case only', () => {
    // Assess
    expect(normalizePasted('ＡｂC', 'lower')).toBe('abc');
    expect(normalizePasted('ＡｂC', 'keep')).toBe('AbC');
  });
});
