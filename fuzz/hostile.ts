import fc from 'fast-check';

/**
 * What a hostile or careless client sends: strings, values, JSON texts and identifiers that have broken parsers,
 * databases and prototype chains before. Each is an arbitrary, so a seed replays the same choices.
 */

/** Strings known to trip something: NUL, lone surrogates, path tricks, prototype names, key separators, injections. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\t\n',
  '\u0000',
  'a\u0000b',
  '.',
  '..',
  '../../../etc/passwd',
  '%2F',
  '%00',
  'a/b',
  'a\\b',
  '\ud800',
  'x\udfff',
  '\uffff',
  '\ufeff',
  '\u202eevil',
  '\u200b',
  '𝕏𝕐',
  '👍🏽👨‍👩‍👧',
  'e\u0301\u0301\u0301',
  '京ICP备',
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
  'null',
  'undefined',
  'NaN',
  '1e309',
  '-0',
  "' OR '1'='1",
  '{"$ne":null}',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '%s%n%x',
  '#',
  'APP#x',
  'TENANT#tnt_demo',
  '\r\nX-Injected: 1',
] as const;

/** Lengths just past the limits the system and DynamoDB have (ids 200, keys 255 and 1,024, sort keys 1,024 bytes…). */
const LONG_LENGTHS = [129, 201, 254, 256, 1_025, 2_049, 4_097] as const;

/** A string from the nasty list, random text (any code unit, or any grapheme), or a long run of one character. */
export function hostileString(): fc.Arbitrary<string> {
  hostileStrings ??= fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('a', '京', '😀', '\u0000', '%'), fc.constantFrom(...LONG_LENGTHS))
        .map(([char, length]) => char.repeat(length)),
    },
  );
  return hostileStrings;
}
let hostileStrings: fc.Arbitrary<string> | undefined;

const HUGE_ASCII = 'x'.repeat(450_000);
const HUGE_CJK = '京'.repeat(150_000);

/** JSON text put in place as it is, for what `JSON.stringify` cannot make (very deep nesting, duplicate keys). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** `JSON.stringify`, with each {@link RawJson} inside replaced by its text. */
export function jsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (!(v instanceof RawJson)) return v;
    raws.push(v.text);
    return `\u0001raw${raws.length - 1}\u0001`;
  });
  if (text === undefined) return '';
  return raws.length === 0 ? text : text.replace(/"\\u0001raw(\d+)\\u0001"/g, (_m, i: string) => raws[Number(i)] ?? 'null');
}

/** Nested arrays or objects, `depth` deep, as text. */
export function deepJson(depth: number, kind: 'array' | 'object'): RawJson {
  return kind === 'array' ? new RawJson(`${'['.repeat(depth)}${']'.repeat(depth)}`) : new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

/** Members that pollute a prototype when a value is merged into an object carelessly. */
export const PROTOTYPE_POLLUTION = new RawJson('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}');

/** A value of any JSON type that a field does not expect: wrong types, extremes, nesting, prototype keys. */
export function hostileValue(): fc.Arbitrary<unknown> {
  hostileValues ??= fc.oneof(
    { weight: 4, arbitrary: hostileString() },
    { weight: 2, arbitrary: fc.constantFrom(null, true, false, 0, -1, 0.5, -0, 1e308, -1e308, 2 ** 53 + 2, [], {}) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(40, 5_000, 50_000), fc.constantFrom('array', 'object') as fc.Arbitrary<'array' | 'object'>).map(([d, k]) => deepJson(d, k)) },
    { weight: 1, arbitrary: fc.constantFrom(1_000, 30_000).map((n) => Array.from({ length: n }, (_, i) => i)) },
    // Past DynamoDB's 400 KB item, within the 5 MiB bodies of batches and registry imports.
    { weight: 1, arbitrary: fc.constantFrom(HUGE_ASCII, HUGE_CJK) },
    { weight: 1, arbitrary: fc.constant(PROTOTYPE_POLLUTION) },
  );
  return hostileValues;
}
let hostileValues: fc.Arbitrary<unknown> | undefined;

/** JSON texts a parser must refuse or that mean something other than an object, and bytes that are not UTF-8. */
export function brokenJsonBody(): fc.Arbitrary<string | Buffer> {
  return fc.oneof(
    fc.constantFrom(
      ' ',
      'null',
      'true',
      '1',
      '"text"',
      '[]',
      '[{}]',
      '{',
      '}',
      '{"a":}',
      '{"a":1,}',
      "{'a':1}",
      '{"a":1} trailing',
      '\ufeff{}',
      '{"a":NaN}',
      '{"a":Infinity}',
      '/* comment */ {}',
      '{"a":"\\ud800"}',
      '{"\\u0000":"\\u0000"}',
      '{"a":1e999999}',
      '{"a":-1e-999999}',
      'a=1&b=2',
      'kind,filingNumber\r\ncancel_website,京ICP备12345678号-1',
    ),
    fc.constantFrom(
      Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x22, 0x7d]),
      Buffer.from('{"kind":"cancel_website"}', 'utf16le'),
      Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
    ),
    fc.constantFrom(100, 10_000, 200_000).map((depth) => deepJson(depth, 'array').text),
    fc.constantFrom(100, 10_000).map((depth) => `${'['.repeat(depth)}`),
  );
}

/**
 * An object's JSON text with one member repeated (the first or the last wins, depending on where it goes) or with
 * prototype members added: what `JSON.stringify` of a plain object never makes.
 */
export function withRepeatedMember(body: Record<string, unknown>): fc.Arbitrary<string> {
  const text = jsonText(body);
  if (!text.startsWith('{') || text === '{}') return fc.constant(`{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}`);
  const keys = Object.keys(body);
  return fc
    .tuple(fc.constantFrom(...keys, '__proto__', 'constructor'), hostileValue(), fc.boolean())
    .map(([key, value, first]) => {
      const member = `${JSON.stringify(key)}:${jsonText(value) || 'null'}`;
      return first ? `{${member},${text.slice(1)}` : `${text.slice(0, -1)},${member}}`;
    });
}

/** Every path to a member or element of a JSON value (`[]` is the value itself). */
export function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const paths: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => paths.push(...pathsOf(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object' && !(value instanceof RawJson)) {
    for (const [key, v] of Object.entries(value)) paths.push(...pathsOf(v, [...prefix, key]));
  }
  return paths;
}

/**
 * A valid body changed in one place: a member or element replaced by a hostile value, removed, or a hostile member
 * added beside it. The rest stays valid, so the request gets as far as the broken part lets it.
 */
export function mutated(body: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(body);
  return fc
    .tuple(fc.constantFrom(...paths), fc.constantFrom('replace', 'remove', 'add'), hostileValue(), hostileString())
    .map(([path, how, value, key]) => {
      const copy = structuredClone(body) as unknown;
      if (path.length === 0) return how === 'replace' ? value : copy;
      const parent = path.slice(0, -1).reduce((v: any, k) => v[k], copy) as Record<string | number, unknown>;
      const last = path[path.length - 1] as string | number;
      if (how === 'replace') parent[last] = value;
      else if (how === 'remove') {
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete parent[last];
      } else if (Array.isArray(parent)) parent.push(value);
      else Object.defineProperty(parent, key, { value, enumerable: true, configurable: true, writable: true });
      return copy;
    });
}
