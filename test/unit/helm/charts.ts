import { tgz } from '../../support/tgz';

export { tgz };

/** A chart as `helm create` + `helm package` would make it: `{name}/Chart.yaml`, values and a template. */
export function chart(name: string, version: string, extra = '', top = name): Promise<Buffer> {
  return tgz([
    { name: `${top}/Chart.yaml`, body: `apiVersion: v2\nname: ${name}\nversion: ${version}\n${extra}` },
    { name: `${top}/values.yaml`, body: 'replicaCount: 1\n' },
    { name: `${top}/templates/deployment.yaml`, body: 'kind: Deployment\n' },
  ]);
}

/**
 * A provenance file as `helm package --sign` writes it: Chart.yaml, `...`, the files block, clear-signed
 * with a throw-away key (Packyard checks the structure and the digest, not the signer).
 */
export async function provenance(chartYaml: string, files: Record<string, string>): Promise<string> {
  const openpgp = await import('openpgp');
  const { privateKey } = await openpgp.generateKey({ type: 'ecc', curve: 'curve25519Legacy', userIDs: [{ name: 'Chart Author', email: 'author@example.com' }], format: 'object' });
  const body = `${chartYaml.trimEnd()}\n\n...\nfiles:\n${Object.entries(files).map(([f, d]) => `  ${f}: ${d}\n`).join('')}`;
  const message = await openpgp.createCleartextMessage({ text: body });
  return openpgp.sign({ message, signingKeys: privateKey });
}
