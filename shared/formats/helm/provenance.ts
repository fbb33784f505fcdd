import * as openpgp from 'openpgp';
import YAML from 'yaml';
import { badRequest } from '../../domain/errors';
import { chartFilename } from './chart';
import { HelmCodes } from './codes';

/** What a provenance file vouches for: the chart's name and version, and the digest of its .tgz. */
export interface Provenance {
  name: string;
  version: string;
  /** The packaged file Helm names (`{name}-{version}.tgz`) and its digest (`sha256:{hex}`). */
  filename: string;
  digest: string;
}

export const MAX_PROVENANCE_BYTES = 64 * 1024;
const fail = (message: string) => badRequest(HelmCodes.BAD_PROVENANCE, message);

/**
 * `helm package --sign` clear-signs Chart.yaml, a `...` separator and `files: {chart.tgz: sha256:...}`; Helm
 * verifies the signature against the author's keyring on `helm install --verify`. Packyard has no keyring, so it
 * checks the structure (a well-formed OpenPGP clear-signed message) and that the signed text describes one chart.
 */
export async function readProvenance(bytes: Uint8Array): Promise<Provenance> {
  if (bytes.length > MAX_PROVENANCE_BYTES) throw fail(`the provenance file is larger than ${MAX_PROVENANCE_BYTES} bytes`);
  let text: string;
  try {
    const message = await openpgp.readCleartextMessage({ cleartextMessage: Buffer.from(bytes).toString('utf8') });
    text = message.getText().replace(/\r\n/g, '\n');
  } catch (e) {
    throw fail(`the provenance file must be an OpenPGP clear-signed message, as helm package --sign writes (${e instanceof Error ? e.message : String(e)})`);
  }
  // Helm's own split (pkg/provenance): the Chart.yaml block, then the files block.
  const parts = text.split('\n...\n');
  if (parts.length < 2) throw fail('the signed text of the provenance file must be Chart.yaml, a "..." line and the files block');
  const parse = (block: string): Record<string, unknown> => {
    try {
      const v: unknown = YAML.parse(block, { maxAliasCount: 10 });
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // reported below
    }
    throw fail('the signed text of the provenance file is not YAML mappings');
  };
  const chart = parse(parts[0]);
  const files = parse(parts[1]).files;
  const name = chart.name;
  const version = typeof chart.version === 'number' ? String(chart.version) : chart.version;
  if (typeof name !== 'string' || typeof version !== 'string') throw fail('the provenance file does not name the chart and its version');
  const filename = chartFilename(name, version);
  const digest = files && typeof files === 'object' ? (files as Record<string, unknown>)[filename] : undefined;
  if (typeof digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw fail(`the provenance file does not give the sha256 digest of ${filename} under "files"`);
  }
  return { name, version, filename, digest };
}

/** The provenance must describe these very bytes, or `helm install --verify` would fail on the served pair. */
export function checkProvenance(p: Provenance, chart: { filename?: string; sha256: string }): void {
  if (chart.filename && chart.filename !== p.filename) throw fail(`the provenance file describes ${p.filename}, not ${chart.filename}`);
  if (p.digest !== `sha256:${chart.sha256}`) throw fail(`the provenance file gives ${p.filename} the digest ${p.digest}, but the uploaded chart's is sha256:${chart.sha256}`);
}
