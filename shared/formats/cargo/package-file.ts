import { badRequest } from '../../domain/errors';
import type { ParseContext, ParsedPackage } from '../format';
import { CargoCodes } from './codes';
import { CRATE_LIMITS, readCrate, type CrateLimits } from './crate-file';
import { readManifest } from './manifest';
import { identityVersion } from './version';

/**
 * Validates a `.crate` from its bytes alone (the presigned path has nothing else) and, when the client
 * declared them (cargo publish's JSON), checks that name and version agree with the packaged manifest.
 */
export async function parseCrate(bytes: Uint8Array, ctx: ParseContext, limits: CrateLimits = CRATE_LIMITS): Promise<ParsedPackage> {
  const archive = await readCrate(bytes, limits);
  const manifest = readManifest(archive.manifest);
  const expectedRoot = `${manifest.name}-${manifest.vers}`;
  if (archive.root !== expectedRoot) {
    throw badRequest(CargoCodes.INVALID_LAYOUT, `the .crate's files are below ${archive.root}/ but its Cargo.toml describes ${manifest.name} ${manifest.vers} (expected ${expectedRoot}/)`);
  }
  const declared = ctx.declared ?? {};
  if (declared.name !== undefined && declared.name !== manifest.name) {
    throw badRequest(CargoCodes.METADATA_MISMATCH, `the publish metadata names the crate ${JSON.stringify(declared.name)} but its Cargo.toml says ${JSON.stringify(manifest.name)}`);
  }
  if (declared.version !== undefined && declared.version !== manifest.vers) {
    throw badRequest(CargoCodes.METADATA_MISMATCH, `the publish metadata gives version ${JSON.stringify(declared.version)} but the crate's Cargo.toml says ${JSON.stringify(manifest.vers)}`);
  }
  const metadata: Record<string, string> = { vers: manifest.vers };
  if (manifest.description !== undefined) metadata.description = manifest.description;
  if (manifest.license !== undefined) metadata.license = manifest.license;
  if (manifest.rust_version !== null) metadata.rust_version = manifest.rust_version;
  if (manifest.links !== null) metadata.links = manifest.links;
  return {
    name: manifest.name,
    version: identityVersion(manifest.vers),
    arch: '',
    metadata,
    // The manifest as read, for the fragment (which adds the checksum once the file is stored).
    control: JSON.stringify(manifest),
  };
}
