import { execFile } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program without a shell; never throws on a non-zero exit (tests assert on the result). */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { cwd: opts.cwd, env: opts.env ?? process.env, maxBuffer: 64 * 1024 * 1024, timeout: opts.timeoutMs ?? 120_000, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).code === 'ENOENT') {
          reject(new Error(`${cmd} is not installed (${missingHint(cmd)})`));
          return;
        }
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Runs and fails loudly on a non-zero exit, showing what the program said. */
export async function runOk(cmd: string, args: string[], opts: Parameters<typeof run>[2] = {}): Promise<RunResult> {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

const HINTS: Record<string, string> = {
  'apt-get': 'apt-get install apt',
  'apt-cache': 'apt-get install apt',
  'dpkg-deb': 'apt-get install dpkg',
  dpkg: 'apt-get install dpkg',
  gpgv: 'apt-get install gpgv',
  curl: 'apt-get install curl',
  zstd: 'apt-get install zstd',
  java: 'apt-get install openjdk-17-jre-headless',
  mvn: 'apt-get install maven libmaven-resources-plugin-java libmaven-compiler-plugin-java libsurefire-java libmaven-jar-plugin-java libmaven-install-plugin-java libmaven-deploy-plugin-java libmaven-dependency-plugin-java libmaven-source-plugin-java',
  npm: 'apt-get install npm, then npm install -g npm@11 (the tests drive npm 11)',
  ruby: 'apt-get install ruby',
  gem: 'apt-get install ruby',
  bundle: 'apt-get install bundler',
  cargo: 'rustup (cargo ≥ 1.74; Debian 12\'s apt-get install cargo is too old)',
  twine: 'apt-get install twine',
  pip: 'apt-get install python3-pip',
  '/usr/bin/python3': 'apt-get install python3 python3-build python3-setuptools python3-wheel',
};
const missingHint = (cmd: string) => (HINTS[cmd] ? `install it with: ${HINTS[cmd]}` : 'install it with apt-get');
