import { badRequest } from '../../domain/errors';
import type { Distribution } from '../../domain/distribution';
import { isGzip } from '../archive/tar-gz';
import type { Format, ParseContext, ParsedPackage } from '../format';
import { chartFilename, chartKey, readChart } from './chart';
import { HelmCodes } from './codes';
import { renderHelm, type HelmFragment } from './render';

export const HELM_SEGMENT = 'helm';

/** Helm charts: one package per chart version, served at a stable path and listed in index.yaml. */
export const helmFormat = {
  id: 'helm',
  label: 'Helm chart',
  catalog: true,
  catalogFromStart: true,
  servesDistribution: (d: Distribution) => d.distro === HELM_SEGMENT && d.release === '',
  // A chart is a plain .tgz: no magic of its own, so only its container is recognised.
  detect: (_head: Uint8Array) => false,
  claims: (head: Uint8Array) => isGzip(head),
  async parse(bytes: Uint8Array, ctx: ParseContext): Promise<ParsedPackage> {
    const chart = await readChart(bytes);
    const declared = ctx.declared ?? {};
    if ((declared.name && declared.name !== chart.name) || (declared.version && declared.version !== chart.version)) {
      const said = `${declared.name ?? chart.name} ${declared.version ?? chart.version}`;
      throw badRequest(HelmCodes.DECLARED_MISMATCH, `the chart is ${chart.name} ${chart.version}, but the upload declared ${said}`);
    }
    const expected = chartFilename(chart.name, chart.version);
    if (ctx.filename && /\.tgz$/.test(ctx.filename) && ctx.filename !== expected) {
      throw badRequest(HelmCodes.FILENAME_MISMATCH, `the chart is ${chart.name} ${chart.version}, so its file is ${expected}, not ${ctx.filename}`);
    }
    return { name: chart.name, version: chart.version, arch: '', metadata: { apiVersion: chart.apiVersion, ...(chart.appVersion ? { appVersion: chart.appVersion } : {}) }, control: JSON.stringify(chart) };
  },
  scope: (_d: Distribution, pkg: ParsedPackage) => pkg.name,
  filename: (pkg: ParsedPackage) => chartFilename(pkg.name, pkg.version),
  blobKey: (repo: string, _d: Distribution, pkg: ParsedPackage) => chartKey(repo, chartFilename(pkg.name, pkg.version)),
  fragment: (_repo, _d, pkg, file) =>
    JSON.stringify({ chart: JSON.parse(pkg.control ?? '{}'), filename: chartFilename(pkg.name, pkg.version), digest: file.hashes.sha256 } satisfies HelmFragment),
  render: (input, _signer) => renderHelm(input),
} satisfies Format;

