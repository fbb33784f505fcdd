import type { Distribution } from '../domain/distribution';
import { badRequest, Codes } from '../domain/errors';
import { apkFormat } from './apk';
import { cargoFormat } from './cargo';
import { debFormat } from './deb';
import { fileFormat } from './file';
import { mavenFormat } from './maven';
import { gemFormat } from './gem';
import { helmFormat } from './helm';
import type { Format, FormatId } from './format';
import { npmFormat } from './npm';
import { nugetFormat } from './nuget';
import { pypiFormat } from './pypi';
import { rpmFormat } from './rpm';

/** The static registry of format plug-ins; adding a format means adding it here. */
export const FORMATS: Partial<Record<FormatId, Format>> = {
  deb: debFormat,
  rpm: rpmFormat,
  apk: apkFormat,
  cargo: cargoFormat,
  file: fileFormat,
  maven: mavenFormat,
  gem: gemFormat,
  helm: helmFormat,
  npm: npmFormat,
  nuget: nugetFormat,
  pypi: pypiFormat,
};

export function formatById(id: string): Format {
  const f = FORMATS[id as FormatId];
  if (!f) throw badRequest(Codes.UNKNOWN_FORMAT, `unknown format ${JSON.stringify(id)}`);
  return f;
}

/** The format that serves a distribution: `debian/bookworm` -> deb. */
export function formatForDistribution(d: Distribution): Format {
  const f = Object.values(FORMATS).find((x) => x?.servesDistribution(d));
  if (!f) {
    throw badRequest(Codes.INVALID_DISTRIBUTION, `no format serves the distribution ${d.distro}/${d.release}`);
  }
  return f;
}

/** Detect the format of a file by its magic bytes; generic files have none and accept anything, so never win. */
export function detectFormat(head: Uint8Array): Format | undefined {
  return Object.values(FORMATS).find((f) => f && f.id !== 'file' && f.detect(head));
}
