import { PackyardError } from '../domain/errors';

/** What AWS SDK v3 service exceptions carry; anything else thrown by a client has neither field. */
interface SdkErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

export const sdkErrorName = (e: unknown): string | undefined =>
  e instanceof Error ? e.name : ((e as SdkErrorShape | undefined)?.name ?? undefined);

export const sdkStatus = (e: unknown): number | undefined => (e as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;

/**
 * An SDK failure no adapter method expects, as a 5xx PackyardError: callers never see SDK error names, and
 * the original stays on `cause` for the logs. Throttling and service faults become 503 (worth a retry).
 */
export function unexpectedSdkError(service: string, operation: string, e: unknown): PackyardError {
  if (e instanceof PackyardError) return e;
  const name = sdkErrorName(e) ?? 'Error';
  const status = sdkStatus(e);
  const retryable = /Throttl|SlowDown|ServiceUnavailable|RequestLimitExceeded|ProvisionedThroughputExceeded/.test(name) || (status ?? 0) >= 500;
  const err = new PackyardError(
    retryable ? 503 : 500,
    retryable ? `${service}_UNAVAILABLE` : `${service}_ERROR`,
    `${operation} failed: ${name}${e instanceof Error && e.message ? `: ${e.message}` : ''}`,
  );
  err.cause = e;
  return err;
}
