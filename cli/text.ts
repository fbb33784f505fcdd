const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** `512 B`, `12.3 KiB`, `1.5 GiB`: binary units, one decimal. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** Left-aligned columns separated by two spaces; the header row is upper-cased. */
export function renderTable(headers: string[], rows: string[][]): string {
  const all = [headers.map((h) => h.toUpperCase()), ...rows];
  const widths = headers.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  return all.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : (cell ?? '').padEnd(widths[c]))).join('  ')).join('\n') + '\n';
}

/** The date part of an ISO timestamp, or `-` when absent. */
export const shortDate = (iso: string | undefined): string => (iso ? iso.slice(0, 10) : '-');

/** Cuts a line to the terminal width so it never wraps (wrapping breaks redraws). */
export function truncate(line: string, width: number): string {
  const chars = [...line];
  if (chars.length <= width) return line;
  return width <= 1 ? chars.slice(0, width).join('') : chars.slice(0, width - 1).join('') + '…';
}
