import { UsageError } from './errors';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export interface CliConfig {
  /** Base URL of the registry, without a trailing slash. */
  url: string;
  token: string;
}

/** Flags win over PACKYARD_URL / PACKYARD_TOKEN; every command needs a token, so its absence is a usage error. */
export function resolveConfig(flags: { url?: string; token?: string }, env: Record<string, string | undefined>): CliConfig {
  const url = flags.url || env.PACKYARD_URL || DEFAULT_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`invalid registry URL ${JSON.stringify(url)}`, 'INVALID_URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`the registry URL must be http(s) (got ${JSON.stringify(url)})`, 'INVALID_URL');
  }
  const token = (flags.token || env.PACKYARD_TOKEN || '').trim();
  if (!token) throw new UsageError('no API token: set PACKYARD_TOKEN or pass --token', 'NO_TOKEN');
  return { url: url.replace(/\/+$/, ''), token };
}
