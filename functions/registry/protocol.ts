import type { AppDeps } from '../../shared/app/deps';
import type { RegistrySegment } from '../../shared/domain/distribution';
import type { PackyardError } from '../../shared/domain/errors';
import type { HttpResult } from '../../shared/http/api-gateway';

/** One request to a native registry, already split from its repository. */
export interface NativeRequest {
  method: string;
  /** `owner/repo` */
  repo: string;
  /** The path below `/{owner}/{repo}/{segment}/`, still percent-encoded (`@scope%2fname`, `legacy/`). */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
  body: Buffer;
  sourceIp?: string;
  /** This registry's public URL, no trailing slash: `https://host/{owner}/{repo}/{segment}`. */
  baseUrl: string;
}

/**
 * A native client's protocol: HTTP in, one use-case call, HTTP out in the shape that client expects, and
 * errors in the envelope it prints (npm `{"error"}`, cargo `{"errors":[{"detail"}]}`, plain text for gem).
 */
export interface NativeProtocol {
  readonly segment: RegistrySegment;
  handle(deps: AppDeps, req: NativeRequest): Promise<HttpResult>;
  error(e: PackyardError, req: NativeRequest): HttpResult;
}
