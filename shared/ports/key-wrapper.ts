/** Envelope encryption: KMS in AWS, a file-backed AES-256-GCM master key locally. */
export interface KeyWrapper {
  /** A fresh 256-bit data key, in plaintext (keep it in memory only) and wrapped. */
  generateDataKey(context: Record<string, string>): Promise<{ plaintext: Uint8Array; wrapped: Uint8Array }>;
  /** The plaintext data key; the same context must be given as when it was generated. */
  unwrap(wrapped: Uint8Array, context: Record<string, string>): Promise<Uint8Array>;
}
