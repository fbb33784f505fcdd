/**
 * The secrets a request carries, in every form native clients send them: Basic (token as user or as
 * password, any user name such as `__token__`), Bearer, a raw token in Authorization (gem, cargo), and
 * X-NuGet-ApiKey. Returned in order of preference; empty when the request is anonymous.
 */
export function credentialsFrom(headers: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  const auth = header(headers, 'authorization')?.trim();
  if (auth) {
    const [scheme, ...rest] = auth.split(/\s+/);
    const value = rest.join(' ');
    if (/^basic$/i.test(scheme) && value) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = colon >= 0 ? decoded.slice(0, colon) : decoded;
      const pass = colon >= 0 ? decoded.slice(colon + 1) : '';
      if (pass) out.push(pass);
      if (user) out.push(user);
    } else if (/^(bearer|token)$/i.test(scheme) && value) {
      out.push(value);
    } else if (!value) {
      out.push(scheme);
    }
  }
  const nuget = header(headers, 'x-nuget-apikey')?.trim();
  if (nuget) out.push(nuget);
  return [...new Set(out)];
}

/** Case-insensitive header lookup (API Gateway v2 lower-cases names; other sources may not). */
export function header(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const direct = headers[name];
  if (direct !== undefined) return direct;
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
