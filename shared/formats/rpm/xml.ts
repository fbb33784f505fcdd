// Characters XML 1.0 cannot carry at all: C0 controls other than tab, LF and CR, and U+FFFE/U+FFFF.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

/** Escapes character data; characters XML cannot represent are dropped so one odd changelog cannot break a repository. */
export const xmlText = (s: string): string =>
  s.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');

/** Escapes an attribute value; tab, LF and CR are written as references so attribute normalisation keeps them. */
export const xmlAttr = (s: string): string => xmlText(s).replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;');

/** `name="value"` pairs for the defined values, in order. */
export const attrs = (pairs: readonly (readonly [string, string | number | undefined])[]): string =>
  pairs
    .filter((p): p is readonly [string, string | number] => p[1] !== undefined)
    .map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`)
    .join('');
