import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../../cli/errors';
import { expandFileArgs, globToRegExp } from '../../../cli/glob';

describe('globToRegExp', () => {
  it.each([
    ['*.deb', 'hello_1.0_amd64.deb', true],
    ['*.deb', 'hello.rpm', false],
    ['*.deb', '.hidden.deb', false],
    ['.*.deb', '.hidden.deb', true],
    ['hello_?.0_*.deb', 'hello_1.0_amd64.deb', true],
    ['hello_?.0_*.deb', 'hello_10.0_amd64.deb', false],
    ['a+b(1).deb', 'a+b(1).deb', true],
    ['a.deb', 'aXdeb', false],
    ['*', 'sub/file', false],
  ])('%s matches %s: %s', (pattern, name, expected) => {
    expect(globToRegExp(pattern).test(name)).toBe(expected);
  });
});

describe('expandFileArgs', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'packyard-glob-'));
    mkdirSync(path.join(dir, 'dist'));
    mkdirSync(path.join(dir, 'dist', 'nested.deb'));
    for (const f of ['b_1_amd64.deb', 'a_1_amd64.deb', 'a_1_arm64.deb', 'notes.txt', 'star*.deb']) writeFileSync(path.join(dir, 'dist', f), f);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('expands * and ? in the file-name part, sorted, regular files only', async () => {
    expect(await expandFileArgs(['dist/*.deb'], dir)).toEqual(['dist/a_1_amd64.deb', 'dist/a_1_arm64.deb', 'dist/b_1_amd64.deb', 'dist/star*.deb']);
    expect(await expandFileArgs(['dist/?_1_amd64.deb'], dir)).toEqual(['dist/a_1_amd64.deb', 'dist/b_1_amd64.deb']);
  });

  it('keeps literal paths as given, in argument order, without duplicates', async () => {
    expect(await expandFileArgs(['dist/notes.txt', './dist/a_1_amd64.deb', 'dist/a_*_amd64.deb'], dir)).toEqual([
      'dist/notes.txt',
      './dist/a_1_amd64.deb',
    ]);
  });

  it('takes a file whose name really contains * literally (the shell already expanded it)', async () => {
    expect(await expandFileArgs(['dist/star*.deb'], dir)).toEqual(['dist/star*.deb']);
  });

  it('works with absolute patterns and a bare file-name pattern in the cwd', async () => {
    expect(await expandFileArgs([path.join(dir, 'dist', 'b_*.deb')], dir)).toEqual([path.join(dir, 'dist', 'b_1_amd64.deb')]);
    expect(await expandFileArgs(['*.txt'], path.join(dir, 'dist'))).toEqual(['notes.txt']);
  });

  it.each([
    [['dist/*.rpm'], 'NO_MATCH', 'no files match dist/*.rpm'],
    [['dist/missing.deb'], 'FILE_NOT_FOUND', 'no such file: dist/missing.deb'],
    [['dist/nested.deb'], 'NOT_A_FILE', 'not a regular file: dist/nested.deb'],
    [['nowhere/*.deb'], 'FILE_NOT_FOUND', 'no such directory: nowhere/'],
  ])('rejects %j with %s', async (args, code, message) => {
    const err = await expandFileArgs(args, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ code, message, exitCode: 2 });
  });
});
