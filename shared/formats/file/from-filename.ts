/**
 * Name and version read from a release file name such as `tool-1.2.3-linux-amd64.tar.gz` or
 * `tool_v2.0.0-rc.1_darwin_arm64.zip`: the name is everything before the first `-`/`_` + MAJOR.MINOR.PATCH.
 * A pre-release is taken only with a usual marker (alpha, beta, rc, ...), because `-linux-amd64` after a
 * version is a platform, not a pre-release; anything else needs an explicit --version.
 */
const RELEASE_FILE =
  /^(.+?)[-_]v?((?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)(?:-(?:alpha|beta|rc|pre|preview|dev|snapshot|nightly)(?:\.?\d+)*)?)(?=$|[-_.+])/i;

export function nameAndVersionFromFilename(filename: string): { name?: string; version?: string } {
  const m = RELEASE_FILE.exec(filename);
  return m ? { name: m[1], version: m[2] } : {};
}
