export { tgz, type TgzEntry } from '../../support/tgz';

export const pkgJson = (fields: Record<string, unknown>) => ({ name: 'package/package.json', body: JSON.stringify(fields) });
