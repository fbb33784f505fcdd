/**
 * apk-tools' version grammar (src/version.c): numbers separated by dots, an optional letter, any number of
 * `_suffix[N]` (alpha, beta, pre, rc, cvs, svn, git, hg, p), an optional `~hexcommit`, an optional `-rN`.
 */
const APK_VERSION = /^[0-9]+(\.[0-9]+)*[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]*)*(~[0-9a-f]+)?(-r[0-9]+)?$/;

export const MAX_VERSION_LENGTH = 64;

/** Undefined when valid, else why not. */
export function apkVersionProblem(version: string): string | undefined {
  if (version.length > MAX_VERSION_LENGTH) return `longer than ${MAX_VERSION_LENGTH} characters`;
  if (!APK_VERSION.test(version)) {
    return 'apk versions look like 1.2.3, 1.2.3a, 1.2.3_rc1, 1.2.3_git20240101 or 1.2.3~abc123, optionally followed by -rN';
  }
  return undefined;
}
