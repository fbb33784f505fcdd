import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HttpEvent } from '../../shared/http/api-gateway';

interface CompiledRoute {
  key: string;
  method: string;
  regex: RegExp;
  params: string[];
}

/**
 * Matches a request against HTTP API route keys (`POST /api/v1/repos/{owner}/{repo}`, `ANY /{owner}/{repo}/npm/{proxy+}`)
 * as API Gateway does.
 */
export class RouteTable {
  private readonly routes: CompiledRoute[];

  constructor(keys: readonly string[]) {
    this.routes = keys.map((key) => {
      const [method, path] = key.split(' ');
      const params: string[] = [];
      // `{name}` is one segment, `{name+}` (greedy, last) the rest of the path.
      const pattern = path.replace(/[.*?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)(\+?)\\?\}/g, (_m, name: string, greedy: string) => {
        params.push(name);
        return greedy ? '(.+)' : '([^/]+)';
      });
      return { key, method, regex: new RegExp(`^${pattern}$`), params };
    });
  }

  match(method: string, path: string): { key: string; params: Record<string, string> } | 'method-not-allowed' | undefined {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method !== method && r.method !== 'ANY') continue;
      const params: Record<string, string> = {};
      r.params.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1])));
      return { key: r.key, params };
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }
}

/** The API Gateway HTTP API (payload 2.0) event for a request, as Lambda would receive it. */
export function toApiGatewayEvent(
  req: IncomingMessage,
  body: Buffer,
  route: { key: string; params: Record<string, string> },
  url: URL,
): HttpEvent {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] === undefined ? v : `${query[k]},${v}`;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: route.key,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: Object.keys(route.params).length ? route.params : undefined,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
  };
}
