/**
 * The one-character province abbreviations (简称) that start filing, licence and public-security numbers.
 *
 * Four provinces have two abbreviations and both occur on real numbers (filings mostly use 蜀 黔 滇 陇, licences
 * 川 贵 云 甘), so both forms are valid and kept as written; `region` (ISO 3166-2:CN) says they are the same place.
 * Hong Kong, Macao and Taiwan are outside the mainland ICP system and never appear.
 */

export interface Province {
  abbreviation: string;
  /** ISO 3166-2:CN subdivision code without the `CN-` prefix. */
  region: string;
  name: string;
}

const TABLE: readonly (readonly [string, string, string])[] = [
  ['京', 'BJ', '北京'],
  ['津', 'TJ', '天津'],
  ['冀', 'HE', '河北'],
  ['晋', 'SX', '山西'],
  ['蒙', 'NM', '内蒙古'],
  ['辽', 'LN', '辽宁'],
  ['吉', 'JL', '吉林'],
  ['黑', 'HL', '黑龙江'],
  ['沪', 'SH', '上海'],
  ['苏', 'JS', '江苏'],
  ['浙', 'ZJ', '浙江'],
  ['皖', 'AH', '安徽'],
  ['闽', 'FJ', '福建'],
  ['赣', 'JX', '江西'],
  ['鲁', 'SD', '山东'],
  ['豫', 'HA', '河南'],
  ['鄂', 'HB', '湖北'],
  ['湘', 'HN', '湖南'],
  ['粤', 'GD', '广东'],
  ['桂', 'GX', '广西'],
  ['琼', 'HI', '海南'],
  ['渝', 'CQ', '重庆'],
  ['川', 'SC', '四川'],
  ['蜀', 'SC', '四川'],
  ['黔', 'GZ', '贵州'],
  ['贵', 'GZ', '贵州'],
  ['滇', 'YN', '云南'],
  ['云', 'YN', '云南'],
  ['藏', 'XZ', '西藏'],
  ['陕', 'SN', '陕西'],
  ['陇', 'GS', '甘肃'],
  ['甘', 'GS', '甘肃'],
  ['青', 'QH', '青海'],
  ['宁', 'NX', '宁夏'],
  ['新', 'XJ', '新疆'],
];

export const PROVINCES: ReadonlyMap<string, Province> = new Map(
  TABLE.map(([abbreviation, region, name]) => [abbreviation, { abbreviation, region, name }]),
);

/**
 * What makes two filing numbers the same filing: the number with its province written as the region, so that
 * `蜀ICP备…` and `川ICP备…` (one province, two abbreviations) are one filing for the one-open-order rule.
 */
export function filingIdentity(filingNumber: string): string {
  const province = PROVINCES.get(filingNumber.charAt(0));
  return province ? `${province.region}:${filingNumber.slice(1)}` : filingNumber;
}

/** Abbreviations that look plausible but never start a mainland number. */
export const OUT_OF_SCOPE_REGIONS: ReadonlyMap<string, string> = new Map([
  ['港', 'Hong Kong (香港)'],
  ['澳', 'Macao (澳门)'],
  ['台', 'Taiwan (台湾)'],
]);

export const PROVINCE_LIST_TEXT = [...PROVINCES.keys()].join(' ');

export type ProvinceCheck =
  | { ok: true; province: Province }
  | {
      ok: false;
      code: 'missing_province' | 'province_not_in_scope' | 'province_name_not_abbreviation' | 'unknown_province';
      message: string;
    };

const BY_NAME: ReadonlyMap<string, Province> = new Map([...PROVINCES.values()].map((p) => [p.name, p]));

/**
 * Check the text in front of a number's marker (ICP备, B2-, 公网安备…), which must be exactly one province
 * abbreviation. `what` names the identifier in messages (e.g. "A filing number").
 */
export function checkProvince(prefix: string, what: string, example: string): ProvinceCheck {
  if (prefix === '') {
    return {
      ok: false,
      code: 'missing_province',
      message: `${what} starts with a one-character province abbreviation (省份简称), e.g. ${example}; add it in front.`,
    };
  }
  const province = PROVINCES.get(prefix);
  if (province) return { ok: true, province };
  const outOfScope = OUT_OF_SCOPE_REGIONS.get(String.fromCodePoint(prefix.codePointAt(0) ?? 0));
  if (outOfScope) {
    return {
      ok: false,
      code: 'province_not_in_scope',
      message:
        `"${prefix}" is ${outOfScope}, which has no ICP filing system: numbers of this kind exist only for mainland ` +
        `provinces. Check the number you copied; it should start with one of ${PROVINCE_LIST_TEXT}.`,
    };
  }
  const named = BY_NAME.get(prefix.replace(/(省|市|自治区|壮族自治区|回族自治区|维吾尔自治区)$/u, ''));
  if (named) {
    return {
      ok: false,
      code: 'province_name_not_abbreviation',
      message: `Numbers use the one-character abbreviation, not the province name: write "${named.abbreviation}" instead of "${prefix}".`,
    };
  }
  return {
    ok: false,
    code: 'unknown_province',
    message: `"${prefix}" is not a province abbreviation (省份简称); ${what.charAt(0).toLowerCase()}${what.slice(1)} starts with one of ${PROVINCE_LIST_TEXT}, e.g. ${example}.`,
  };
}
