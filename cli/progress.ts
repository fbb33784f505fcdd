import type { ErrorBody, PackageView } from './api-types';
import type { CliOutput } from './io';
import { formatBytes, truncate } from './text';

/** Where one file of a push stands. */
export type FileState =
  | { phase: 'queued' }
  | { phase: 'hashing' }
  | { phase: 'uploading'; sent: number; total: number }
  | { phase: 'uploaded'; size: number }
  | { phase: 'processing' }
  | { phase: 'accepted'; pkg: PackageView; distribution: string }
  | { phase: 'rejected'; error: ErrorBody }
  | { phase: 'failed'; error: ErrorBody };

export interface PushReporter {
  update(index: number, state: FileState): void;
  /** Called once when every file is done. */
  finish(): void;
}

/** `hello 1.0-1 amd64 -> debian/bookworm` (no arch for formats without one). */
export function packageLine(pkg: PackageView, distribution: string): string {
  return [pkg.name, pkg.version, pkg.arch].filter(Boolean).join(' ') + ` -> ${pkg.distribution ?? distribution}`;
}

const reason = (e: ErrorBody): string => `${e.code}: ${e.message}`;

/** The line a state change prints in CI logs; undefined for changes not worth a line. */
export function plainLine(name: string, state: FileState): string | undefined {
  switch (state.phase) {
    case 'uploaded':
      return `uploaded ${name} (${formatBytes(state.size)})`;
    case 'accepted':
      return `accepted ${packageLine(state.pkg, state.distribution)}`;
    case 'rejected':
      return `rejected ${name}: ${reason(state.error)}`;
    case 'failed':
      return `failed ${name}: ${reason(state.error)}`;
    default:
      return undefined;
  }
}

export function progressBar(sent: number, total: number, width: number): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, sent / total)) : 1;
  const full = Math.round(ratio * width);
  return '[' + '█'.repeat(full) + '░'.repeat(width - full) + ']';
}

const BAR_WIDTH = 24;

/** One file's line in the terminal view: its name, then a bar or its state. */
export function ttyLine(name: string, state: FileState, nameWidth: number): string {
  const label = name.length > nameWidth ? truncate(name, nameWidth) : name.padEnd(nameWidth);
  switch (state.phase) {
    case 'queued':
      return `${label}  waiting`;
    case 'hashing':
      return `${label}  hashing…`;
    case 'uploading': {
      const pct = state.total > 0 ? Math.floor((Math.max(0, state.sent) / state.total) * 100) : 100;
      return `${label}  ${progressBar(state.sent, state.total, BAR_WIDTH)} ${String(Math.min(pct, 100)).padStart(3)}%  ${formatBytes(Math.max(0, state.sent))} / ${formatBytes(state.total)}`;
    }
    case 'uploaded':
      return `${label}  uploaded ${formatBytes(state.size)}`;
    case 'processing':
      return `${label}  processing…`;
    case 'accepted':
      return `${label}  accepted ${packageLine(state.pkg, state.distribution)}`;
    case 'rejected':
      return `${label}  rejected: ${reason(state.error)}`;
    case 'failed':
      return `${label}  failed: ${reason(state.error)}`;
  }
}

/** CI logs: one line per finished step, nothing that rewrites itself. */
export class PlainReporter implements PushReporter {
  constructor(
    private readonly out: CliOutput,
    private readonly names: string[],
  ) {}

  update(index: number, state: FileState): void {
    const line = plainLine(this.names[index], state);
    if (line) this.out.write(line + '\n');
  }

  finish(): void {}
}

/** A terminal: one line per file, redrawn in place; byte counts redraw at most every `intervalMs`. */
export class TtyReporter implements PushReporter {
  private readonly states: FileState[];
  private readonly nameWidth: number;
  private drawn = 0;
  private lastDraw = -Infinity;

  constructor(
    private readonly out: CliOutput,
    private readonly names: string[],
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {
    this.states = names.map((): FileState => ({ phase: 'queued' }));
    this.nameWidth = Math.min(40, Math.max(...names.map((n) => n.length), 1));
  }

  update(index: number, state: FileState): void {
    const frequent = state.phase === 'uploading' && this.states[index].phase === 'uploading';
    this.states[index] = state;
    if (!frequent || this.now() - this.lastDraw >= this.intervalMs) this.draw();
  }

  finish(): void {
    this.draw();
  }

  private draw(): void {
    const width = Math.max(20, (this.out.columns || 80) - 1);
    // Move up over the previous frame, then rewrite every line in place.
    let frame = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (let i = 0; i < this.states.length; i++) {
      frame += '\r\x1b[2K' + truncate(ttyLine(this.names[i], this.states[i], this.nameWidth), width) + '\n';
    }
    this.drawn = this.states.length;
    this.lastDraw = this.now();
    this.out.write(frame);
  }
}
