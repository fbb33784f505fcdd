import { deployMavenFile } from '../../shared/app/native/maven';
import { PackyardError } from '../../shared/domain/errors';
import { MavenCodes } from '../../shared/formats/maven/codes';
import type { HttpResult } from '../../shared/http/api-gateway';
import type { NativeProtocol, NativeRequest } from './protocol';

const text = (statusCode: number, body: string, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
  body,
});

/** Maven's repository layout: PUT deploys (reads are static files served by the CDN). */
export const mavenProtocol: NativeProtocol = {
  segment: 'maven',

  async handle(deps, req: NativeRequest): Promise<HttpResult> {
    if (req.method !== 'PUT') {
      throw new PackyardError(405, MavenCodes.METHOD, `the Maven repository takes PUT (mvn deploy); ${req.method} is not supported`);
    }
    const outcome = await deployMavenFile(deps, { headers: req.headers, sourceIp: req.sourceIp }, req.repo, req.path, req.body);
    // 201 for what the PUT stored or accepted (the client's metadata and matching checksums included, which
    // Packyard serves itself); 200 when the same file was already there.
    return text(outcome === 'unchanged' ? 200 : 201, `${outcome}\n`);
  },

  /** Maven prints the status and reason phrase; the text body is for curl and logs. 401 challenges for Basic. */
  error(e: PackyardError, req: NativeRequest): HttpResult {
    const headers: Record<string, string> = {};
    if (e.status === 401) headers['www-authenticate'] = `Basic realm="${req.repo}"`;
    if (e.status === 405) headers.allow = 'GET, HEAD, PUT';
    return text(e.status, `${e.message} (${e.code})\n`, headers);
  },
};
