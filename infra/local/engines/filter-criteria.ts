/**
 * Lambda event filtering (the `FilterCriteria.Filters[].Pattern` of an event source mapping), for the subset of
 * EventBridge pattern syntax that filters on DynamoDB stream records use:
 *
 * - nested objects follow the record (`{ dynamodb: { NewImage: { entity: { S: [...] } } } }`);
 * - a leaf is an array of alternatives: exact values (string, number, boolean, null) or one of the operators
 *   `prefix`, `suffix`, `equals-ignore-case`, `anything-but` (value, list, or `{ prefix }`), `exists`, `numeric`;
 * - every key of a pattern must match (AND), any alternative of a leaf may (OR), any pattern of a list may (OR);
 * - a record field holding an array matches when one of its elements does.
 *
 * Other operators (`wildcard`, `cidr`, `$or`) are refused when the pattern is read rather than silently ignored.
 */

/** One filter pattern, as parsed from the template's JSON string. */
export interface FilterPattern {
  [field: string]: FilterPattern | readonly unknown[];
}

/** A pattern the local filter cannot evaluate the way Lambda would. */
export class FilterPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterPatternError';
  }
}

const OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'exists', 'numeric']);
const parsedPatterns = new Map<string, FilterPattern>();

/**
 * Whether a record passes the filters of an event source mapping: no patterns let everything through, otherwise at
 * least one pattern must match.
 *
 * @param record the event record as Lambda would receive it (for DynamoDB, with `eventName` and `dynamodb`)
 * @param patterns `FilterCriteria.Filters[].Pattern` as in the template (JSON strings) or already parsed
 * @throws FilterPatternError when a pattern is not valid JSON or uses syntax outside the supported subset
 */
export function matchesFilterCriteria(record: unknown, patterns: readonly (string | FilterPattern)[]): boolean {
  return patterns.length === 0 || patterns.some((pattern) => matchesObject(record, readPattern(pattern)));
}

/** A predicate for the given patterns, checked once up front (so a bad pattern fails at start-up, not per record). */
export function filterFromCriteria(patterns: readonly (string | FilterPattern)[]): (record: unknown) => boolean {
  const parsed = patterns.map(readPattern);
  return (record) => parsed.length === 0 || parsed.some((pattern) => matchesObject(record, pattern));
}

function readPattern(pattern: string | FilterPattern): FilterPattern {
  if (typeof pattern !== 'string') return validate(pattern, '');
  let parsed = parsedPatterns.get(pattern);
  if (!parsed) {
    let json: unknown;
    try {
      json = JSON.parse(pattern);
    } catch {
      throw new FilterPatternError(`filter pattern is not JSON: ${pattern}`);
    }
    parsed = validate(json, '');
    parsedPatterns.set(pattern, parsed);
  }
  return parsed;
}

function validate(pattern: unknown, path: string): FilterPattern {
  if (!isPlainObject(pattern)) {
    throw new FilterPatternError(`filter pattern${path ? ` at ${path}` : ''} must be an object`);
  }
  for (const [key, rule] of Object.entries(pattern)) {
    const at = path ? `${path}.${key}` : key;
    if (key.startsWith('$')) throw new FilterPatternError(`unsupported filter syntax ${key} at ${at}`);
    if (Array.isArray(rule)) {
      for (const alternative of rule) validateAlternative(alternative, at);
    } else {
      validate(rule, at);
    }
  }
  return pattern as FilterPattern;
}

function validateAlternative(alternative: unknown, at: string): void {
  if (alternative === null || ['string', 'number', 'boolean'].includes(typeof alternative)) return;
  if (!isPlainObject(alternative)) throw new FilterPatternError(`unsupported filter value at ${at}`);
  const operators = Object.keys(alternative);
  const [operator] = operators;
  if (operators.length !== 1 || !operator || !OPERATORS.has(operator)) {
    throw new FilterPatternError(`unsupported filter operator ${JSON.stringify(alternative)} at ${at}`);
  }
}

function matchesObject(value: unknown, pattern: FilterPattern): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    const field = isPlainObject(value) ? value[key] : undefined;
    return Array.isArray(rule) ? matchesLeaf(field, rule) : matchesObject(field, rule as FilterPattern);
  });
}

function matchesLeaf(field: unknown, alternatives: readonly unknown[]): boolean {
  const values = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return alternatives.some((alternative) => {
    if (isPlainObject(alternative) && 'exists' in alternative) return (values.length > 0) === alternative.exists;
    return values.some((value) => matchesValue(value, alternative));
  });
}

function matchesValue(value: unknown, alternative: unknown): boolean {
  if (!isPlainObject(alternative)) return value === alternative;
  const [[operator, operand]] = Object.entries(alternative) as [[string, unknown]];
  switch (operator) {
    case 'prefix':
      return typeof value === 'string' && typeof operand === 'string' && value.startsWith(operand);
    case 'suffix':
      return typeof value === 'string' && typeof operand === 'string' && value.endsWith(operand);
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof operand === 'string' && value.toLowerCase() === operand.toLowerCase();
    case 'anything-but':
      if (isPlainObject(operand)) return !matchesValue(value, operand);
      return !(Array.isArray(operand) ? operand : [operand]).includes(value);
    case 'numeric':
      return typeof value === 'number' && Array.isArray(operand) && matchesNumeric(value, operand);
    default:
      return false;
  }
}

const COMPARISONS: Record<string, (value: number, bound: number) => boolean> = {
  '>': (value, bound) => value > bound,
  '>=': (value, bound) => value >= bound,
  '<': (value, bound) => value < bound,
  '<=': (value, bound) => value <= bound,
  '=': (value, bound) => value === bound,
};

/** `numeric: ['>', 0, '<=', 5]`: every comparison must hold. */
function matchesNumeric(value: number, conditions: readonly unknown[]): boolean {
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const compare = COMPARISONS[String(conditions[i])];
    const bound = conditions[i + 1];
    if (!compare || typeof bound !== 'number' || !compare(value, bound)) return false;
  }
  return true;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
