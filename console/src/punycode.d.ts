// punycode ships no types; the console uses this one function of it.
declare module 'punycode' {
  export function toUnicode(domain: string): string;
}
