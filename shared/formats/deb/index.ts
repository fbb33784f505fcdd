import type { Distribution } from '../../domain/distribution';
import { badRequest } from '../../domain/errors';
import type { Format, ParseContext, ParsedPackage } from '../format';
import { type ArMember, AR_MAGIC, readAr, isAr } from './ar';
import { DebCodes } from './codes';
import { readControlFile } from './control-archive';
import { type Field, parseParagraph, serialiseParagraph } from './control';
import { isFileField, packagesStanza } from './fragment';
import { aptBase, debFilename, poolPath } from './paths';
import { renderDebIndex } from './render';
import { validateControl } from './validate';

/** Distro names served as apt repositories (packagecloud's names; `any/any` is the distro-agnostic suite). */
export const DEB_DISTROS: ReadonlySet<string> = new Set(['debian', 'ubuntu', 'any', 'raspbian', 'linuxmint', 'elementaryos', 'pop']);

const DEBIAN_BINARY = 'debian-binary';

/** Parses, validates and normalises a .deb; everything a client could get wrong becomes a DEB_* 400. */
async function parseDeb(bytes: Uint8Array): Promise<ParsedPackage> {
  const members = readAr(bytes);
  checkDebianBinary(members[0]);
  const control = members.find((m) => m.name.startsWith('control.tar'));
  if (!control) throw badRequest(DebCodes.NO_CONTROL, `the package has no control.tar member (members: ${names(members)})`);
  if (!members.some((m) => m.name.startsWith('data.tar'))) {
    throw badRequest(DebCodes.NO_DATA, `the package has no data.tar member (members: ${names(members)})`);
  }
  const text = await readControlFile(control.name, control.data);
  // The repository computes Filename, Size and checksums itself; an upload's own values are dropped.
  const fields: Field[] = parseParagraph(text).filter((f) => !isFileField(f.name));
  const { name, version, arch } = validateControl(fields);
  return {
    name,
    version,
    arch,
    metadata: Object.fromEntries(fields.map((f) => [f.name, f.value])),
    control: serialiseParagraph(fields),
  };
}

const names = (members: ArMember[]) => members.map((m) => m.name).join(', ') || 'none';

function checkDebianBinary(first: ArMember | undefined): void {
  if (!first || first.name !== DEBIAN_BINARY) {
    throw badRequest(DebCodes.NO_DEBIAN_BINARY, `the first ar member must be ${DEBIAN_BINARY}, found ${first ? JSON.stringify(first.name) : 'no member'}`);
  }
  const text = Buffer.from(first.data).toString('latin1');
  if (!/^2\.[0-9]+(\n|$)/.test(text)) {
    throw badRequest(DebCodes.UNSUPPORTED_VERSION, `unsupported Debian package format ${JSON.stringify(text.slice(0, 16).trim())}: only format 2.x is supported`);
  }
}

/** The control fields of a parsed package, from its normalised control text (or its metadata). */
function controlFields(pkg: ParsedPackage): Field[] {
  if (pkg.control !== undefined) return parseParagraph(pkg.control);
  return Object.entries(pkg.metadata).map(([name, value]) => ({ name, value }));
}

const filename = (pkg: ParsedPackage) => debFilename(pkg.name, pkg.version, pkg.arch);

export const debFormat = {
  id: 'deb',
  label: 'Debian package',
  servesDistribution: (d: Distribution) => DEB_DISTROS.has(d.distro),
  detect(head: Uint8Array): boolean {
    const start = Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, AR_MAGIC.length + 16)).toString('latin1');
    return new RegExp(`^${AR_MAGIC}${DEBIAN_BINARY}[/ ]`).test(start);
  },
  claims: (head: Uint8Array) => isAr(head),
  parse: (bytes: Uint8Array, _ctx: ParseContext) => parseDeb(bytes),
  scope: (d: Distribution) => `${d.distro}/${d.release}`,
  filename,
  blobKey: (repo: string, d: Distribution, pkg: ParsedPackage) => `${aptBase(repo, d)}/${poolPath(d, pkg.name, filename(pkg))}`,
  fragment: (_repo, d, pkg, file) => packagesStanza(controlFields(pkg), poolPath(d, pkg.name, filename(pkg)), file),
  render: renderDebIndex,
} satisfies Format;
