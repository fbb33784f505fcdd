import { checkName, escapedName, nameProblem, unscopedName } from '../../../shared/formats/npm/name';

describe('npm package names', () => {
  it.each(['left', 'left-pad', 'a.b_c~d', '@acme/widget', '@acme-co/x.y', '0x', 'a'.repeat(214)])('accepts %s', (name) => {
    expect(nameProblem(name)).toBeUndefined();
  });

  it.each([
    ['', /required/],
    ['a'.repeat(215), /at most 214/],
    ['Left', /lower case/],
    ['@Acme/x', /lower case/],
    ['.hidden', /cannot start with "." or "_"/],
    ['_private', /cannot start with "." or "_"/],
    ['@acme/_x', /cannot start with "." or "_"/],
    [' left', /spaces/],
    ['left pad', /may only hold/],
    ['a#b', /may only hold/],
    ['a%2fb', /may only hold/],
    ['a/b', /only a scoped package name/],
    ['@acme', /@scope\/name/],
    ['@acme/', /@scope\/name/],
    ['@acme/x/y', /@scope\/name/],
    ['node_modules', /reserved/],
    ['favicon.ico', /reserved/],
    ['-', /reserved/],
  ])('refuses %j', (name, problem) => {
    expect(nameProblem(name)).toMatch(problem);
    expect(() => checkName(name)).toThrow(expect.objectContaining({ status: 400, code: 'NPM_INVALID_NAME' }));
  });

  it('refuses what is not a string', () => {
    expect(nameProblem(42)).toMatch(/required/);
  });

  it('derives the unscoped and the URL-escaped name', () => {
    expect(unscopedName('@acme/widget')).toBe('widget');
    expect(unscopedName('left')).toBe('left');
    expect(escapedName('@acme/widget')).toBe('@acme%2fwidget');
  });
});
