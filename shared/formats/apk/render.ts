import { gzipSync } from 'node:zlib';
import { type IndexMember, type PublishedFile, type RenderedIndex, type RenderInput, requireDistribution, type Signer } from '../format';
import { archDir, INDEX_NAME, NOARCH } from './paths';
import { packTar } from './tar-pack';

/** Always published, so `apk update` succeeds on the common hosts before anything of theirs is pushed. */
export const DEFAULT_ARCHES = ['x86_64', 'aarch64'] as const;

const GZIP = 'application/gzip';

/** Gzip without a name or mtime (Node writes neither), so equal input gives equal bytes. */
const gzip = (data: Uint8Array): Buffer => gzipSync(data, { level: 9 });

/** Stable order: name, then version, then arch (apk itself does not care). */
export function compareMembers(a: IndexMember, b: IndexMember): number {
  for (const k of ['name', 'version', 'arch'] as const) if (a[k] !== b[k]) return a[k] < b[k] ? -1 : 1;
  return 0;
}

/** The arches a branch publishes: those of its members (not noarch) plus the defaults, sorted. */
export function branchArches(members: readonly IndexMember[]): string[] {
  const set = new Set<string>(DEFAULT_ARCHES);
  for (const m of members) if (m.arch !== NOARCH) set.add(m.arch);
  return [...set].sort();
}

/** APKINDEX text: one record per package, each followed by a blank line. */
export function apkIndexText(members: readonly IndexMember[]): string {
  return [...members]
    .sort(compareMembers)
    .map((m) => m.fragment.replace(/\n*$/, '\n\n'))
    .join('');
}

/**
 * APKINDEX.tar.gz: the signature stream (a tar segment holding `.SIGN.RSA.{key}.rsa.pub`, the RSA PKCS#1 v1.5
 * SHA-1 signature of the next stream's compressed bytes), then the index stream (a whole tar with
 * DESCRIPTION and APKINDEX). Two gzip members concatenated, as apk-tools reads them.
 */
export async function signedIndex(text: string, description: string, now: Date, apk: NonNullable<Signer['apk']>): Promise<Buffer> {
  const index = gzip(await packTar([{ name: 'DESCRIPTION', data: Buffer.from(description, 'utf8') }, { name: 'APKINDEX', data: Buffer.from(text, 'utf8') }], now));
  const signature = await apk.sign(index);
  const signatureStream = gzip(await packTar([{ name: `.SIGN.RSA.${apk.keyName}.rsa.pub`, data: signature }], now, true));
  return Buffer.concat([signatureStream, index]);
}

/**
 * Every arch directory of one branch gets a signed APKINDEX.tar.gz listing its packages and the noarch
 * ones. noarch records keep `A:noarch`: apk-tools 2.12 and later fetch a package from the directory of its
 * own arch, so noarch files live once under `main/noarch/`.
 */
export async function renderApkIndex(input: RenderInput, signer: Signer): Promise<RenderedIndex> {
  const d = requireDistribution(input);
  if (!signer.apk) throw new Error(`rendering ${input.repo} ${input.scope} needs the repository's apk RSA key`);
  const top: PublishedFile[] = [];
  for (const arch of branchArches(input.members)) {
    const text = apkIndexText(input.members.filter((m) => m.arch === arch || m.arch === NOARCH));
    const body = await signedIndex(text, `${input.repo} ${input.scope}`, input.now, signer.apk);
    top.push({ key: archDir(input.repo, d, arch) + INDEX_NAME, body, contentType: GZIP });
  }
  return { content: [], top, byHashPrefixes: [] };
}
