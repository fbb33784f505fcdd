import { compareEvr, evrPartProblem, evrString, rpmvercmp, splitEvr } from '../../../shared/formats/rpm/evr';
import { runOk } from '../../support/exec';

const VERSIONS = [
  '1.0', '1.0.0', '1.0~rc1', '1.0~rc2', '1.0~~', '1.0^', '1.0^git1', '1.0^git2', '1.0.1', '1.01', '1.001', '2',
  '10', '1.a', '1.b', '1.A', 'a', 'b', '1_0', '1+0', '1.0a', '1.0.a', '1a', '0.9', '2.0.0.0', '1..0',
  '001', '1', '1.0~rc1^git', '5.5p1', '5.5p10', '5.6p1', 'FC5', 'fc4', '20240102', '1.0~rc1~beta',
];

describe('rpm version comparison', () => {
  // rpm.vercmp reads its arguments as EVRs, so the list has no "-", ":" or empty version.
  it('agrees with rpm.vercmp of the installed rpm on every pair', async () => {
    const pairs = VERSIONS.flatMap((a) => VERSIONS.map((b) => [a, b] as const));
    // One rpm process evaluates every pair with rpm's own rpmvercmp (exposed to its Lua interpreter).
    const lua = `%{lua: ${pairs.map(([a, b]) => `print(rpm.vercmp(${JSON.stringify(a)}, ${JSON.stringify(b)}) .. " ")`).join(' ')}}`;
    const out = (await runOk('rpm', ['--eval', lua])).stdout.trim().split(/\s+/).map(Number);
    expect(out).toHaveLength(pairs.length);
    const mismatches = pairs.filter(([a, b], i) => Math.sign(rpmvercmp(a, b)) !== out[i]).map(([a, b]) => `${a} vs ${b}`);
    expect(mismatches).toEqual([]);
  });

  it('orders by epoch first, then version, then release', () => {
    expect(compareEvr({ epoch: '1', ver: '0.1', rel: '1' }, { epoch: '0', ver: '9.9', rel: '9' })).toBe(1);
    expect(compareEvr({ epoch: '0', ver: '1.10', rel: '1' }, { epoch: '0', ver: '1.9', rel: '5' })).toBe(1);
    expect(compareEvr({ epoch: '0', ver: '1.0', rel: '2' }, { epoch: '0', ver: '1.0', rel: '10' })).toBe(-1);
    expect(compareEvr({ epoch: '0', ver: '1.0', rel: '1' }, { epoch: '0', ver: '1.0', rel: '1' })).toBe(0);
  });
});

describe('EVR syntax', () => {
  it('splits dependency versions as rpm does', () => {
    expect(splitEvr('1:2.0-3.el9')).toEqual({ epoch: '1', ver: '2.0', rel: '3.el9' });
    expect(splitEvr('2.0')).toEqual({ epoch: '0', ver: '2.0' });
    expect(splitEvr('007:1-2')).toEqual({ epoch: '7', ver: '1', rel: '2' });
    expect(splitEvr('x:1.0')).toBeUndefined();
  });

  it('writes the epoch only when it is set', () => {
    expect(evrString({ epoch: '0', ver: '1.0', rel: '1' })).toBe('1.0-1');
    expect(evrString({ epoch: '3', ver: '1.0', rel: '1.el9' })).toBe('3:1.0-1.el9');
  });

  it.each([
    ['version', '1.0', undefined],
    ['version', '1.0~rc1^git2+x_y', undefined],
    ['version', '', /empty/],
    ['version', '1-0', /contains "-"/],
    ['release', '1 el9', /may only contain/],
    ['release', '1%{dist}', /may only contain/],
    ['release', '..', /no letter or digit/],
  ] as const)('%s %j', (what, value, problem) => {
    const p = evrPartProblem(what, value);
    if (problem) expect(p).toMatch(problem);
    else expect(p).toBeUndefined();
  });
});
