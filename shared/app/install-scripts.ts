import { forbidden, unauthorized } from '../domain/errors';
import { debScript, rpmScript } from '../domain/install-scripts';
import { parseRepoName } from '../domain/repo';
import { credentialsFrom } from '../http/credentials';
import { findPrincipal } from './auth';
import type { AppDeps } from './deps';
import { loadRepo } from './repos';

/**
 * `GET /install/repositories/{owner}/{repo}/script.{deb,rpm}.sh`. A private repository's script is given only
 * to a master token of that repository (`curl -fsSL https://MASTER:@host/install/... | sudo bash`), and
 * carries that token so the machine can mint its own read token.
 */
export async function installScript(deps: AppDeps, headers: Record<string, string | undefined>, repoName: string, kind: 'deb' | 'rpm'): Promise<string> {
  const { name } = parseRepoName(repoName);
  const presented = credentialsFrom(headers).length > 0;
  const master = presented ? await findPrincipal(deps, headers) : undefined;
  if (presented && !master) throw unauthorized('the token is invalid, revoked or expired');
  const repo = await loadRepo(deps, name);
  if (repo.visibility === 'private') {
    if (!master) throw unauthorized(`${name} is private: fetch the script with a master token (https://MASTER_TOKEN:@host/...)`);
    if (master.kind !== 'master' || master.repo !== name) throw forbidden(`only a master token of ${name} may fetch its install script`);
  }
  const input = { baseUrl: deps.publicBaseUrl, repo: name, private: repo.visibility === 'private', masterToken: master?.kind === 'master' ? credentialsFrom(headers)[0] : undefined };
  return kind === 'deb' ? debScript(input) : rpmScript(input);
}
