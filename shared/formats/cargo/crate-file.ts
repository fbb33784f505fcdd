import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { badRequest, isPackyardError } from '../../domain/errors';
import { CargoCodes } from './codes';

/** Caps that stop a decompression bomb; crates.io unpacks at most 512 MB too. */
export interface CrateLimits {
  maxUnpackedBytes: number;
  maxEntries: number;
  maxManifestBytes: number;
}

export const CRATE_LIMITS: CrateLimits = {
  maxUnpackedBytes: 512 * 1024 * 1024,
  maxEntries: 100_000,
  maxManifestBytes: 2 * 1024 * 1024,
};

export interface CrateArchive {
  /** The single top-level directory every entry lives under (`{name}-{version}`). */
  root: string;
  /** The text of `{root}/Cargo.toml`, as `cargo package` normalised it. */
  manifest: string;
  entries: number;
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
const unsafe = (name: string, why: string) => badRequest(CargoCodes.UNSAFE_PATH, `the .crate holds an unsafe entry ${JSON.stringify(name)}: ${why}`);

/**
 * Checks an entry the way Cargo unpacks it: every entry sits below one `{name}-{version}/` directory, no
 * absolute names, no `..`, and only files and directories (crates.io refuses links, Cargo never packs them).
 */
function checkEntry(header: tar.Header, root: string | undefined): string {
  const name = header.name;
  if (name.includes('\0') || name.includes('\\')) throw unsafe(name, 'NUL or backslash in the name');
  if (name.startsWith('/')) throw unsafe(name, 'absolute path');
  const parts = name.split('/');
  if (parts.some((p) => p === '..')) throw unsafe(name, '".." component');
  if (header.type !== 'file' && header.type !== 'contiguous-file' && header.type !== 'directory') {
    throw unsafe(name, `${header.type ?? 'unknown'} entries are not allowed (only files and directories)`);
  }
  const top = parts[0];
  if (top === '' || top === '.' || (parts.length === 1 && header.type !== 'directory')) {
    throw badRequest(CargoCodes.INVALID_LAYOUT, `every entry of a .crate must be below its {name}-{version}/ directory (found ${JSON.stringify(name)})`);
  }
  if (root !== undefined && top !== root) {
    throw badRequest(CargoCodes.INVALID_LAYOUT, `every entry of a .crate must be below one {name}-{version}/ directory (found ${JSON.stringify(root)} and ${JSON.stringify(top)})`);
  }
  return top;
}

/**
 * Reads a `.crate` (a gzip-compressed tar) as a stream, checking every entry, and returns its manifest.
 * Memory stays flat however large the crate; decompression stops at the caps.
 */
export async function readCrate(bytes: Uint8Array, limits: CrateLimits = CRATE_LIMITS): Promise<CrateArchive> {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    throw badRequest(CargoCodes.NOT_GZIP, 'a .crate must be a gzip-compressed tar archive (as `cargo package` makes it)');
  }
  let total = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      if (total > limits.maxUnpackedBytes) done(badRequest(CargoCodes.TOO_LARGE, `the .crate unpacks to more than ${limits.maxUnpackedBytes} bytes`));
      else done(null, chunk);
    },
  });
  const extract = tar.extract();
  let root: string | undefined;
  let manifest: Buffer | undefined;
  let entries = 0;
  const walk = (async () => {
    for await (const entry of extract) {
      try {
        const { header } = entry;
        if (++entries > limits.maxEntries) throw badRequest(CargoCodes.TOO_LARGE, `the .crate holds more than ${limits.maxEntries} entries`);
        root = checkEntry(header, root);
        if (header.name !== `${root}/Cargo.toml`) {
          entry.resume();
          continue;
        }
        if (manifest) throw badRequest(CargoCodes.INVALID_LAYOUT, `the .crate holds ${root}/Cargo.toml twice`);
        if ((header.size ?? 0) > limits.maxManifestBytes) {
          throw badRequest(CargoCodes.TOO_LARGE, `Cargo.toml is ${header.size} bytes, more than the ${limits.maxManifestBytes}-byte limit`);
        }
        const chunks: Buffer[] = [];
        for await (const chunk of entry) chunks.push(chunk as Buffer);
        manifest = Buffer.concat(chunks);
      } catch (e) {
        extract.destroy(e as Error);
        throw e;
      }
    }
  })();
  const source = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  // Either side may fail first and the other then sees a secondary error: report the most specific one.
  const failures = (await Promise.allSettled([pipeline(source, createGunzip(), limit, extract), walk]))
    .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
    .map((r) => r.reason as unknown);
  if (failures.length > 0) {
    const known = failures.find(isPackyardError);
    if (known) throw known;
    throw badRequest(CargoCodes.CORRUPT, `the .crate is not a valid gzip-compressed tar archive (${reason(failures[0])})`);
  }
  if (root === undefined || !manifest) {
    throw badRequest(CargoCodes.MISSING_MANIFEST, `the .crate has no Cargo.toml in its {name}-{version}/ directory`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(manifest);
  } catch {
    throw badRequest(CargoCodes.INVALID_MANIFEST, 'Cargo.toml is not valid UTF-8');
  }
  return { root, manifest: text, entries };
}
