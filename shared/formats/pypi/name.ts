/** PEP 503 normalisation: runs of `-`, `_` and `.` become one `-`, lower case. `Foo.Bar_baz` -> `foo-bar-baz`. */
export const normalizeName = (name: string): string => name.replace(/[-_.]+/g, '-').toLowerCase();

// Core metadata "Name": ASCII letters and digits, with `.`, `_` and `-` inside (PEP 508's identifier).
const NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;
const MAX_NAME = 128;

export const isValidName = (name: string): boolean => name.length <= MAX_NAME && NAME.test(name);
