import { badRequest } from '../../domain/errors';
import { DebCodes } from './codes';

/**
 * One deb822 field. `value` is the text after the colon: the first line trimmed, then each continuation line
 * verbatim (leading space kept, trailing whitespace dropped), joined by '\n'.
 */
export interface Field {
  name: string;
  value: string;
}

/** Field names with their usual spelling; parsed names are matched case-insensitively and respelled. */
const KNOWN = [
  'Package', 'Source', 'Version', 'Architecture', 'Maintainer', 'Original-Maintainer', 'Uploaders', 'Installed-Size',
  'Essential', 'Protected', 'Build-Essential', 'Status', 'Priority', 'Section', 'Multi-Arch', 'Replaces', 'Provides',
  'Depends', 'Pre-Depends', 'Recommends', 'Suggests', 'Conflicts', 'Breaks', 'Enhances', 'Built-Using',
  'Static-Built-Using', 'Conffiles', 'Homepage', 'Description', 'Description-md5', 'Tag', 'Task', 'Origin', 'Bugs',
  'Filename', 'Size', 'MD5sum', 'SHA1', 'SHA256', 'SHA512',
];
const CANONICAL = new Map(KNOWN.map((n) => [n.toLowerCase(), n]));
export const canonicalFieldName = (name: string): string => CANONICAL.get(name.toLowerCase()) ?? name;

// deb822: printable US-ASCII except ':', not starting with '#' or '-'.
const FIELD_NAME = /^[!"$-,.-9;-~][!-9;-~]*$/;

const fail = (what: string) => badRequest(DebCodes.BAD_CONTROL, `the control file is not a valid deb822 paragraph: ${what}`);

/** Parses exactly one deb822 paragraph (the `control` file of a binary package). */
export function parseParagraph(text: string): Field[] {
  const normalised = text.replace(/\r\n/g, '\n');
  const ctrl = /[\x00-\x08\x0b-\x1f\x7f]/.exec(normalised);
  if (ctrl) {
    const line = normalised.slice(0, ctrl.index).split('\n').length;
    throw fail(`line ${line} contains the control character U+${ctrl[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`);
  }
  const lines = normalised.split('\n');
  const isBlank = (l: string) => /^[ \t]*$/.test(l);
  let first = 0;
  let last = lines.length - 1;
  while (first <= last && isBlank(lines[first])) first++;
  while (last >= first && isBlank(lines[last])) last--;
  if (first > last) throw fail('it is empty');

  const fields: Field[] = [];
  const seen = new Map<string, string>();
  for (let i = first; i <= last; i++) {
    const line = lines[i];
    const n = i + 1;
    if (isBlank(line)) throw fail(`line ${n} is blank, so the file holds more than one paragraph`);
    if (line[0] === ' ' || line[0] === '\t') {
      const current = fields[fields.length - 1];
      if (!current) throw fail(`line ${n} is a continuation line before any field`);
      current.value += '\n' + line.trimEnd();
      continue;
    }
    if (line[0] === '#') throw fail(`line ${n} is a comment, which a binary package's control file may not contain`);
    const colon = line.indexOf(':');
    if (colon < 0) throw fail(`line ${n} (${JSON.stringify(line.slice(0, 60))}) is neither "Field: value" nor a continuation line`);
    const raw = line.slice(0, colon);
    if (!FIELD_NAME.test(raw)) throw fail(`line ${n} has an invalid field name ${JSON.stringify(raw)}`);
    const name = canonicalFieldName(raw);
    const key = name.toLowerCase();
    if (seen.has(key)) throw fail(`field ${name} appears twice (lines ${seen.get(key)} and ${n})`);
    seen.set(key, String(n));
    fields.push({ name, value: line.slice(colon + 1).trim() });
  }
  return fields;
}

/** One paragraph, one field per line group, ending with a newline. */
export function serialiseParagraph(fields: readonly Field[]): string {
  return fields.map((f) => (f.value.startsWith('\n') || f.value === '' ? `${f.name}:${f.value}` : `${f.name}: ${f.value}`)).join('\n') + '\n';
}

export const fieldValue = (fields: readonly Field[], name: string): string | undefined =>
  fields.find((f) => f.name.toLowerCase() === name.toLowerCase())?.value;

/** Fields named in `order` first, in that order; the others after, in their original order. */
export function orderFields(fields: readonly Field[], order: readonly string[]): Field[] {
  const rank = new Map(order.map((n, i) => [n.toLowerCase(), i]));
  const known = fields.filter((f) => rank.has(f.name.toLowerCase()));
  known.sort((a, b) => (rank.get(a.name.toLowerCase()) ?? 0) - (rank.get(b.name.toLowerCase()) ?? 0));
  return [...known, ...fields.filter((f) => !rank.has(f.name.toLowerCase()))];
}
