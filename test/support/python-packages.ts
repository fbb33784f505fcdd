import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import { runOk } from './exec';

/** Debian's interpreter: it has setuptools, wheel and build (the pyenv python on PATH has no `wheel`). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

export interface PythonProject {
  /** As written in pyproject.toml, e.g. `Pyard.Demo` (setuptools keeps dots and case in file names). */
  name: string;
  version: string;
  /** The import package, holding `VERSION = "<version>"`. */
  module: string;
  requiresPython?: string;
  dependencies?: string[];
}

/** Where a child Python must not pick up the machine's pip and twine settings. */
export function isolatedPythonEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(PIP_|TWINE_|PYTHON)/.test(k)) env[k] = v;
  return { ...env, HOME: home, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', ...extra };
}

/** Builds a real wheel and sdist with `python3 -m build --no-isolation` (offline) and returns their paths. */
export async function buildPythonProject(dir: string, p: PythonProject): Promise<{ wheel: string; sdist: string }> {
  const root = join(dir, `${p.name}-${p.version}-src`);
  await fsp.mkdir(join(root, p.module), { recursive: true });
  const deps = (p.dependencies ?? []).map((d) => JSON.stringify(d)).join(', ');
  await fsp.writeFile(
    join(root, 'pyproject.toml'),
    [
      '[build-system]',
      'requires = ["setuptools>=61"]',
      'build-backend = "setuptools.build_meta"',
      '',
      '[project]',
      `name = "${p.name}"`,
      `version = "${p.version}"`,
      `description = "Packyard test project ${p.name}"`,
      `requires-python = "${p.requiresPython ?? '>=3.7'}"`,
      `dependencies = [${deps}]`,
      '',
    ].join('\n'),
  );
  await fsp.writeFile(join(root, p.module, '__init__.py'), `VERSION = "${p.version}"\n`);
  const out = join(dir, 'dist', `${p.name}-${p.version}`);
  await runOk(SYSTEM_PYTHON, ['-m', 'build', '--no-isolation', '--outdir', out, root], { env: isolatedPythonEnv(dir) });
  const files = await fsp.readdir(out);
  const wheel = files.find((f) => f.endsWith('.whl'));
  const sdist = files.find((f) => f.endsWith('.tar.gz'));
  if (!wheel || !sdist) throw new Error(`python -m build made ${files.join(', ')}`);
  return { wheel: join(out, wheel), sdist: join(out, sdist) };
}
