import { log } from '../../../shared/http/middleware';

describe('structured logs', () => {
  const saved = { format: process.env.AWS_LAMBDA_LOG_FORMAT, quiet: process.env.PACKYARD_QUIET };
  let out: jest.SpyInstance;
  beforeEach(() => {
    delete process.env.PACKYARD_QUIET;
    out = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    out.mockRestore();
    process.env.AWS_LAMBDA_LOG_FORMAT = saved.format;
    process.env.PACKYARD_QUIET = saved.quiet;
    if (saved.format === undefined) delete process.env.AWS_LAMBDA_LOG_FORMAT;
    if (saved.quiet === undefined) delete process.env.PACKYARD_QUIET;
  });

  it('writes one JSON line outside Lambda', () => {
    delete process.env.AWS_LAMBDA_LOG_FORMAT;
    log('info', 'index rebuilt', { scope: 'acme/tools#deb#debian/bookworm', ms: 12 });
    const line = out.mock.calls[0][0] as string;
    expect(typeof line).toBe('string');
    expect(JSON.parse(line)).toMatchObject({ level: 'info', message: 'index rebuilt', scope: 'acme/tools#deb#debian/bookworm', ms: 12 });
  });

  it('hands Lambda an object under its JSON log format, which nests it beside the request id', () => {
    process.env.AWS_LAMBDA_LOG_FORMAT = 'JSON';
    log('info', 'edge synced', { put: 1 });
    expect(out.mock.calls[0][0]).toMatchObject({ level: 'info', message: 'edge synced', put: 1 });
  });
});
