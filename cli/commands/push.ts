import path from 'node:path';
import { ApiClient, seg } from '../api-client';
import type { ErrorBody, PackageView, UploadRequest, UploadTicket } from '../api-types';
import { expectPositionals, parseCommandArgs, parseIntOption, parsePushTarget } from '../args';
import { printOut, type Command } from '../command';
import { resolveConfig } from '../config';
import { CliError, UsageError, errorCode, errorMessage } from '../errors';
import { digestFile } from '../file-digest';
import { expandFileArgs } from '../glob';
import { printJson, type CliIo } from '../io';
import { mapPool } from '../pool';
import { PlainReporter, TtyReporter, type FileState, type PushReporter } from '../progress';
import { DEFAULT_POLL, waitForVerdict, type PollOptions } from '../upload-poll';
import { DEFAULT_TRANSFER, putMultipart, putSingle, type TransferOptions } from '../upload-transfer';

/** One element of `--json` output. */
export interface PushResult {
  file: string;
  uploadId?: string;
  /** `pending` only with --no-wait; `failed` when the file never reached a verdict (network, API error, timeout). */
  status: 'accepted' | 'rejected' | 'pending' | 'failed';
  package?: PackageView;
  error?: ErrorBody;
}

export interface PushJob {
  client: ApiClient;
  owner: string;
  repo: string;
  distribution: string;
  /** Package name and version for generic files (`--name`, `--version`). */
  declared?: { name?: string; version?: string };
  wait: boolean;
  transfer?: TransferOptions;
  poll?: PollOptions;
}

const USAGE =
  'packyard push <owner>/<repo>/<distro>/<release> | <owner>/<repo>/<files|npm|pypi|maven|gems|cargo|helm|nuget> <file|glob>... [--name NAME] [--version VERSION] [--json] [--concurrency N] [--no-wait]';

/** Hash, request a presigned target, send the bytes, then wait for the server's verdict. Never throws. */
export async function pushFile(job: PushJob, file: string, absPath: string, report: (s: FileState) => void): Promise<PushResult> {
  let uploadId: string | undefined;
  try {
    report({ phase: 'hashing' });
    const { size, sha256 } = await digestFile(absPath);
    const uploadsPath = `/api/v1/repos/${seg(job.owner)}/${seg(job.repo)}/uploads`;
    const filename = path.basename(file);
    const request: UploadRequest = { filename, size, sha256, distribution: job.distribution, ...job.declared };
    const ticket = await job.client.post<UploadTicket>(uploadsPath, request);
    if (!ticket || typeof ticket.uploadId !== 'string') throw new CliError('BAD_RESPONSE', 'the upload request was answered without an uploadId');
    uploadId = ticket.uploadId;
    const uploadPath = `${uploadsPath}/${seg(uploadId)}`;

    let sent = 0;
    report({ phase: 'uploading', sent, total: size });
    const onBytes = (delta: number) => {
      sent += delta;
      report({ phase: 'uploading', sent, total: size });
    };
    if ('multipart' in ticket && ticket.multipart) {
      await putMultipart(job.client, uploadPath, ticket, absPath, size, onBytes, job.transfer);
    } else if ('url' in ticket && typeof ticket.url === 'string') {
      await putSingle(ticket, absPath, size, onBytes, job.transfer);
    } else {
      throw new CliError('BAD_RESPONSE', 'the upload ticket has neither a url nor multipart parts');
    }
    report({ phase: 'uploaded', size });
    if (!job.wait) return { file, uploadId, status: 'pending' };

    report({ phase: 'processing' });
    const verdict = await waitForVerdict(job.client, uploadPath, job.poll);
    if (verdict.status === 'accepted') {
      const pkg = verdict.package ?? { name: filename, version: '' };
      report({ phase: 'accepted', pkg, distribution: verdict.distribution ?? job.distribution });
      return { file, uploadId, status: 'accepted', package: verdict.package };
    }
    const error = { code: verdict.error?.code ?? 'REJECTED', message: verdict.error?.message ?? 'the server rejected the file without a reason' };
    report({ phase: 'rejected', error });
    return { file, uploadId, status: 'rejected', error };
  } catch (e) {
    const error = { code: errorCode(e), message: errorMessage(e) };
    report({ phase: 'failed', error });
    return { file, uploadId, status: 'failed', error };
  }
}

/** A bar per file on a terminal; plain lines in CI (on stderr under --json, so stdout stays pure JSON). */
export function createReporter(io: CliIo, names: string[], json: boolean): PushReporter {
  if (io.stderr.isTTY) return new TtyReporter(io.stderr, names);
  return new PlainReporter(json ? io.stderr : io.stdout, names);
}

export const pushCommand: Command = {
  name: 'push',
  summary: 'upload package files to a repository distribution',
  help: `Usage: ${USAGE}

Uploads each file (shell globs, or quoted patterns with * and ?) to the distribution, e.g.
  packyard push acme/tools/debian/bookworm ./dist/*.deb
and waits until the registry has accepted or rejected it.

Generic files go to <owner>/<repo>/files under a name and a semantic version, given with --name and
--version or read from file names such as tool-1.2.3-linux-amd64.tar.gz, e.g.
  packyard push acme/tools/files ./tool-1.2.3-linux-amd64.tar.gz --name tool --version 1.2.3
They are served at /<owner>/<repo>/files/<name>/<version>/<file>, listed in /<owner>/<repo>/files/<name>/index.json.

Language packages go to their registry: npm tarballs to <owner>/<repo>/npm, wheels and sdists to .../pypi,
Maven files to .../maven (a .pom or a jar carrying META-INF/maven/.../pom.properties; otherwise give
--name groupId:artifactId and --version), .gem files to .../gems, .crate files to .../cargo, charts to .../helm
and .nupkg files to .../nuget. This is also the way to publish files over the ~6 MB limit of the native
clients' own publish commands (npm publish, twine upload, mvn deploy...).

Options:
  --name NAME       package name of generic files (default: read from the file name), or a Maven groupId:artifactId
  --version VERSION semantic version of generic files (default: read from the file name), or a Maven version
  --concurrency N   files uploaded at the same time (default 4)
  --no-wait         return once the bytes are uploaded, without waiting for the verdict
  --json            print an array of {file, uploadId, status, package?, error?} on stdout
  --url URL         registry URL (default $PACKYARD_URL or http://127.0.0.1:8080)
  --token TOKEN     API token (default $PACKYARD_TOKEN)

Exit status: 0 when every file was accepted, 1 when any was rejected or failed, 2 on a usage error.
`,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('push', args, {
      concurrency: { type: 'string' },
      'no-wait': { type: 'boolean' },
      name: { type: 'string' },
      version: { type: 'string' },
    });
    if (values.help) return printOut(io, pushCommand.help);
    expectPositionals('push', positionals, 2, Infinity, USAGE);
    const target = parsePushTarget(positionals[0]);
    if ((values.name !== undefined || values.version !== undefined) && target.distribution !== 'files' && target.distribution !== 'maven') {
      throw new UsageError('--name and --version apply to generic files and Maven files only (targets <owner>/<repo>/files and <owner>/<repo>/maven)', 'USAGE', 'push');
    }
    const concurrency = parseIntOption('push', 'concurrency', values.concurrency, 4, 1, 64);
    const config = resolveConfig(values, io.env);
    const files = await expandFileArgs(positionals.slice(1), io.cwd);

    const job: PushJob = {
      client: new ApiClient(config),
      owner: target.owner,
      repo: target.repo,
      distribution: target.distribution,
      ...(values.name !== undefined || values.version !== undefined ? { declared: { name: values.name, version: values.version } } : {}),
      wait: !values['no-wait'],
      transfer: DEFAULT_TRANSFER,
      poll: DEFAULT_POLL,
    };
    const reporter = createReporter(io, files.map((f) => path.basename(f)), values.json === true);
    const results = await mapPool(files, concurrency, (file, i) =>
      pushFile(job, file, path.resolve(io.cwd, file), (state) => reporter.update(i, state)),
    );
    reporter.finish();
    if (values.json) printJson(io.stdout, results);
    return results.every((r) => r.status === 'accepted' || r.status === 'pending') ? 0 : 1;
  },
};
