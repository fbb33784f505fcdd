import { KEY_PURPOSE } from '../config';
import type { AppDeps } from './deps';

export const EDGE_KEY_CONFIG = 'edge-token-key';
/** Its own encryption context, so IAM can let a function unwrap this key and not the signing keys. */
const CONTEXT = { purpose: KEY_PURPOSE.edgeToken };

const cache = new WeakMap<object, Promise<string>>();

/**
 * The deployment's read-token HMAC key (hex), created on first use and stored only wrapped by the
 * KeyWrapper. Cached per process: it never changes once created.
 */
export function edgeTokenKey(deps: Pick<AppDeps, 'meta' | 'keys' | 'clock'>): Promise<string> {
  let p = cache.get(deps.meta);
  if (!p) {
    p = loadOrCreate(deps);
    cache.set(deps.meta, p);
    p.catch(() => cache.delete(deps.meta));
  }
  return p;
}

async function loadOrCreate(deps: Pick<AppDeps, 'meta' | 'keys' | 'clock'>): Promise<string> {
  const existing = await deps.meta.getConfig(EDGE_KEY_CONFIG);
  if (existing) return Buffer.from(await deps.keys.unwrap(Buffer.from(existing.wrapped, 'base64'), CONTEXT)).toString('hex');
  const { plaintext, wrapped } = await deps.keys.generateDataKey(CONTEXT);
  const mine = Buffer.from(wrapped).toString('base64');
  const stored = await deps.meta.putConfigIfAbsent(EDGE_KEY_CONFIG, { wrapped: mine, createdAt: deps.clock.now().toISOString() });
  if (stored.wrapped === mine) return Buffer.from(plaintext).toString('hex');
  // Another process created it first: use theirs.
  return Buffer.from(await deps.keys.unwrap(Buffer.from(stored.wrapped, 'base64'), CONTEXT)).toString('hex');
}
