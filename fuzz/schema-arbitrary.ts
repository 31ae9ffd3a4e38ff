import fc from 'fast-check';
import type * as z from '../shared/zod.ts';

/**
 * Values for some leaves, by their path in the value (`subject.creditCode`; `*` for any array element): where the
 * schema says only "a string of 1 to 64 characters" but the use case then checks a filing number or a credit code, a
 * value shaped as a real client's reaches further than a random string would.
 */
export type Hints = Readonly<Record<string, fc.Arbitrary<unknown>>>;

/** Longest string or array made from a schema's bounds, but for the bound itself (see `withLengths`). */
const TYPICAL_LENGTH = 12;
/**
 * The longest made: 200 characters (every name's maximum), 100 elements. A batch at its maximum of 1,000 valid rows
 * sets off minutes of ingestion and webhook deliveries on one machine, which the run would wait for every time.
 */
const LONGEST = { string: 200, array: 100 } as const;

/**
 * A fast-check arbitrary of the values a zod schema (`zod/mini`) describes, read from the schema's definition: objects
 * with their required and optional members, enums and literals, unions, arrays and strings within their length bounds
 * (the bounds themselves included), regex and ISO formats, numbers within theirs. Refinements are not known to it: a
 * value it makes has the right shape, not always the right content (the use case's own checks still run). Types it
 * does not know give any JSON value.
 */
export function arbitraryOf(schema: z.core.$ZodType, hints: Hints = {}, path = ''): fc.Arbitrary<unknown> {
  const hint = hints[path];
  if (hint) return hint;
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, any>;
  const child = (inner: z.core.$ZodType, key: string) => arbitraryOf(inner, hints, path === '' ? key : `${path}.${key}`);
  switch (def.type) {
    case 'string':
      return stringOf(def);
    case 'number':
      return numberOf(def);
    case 'boolean':
      return fc.boolean();
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries as Record<string, unknown>));
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'optional':
      return fc.option(arbitraryOf(def.innerType, hints, path), { nil: undefined });
    case 'nullable':
      return fc.option(arbitraryOf(def.innerType, hints, path), { nil: null });
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
      return arbitraryOf(def.innerType, hints, path);
    case 'object': {
      const shape = def.shape as Record<string, z.core.$ZodType>;
      const model = Object.fromEntries(Object.entries(shape).map(([key, inner]) => [key, child(inner, key)]));
      const requiredKeys = Object.keys(shape).filter((key) => shape[key]?._zod.def.type !== 'optional');
      return fc.record(model, { requiredKeys });
    }
    case 'array': {
      const element = child(def.element, '*');
      return withLengths(def.checks, LONGEST.array, (minLength, maxLength) => fc.array(element, { minLength, maxLength }));
    }
    case 'union':
      return fc.oneof(...(def.options as z.core.$ZodType[]).map((option) => arbitraryOf(option, hints, path)));
    case 'record':
      return fc.dictionary(fc.string({ maxLength: TYPICAL_LENGTH }), child(def.valueType, '*'), { maxKeys: 4 });
    case 'pipe':
      // A pipe that starts with a transform (blank → missing) is described by what it ends in.
      return arbitraryOf(def.in._zod.def.type === 'transform' ? def.out : def.in, hints, path);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringOf(def: Record<string, any>): fc.Arbitrary<string> {
  const checks = (def.checks ?? []) as { _zod: { def: Record<string, any> } }[];
  const pattern = (def.pattern as RegExp | undefined) ?? checks.map((c) => c._zod.def).find((c) => c.check === 'string_format')?.pattern;
  if (pattern instanceof RegExp) return fc.stringMatching(pattern);
  // Lengths count graphemes, a schema's UTF-16 code units: a grapheme of several is cut to fit (whole code points).
  return withLengths(def.checks, LONGEST.string, (minLength, maxLength) =>
    fc.string({ unit: 'grapheme', minLength, maxLength }).map((text) => {
      const fitted = Array.from(text).reduce((kept, point) => (kept.length + point.length <= maxLength ? kept + point : kept), '');
      return fitted.padEnd(minLength, 'a');
    }),
  );
}

function numberOf(def: Record<string, any>): fc.Arbitrary<number> {
  const checks = ((def.checks ?? []) as { _zod: { def: Record<string, any> } }[]).map((c) => c._zod.def);
  const integer = checks.some((c) => c.check === 'number_format' && /int/.test(String(c.format)));
  const above = checks.find((c) => c.check === 'greater_than');
  const below = checks.find((c) => c.check === 'less_than');
  const min = above ? Number(above.value) + (above.inclusive ? 0 : integer ? 1 : Number.EPSILON) : undefined;
  const max = below ? Number(below.value) - (below.inclusive ? 0 : integer ? 1 : Number.EPSILON) : undefined;
  return integer
    ? fc.integer({ min: min ?? Number.MIN_SAFE_INTEGER, max: max ?? Number.MAX_SAFE_INTEGER })
    : fc.double({ noNaN: true, noDefaultInfinity: true, ...(min === undefined ? {} : { min }), ...(max === undefined ? {} : { max }) });
}

/**
 * Lengths within the schema's bounds: a typical length most of the time, and now and then exactly the maximum (an edge
 * worth trying, which a typical length never reaches), but no longer than `longest`.
 */
function withLengths<T>(checks: unknown, longest: number, make: (minLength: number, maxLength: number) => fc.Arbitrary<T>): fc.Arbitrary<T> {
  let min = 0;
  let max: number | undefined;
  for (const check of (checks ?? []) as { _zod: { def: Record<string, any> } }[]) {
    const def = check._zod.def;
    if (def.check === 'min_length') min = Math.max(min, Number(def.minimum));
    if (def.check === 'max_length') max = Math.min(max ?? Infinity, Number(def.maximum));
  }
  const typical = make(min, Math.max(min, Math.min(max ?? TYPICAL_LENGTH, TYPICAL_LENGTH)));
  const edge = Math.min(max ?? 0, longest);
  return edge <= TYPICAL_LENGTH ? typical : fc.oneof({ arbitrary: typical, weight: 9 }, { arbitrary: make(edge, edge), weight: 1 });
}
