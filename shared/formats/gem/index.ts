import type { Distribution } from '../../domain/distribution';
import type { Format, ParseContext, ParsedPackage, StoredFile } from '../format';
import { gemFragment } from './fragment';
import { isTar } from './package-file';
import { parseGem, specOf } from './parse';
import { fullName, gemKey, quickSpecKey } from './paths';
import { RUBY } from './platform';
import { quickSpec } from './quick-spec';
import { renderGems } from './render';

/** The URL segment and single-word distribution of the RubyGems registry. */
export const GEMS = 'gems';

const fullNameOf = (pkg: ParsedPackage) => fullName(pkg.name, pkg.version, pkg.arch || RUBY);

/**
 * RubyGems: a .gem is a plain tar (metadata.gz, data.tar.gz, checksums.yaml.gz). A package's identity is
 * (name, version, platform), the platform '' for pure-Ruby gems. Each gem name is a scope rendering its
 * compact-index /info file; the catalog renders /versions, /names and the legacy Marshal indexes. The
 * quick gemspec `gem install` fetches is written once, at ingest.
 */
export const gemFormat = {
  id: 'gem',
  label: 'RubyGems package (.gem)',
  catalog: true,
  servesDistribution: (d: Distribution) => d.distro === GEMS && d.release === '',
  // A .gem is a tar like many other files: nothing to detect, only a container to claim.
  detect: (_head: Uint8Array) => false,
  claims: isTar,
  // The file alone decides: gems carry their own name and version, whatever the client declared.
  parse: (bytes: Uint8Array, _ctx: ParseContext) => parseGem(bytes),
  scope: (_d: Distribution, pkg: ParsedPackage) => pkg.name,
  filename: (pkg: ParsedPackage) => `${fullNameOf(pkg)}.gem`,
  blobKey: (repo: string, _d: Distribution, pkg: ParsedPackage) => gemKey(repo, fullNameOf(pkg)),
  fragment: (_repo: string, _d: Distribution, pkg: ParsedPackage, file: StoredFile) => gemFragment(specOf(pkg), file.hashes.sha256),
  companions: (repo: string, _d: Distribution, pkg: ParsedPackage) => [
    { key: quickSpecKey(repo, fullNameOf(pkg)), body: quickSpec(specOf(pkg)), contentType: 'application/octet-stream' },
  ],
  render: (input, _signer) => renderGems(input),
} satisfies Format;
