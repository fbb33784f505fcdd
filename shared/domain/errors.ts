/**
 * Every failure a client can see is a PackyardError: an HTTP status, a stable code that clients and tests
 * match on, and a human message. Anything else that escapes a handler becomes a generic 500.
 */
export class PackyardError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'PackyardError';
  }

  /** 5xx messages are not exposed: they may carry internals. */
  get expose(): boolean {
    return this.status < 500;
  }

  toJSON(): { code: string; message: string; details?: Record<string, unknown> } {
    return this.details ? { code: this.code, message: this.message, details: this.details } : { code: this.code, message: this.message };
  }
}

export const isPackyardError = (e: unknown): e is PackyardError => e instanceof PackyardError;

export const badRequest = (code: string, message: string, details?: Record<string, unknown>) =>
  new PackyardError(400, code, message, details);
export const unauthorized = (message = 'authentication required') => new PackyardError(401, 'UNAUTHORIZED', message);
export const forbidden = (message = 'the token does not allow this') => new PackyardError(403, 'FORBIDDEN', message);
export const notFound = (code: string, message: string) => new PackyardError(404, code, message);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new PackyardError(409, code, message, details);
export const tooLarge = (code: string, message: string) => new PackyardError(413, code, message);
export const unsupported = (code: string, message: string) => new PackyardError(415, code, message);
export const internal = (code: string, message: string) => new PackyardError(500, code, message);

/** Codes shared across formats; each format adds its own with its prefix (DEB_..., RPM_...). */
export const Codes = {
  INVALID_REQUEST: 'INVALID_REQUEST',
  INVALID_REPO_NAME: 'INVALID_REPO_NAME',
  INVALID_DISTRIBUTION: 'INVALID_DISTRIBUTION',
  REPO_NOT_FOUND: 'REPO_NOT_FOUND',
  REPO_EXISTS: 'REPO_EXISTS',
  REPO_NOT_EMPTY: 'REPO_NOT_EMPTY',
  PACKAGE_NOT_FOUND: 'PACKAGE_NOT_FOUND',
  PACKAGE_EXISTS: 'PACKAGE_EXISTS',
  UPLOAD_NOT_FOUND: 'UPLOAD_NOT_FOUND',
  UPLOAD_NOT_RECEIVED: 'UPLOAD_NOT_RECEIVED',
  UNKNOWN_FORMAT: 'UNKNOWN_FORMAT',
  FORMAT_MISMATCH: 'FORMAT_MISMATCH',
  SIZE_MISMATCH: 'SIZE_MISMATCH',
  CHECKSUM_MISMATCH: 'CHECKSUM_MISMATCH',
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  EMPTY_FILE: 'EMPTY_FILE',
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  ROUTE_NOT_FOUND: 'ROUTE_NOT_FOUND',
  TOKEN_NOT_FOUND: 'TOKEN_NOT_FOUND',
  INVALID_SIGNATURE: 'INVALID_SIGNATURE',
} as const;
