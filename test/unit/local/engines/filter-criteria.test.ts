import { describe, expect, it } from 'vitest';
import {
  FilterPatternError,
  filterFromCriteria,
  matchesFilterCriteria,
} from '../../../../infra/local/engines/filter-criteria.ts';

const insertOf = (entity: string, extra: Record<string, unknown> = {}) => ({
  eventName: 'INSERT',
  eventSource: 'aws:dynamodb',
  dynamodb: { NewImage: { entity: { S: entity }, ...extra } },
});

const OUTBOX = JSON.stringify({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['event'] } } } });

describe('matchesFilterCriteria', () => {
  it.each([
    ['an inserted event', insertOf('event'), true],
    ['an inserted application', insertOf('application'), false],
    ['a modified event', { ...insertOf('event'), eventName: 'MODIFY' }, false],
    ['a removal without a new image', { eventName: 'REMOVE', dynamodb: { Keys: {} } }, false],
  ])('applies the outbox pattern of the template to %s', (_, record, expected) => {
    // Prepare
    // Act
    const matches = matchesFilterCriteria(record, [OUTBOX]);

    // Assess
    expect(matches).toBe(expected);
  });

  it('lets everything through without patterns, and any one of several patterns suffices', () => {
    // Prepare
    const patterns = [OUTBOX, JSON.stringify({ eventName: ['REMOVE'] })];

    // Act
    const results = [insertOf('application'), { eventName: 'REMOVE' }].map((r) => matchesFilterCriteria(r, patterns));

    // Assess
    expect(matchesFilterCriteria(insertOf('application'), [])).toBe(true);
    expect(results).toEqual([false, true]);
  });

  it.each([
    [{ prefix: 'appl' }, 'application', true],
    [{ prefix: 'appl' }, 'event', false],
    [{ suffix: 'tion' }, 'application', true],
    [{ 'equals-ignore-case': 'EVENT' }, 'event', true],
    [{ 'anything-but': ['event', 'tenant'] }, 'application', true],
    [{ 'anything-but': 'event' }, 'event', false],
    [{ 'anything-but': { prefix: 'ev' } }, 'event', false],
  ])('supports the operator %j (value %s → %s)', (operator, entity, expected) => {
    // Prepare
    const pattern = { dynamodb: { NewImage: { entity: { S: [operator] } } } };

    // Act
    const matches = matchesFilterCriteria(insertOf(entity), [pattern]);

    // Assess
    expect(matches).toBe(expected);
  });

  it('checks presence with exists, and numbers with numeric ranges', () => {
    // Prepare
    const noTtl = { dynamodb: { NewImage: { expiresAt: [{ exists: false }] } } };
    const small = { size: [{ numeric: ['>', 0, '<=', 10] }] };

    // Act
    const withTtl = insertOf('event', { expiresAt: { N: '1' } });

    // Assess
    expect(matchesFilterCriteria(withTtl, [{ dynamodb: { NewImage: { expiresAt: [{ exists: true }] } } }])).toBe(true);
    expect(matchesFilterCriteria(insertOf('event'), [noTtl])).toBe(true);
    expect(matchesFilterCriteria(withTtl, [noTtl])).toBe(false);
    expect([5, 11, 0].map((size) => matchesFilterCriteria({ size }, [small]))).toEqual([true, false, false]);
  });

  it('matches a record array when one element matches', () => {
    // Prepare
    const record = { dynamodb: { NewImage: { tags: { SS: ['urgent', 'bulk'] } } } };

    // Act
    const matches = matchesFilterCriteria(record, [{ dynamodb: { NewImage: { tags: { SS: ['bulk'] } } } }]);

    // Assess
    expect(matches).toBe(true);
  });

  it('refuses patterns it cannot evaluate as Lambda would, when they are read', () => {
    // Prepare
    const wildcard = JSON.stringify({ dynamodb: { NewImage: { entity: { S: [{ wildcard: 'ev*' }] } } } });
    const or = JSON.stringify({ $or: [{ eventName: ['INSERT'] }] });
    const operatorOutsideArray = JSON.stringify({ dynamodb: { NewImage: { expiresAt: { exists: true } } } });

    // Act
    const reading = [wildcard, or, operatorOutsideArray, '{'].map((pattern) => () => filterFromCriteria([pattern]));

    // Assess
    for (const read of reading) expect(read).toThrow(FilterPatternError);
  });
});
