import { PlainReporter, TtyReporter, packageLine, plainLine, progressBar, ttyLine, type FileState } from '../../../cli/progress';
import { formatBytes, renderTable, truncate } from '../../../cli/text';

const pkg = { name: 'hello', version: '1.0-1', arch: 'amd64', distribution: 'debian/bookworm' };

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [12_595, '12.3 KiB'],
    [5 * 1024 * 1024, '5.0 MiB'],
    [1.5 * 1024 ** 3, '1.5 GiB'],
    [3 * 1024 ** 5, '3072.0 TiB'],
  ])('%d -> %s', (n, s) => expect(formatBytes(n)).toBe(s));
});

describe('plain lines (CI)', () => {
  it('prints the documented lines and nothing for intermediate states', () => {
    expect(plainLine('hello_1.0-1_amd64.deb', { phase: 'uploaded', size: 12_595 })).toBe('uploaded hello_1.0-1_amd64.deb (12.3 KiB)');
    expect(plainLine('x.deb', { phase: 'accepted', pkg, distribution: 'debian/bookworm' })).toBe('accepted hello 1.0-1 amd64 -> debian/bookworm');
    expect(plainLine('bad.deb', { phase: 'rejected', error: { code: 'DEB_INVALID_VERSION', message: 'no version' } })).toBe(
      'rejected bad.deb: DEB_INVALID_VERSION: no version',
    );
    expect(plainLine('x.deb', { phase: 'failed', error: { code: 'NETWORK_ERROR', message: 'cannot reach' } })).toBe('failed x.deb: NETWORK_ERROR: cannot reach');
    for (const s of [{ phase: 'queued' }, { phase: 'hashing' }, { phase: 'uploading', sent: 1, total: 2 }, { phase: 'processing' }] as FileState[]) {
      expect(plainLine('x.deb', s)).toBeUndefined();
    }
  });

  it('names packages without an architecture, and the target when the package does not say', () => {
    expect(packageLine({ name: 'left-pad', version: '1.3.0', arch: '' }, 'any/any')).toBe('left-pad 1.3.0 -> any/any');
  });

  it('PlainReporter writes one line per finished step', () => {
    const out = { text: '', write: (s: string) => (out.text += s) };
    const r = new PlainReporter(out, ['a.deb']);
    r.update(0, { phase: 'hashing' });
    r.update(0, { phase: 'uploading', sent: 10, total: 20 });
    r.update(0, { phase: 'uploaded', size: 20 });
    r.update(0, { phase: 'processing' });
    r.update(0, { phase: 'accepted', pkg, distribution: 'debian/bookworm' });
    r.finish();
    expect(out.text).toBe('uploaded a.deb (20 B)\naccepted hello 1.0-1 amd64 -> debian/bookworm\n');
  });
});

describe('terminal view', () => {
  it('draws a proportional bar', () => {
    expect(progressBar(0, 100, 10)).toBe('[░░░░░░░░░░]');
    expect(progressBar(50, 100, 10)).toBe('[█████░░░░░]');
    expect(progressBar(100, 100, 10)).toBe('[██████████]');
    expect(progressBar(150, 100, 4)).toBe('[████]');
    expect(progressBar(0, 0, 4)).toBe('[████]');
  });

  it('formats each state of a file line', () => {
    expect(ttyLine('a.deb', { phase: 'uploading', sent: 6297, total: 12_595 }, 8)).toBe(
      'a.deb     [████████████░░░░░░░░░░░░]  49%  6.1 KiB / 12.3 KiB',
    );
    expect(ttyLine('a.deb', { phase: 'processing' }, 5)).toBe('a.deb  processing…');
    expect(ttyLine('a.deb', { phase: 'accepted', pkg, distribution: 'x/y' }, 5)).toBe('a.deb  accepted hello 1.0-1 amd64 -> debian/bookworm');
    expect(ttyLine('bad.deb', { phase: 'rejected', error: { code: 'C', message: 'why' } }, 7)).toBe('bad.deb  rejected: C: why');
    expect(ttyLine('a-very-long-name.deb', { phase: 'queued' }, 10)).toBe('a-very-lo…  waiting');
  });

  it('redraws all lines in place, throttling byte updates but never state changes', () => {
    let clock = 1000;
    const frames: string[] = [];
    const out = { isTTY: true, columns: 200, write: (s: string) => frames.push(s) };
    const r = new TtyReporter(out, ['one.deb', 'two.deb'], 100, () => clock);
    r.update(0, { phase: 'uploading', sent: 0, total: 100 });
    expect(frames).toHaveLength(1);
    expect(frames[0]).not.toContain('\x1b[2A'); // nothing to move over yet
    expect(frames[0]).toBe(`\r\x1b[2K${ttyLine('one.deb', { phase: 'uploading', sent: 0, total: 100 }, 7)}\n\r\x1b[2Ktwo.deb  waiting\n`);

    clock += 10;
    r.update(0, { phase: 'uploading', sent: 50, total: 100 }); // too soon: skipped
    expect(frames).toHaveLength(1);
    clock += 100;
    r.update(0, { phase: 'uploading', sent: 60, total: 100 });
    expect(frames).toHaveLength(2);
    expect(frames[1].startsWith('\x1b[2A\r\x1b[2K')).toBe(true);
    expect(frames[1]).toContain(' 60%');

    r.update(1, { phase: 'hashing' }); // a state change draws at once
    r.update(0, { phase: 'uploaded', size: 100 });
    expect(frames).toHaveLength(4);
    r.finish();
    expect(frames[4]).toContain('one.deb  uploaded 100 B');
    expect(frames[4]).toContain('two.deb  hashing…');
  });

  it('cuts lines to the terminal width so they never wrap', () => {
    const frames: string[] = [];
    const r = new TtyReporter({ isTTY: true, columns: 30, write: (s: string) => frames.push(s) }, ['x.deb']);
    r.update(0, { phase: 'rejected', error: { code: 'DEB_INVALID_VERSION', message: 'a long explanation of what went wrong' } });
    const line = frames[0].replace('\r\x1b[2K', '').replace('\n', '');
    expect([...line]).toHaveLength(29);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('text helpers', () => {
  it('renders aligned tables', () => {
    expect(renderTable(['name', 'visibility'], [['acme/tools', 'public'], ['a/b', 'private']])).toBe(
      'NAME        VISIBILITY\nacme/tools  public\na/b         private\n',
    );
  });

  it('truncates by characters', () => {
    expect(truncate('abcdef', 10)).toBe('abcdef');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });
});
