/** Error codes of the RPM format; clients and tests match on these, never on messages. */
export const RpmCodes = {
  /** The file does not start with the rpm lead magic. */
  NOT_RPM: 'RPM_NOT_RPM',
  /** The file ends inside the lead, a header, or before the payload it declares. */
  TRUNCATED: 'RPM_TRUNCATED',
  /** The lead is malformed or not a version this registry reads. */
  BAD_LEAD: 'RPM_BAD_LEAD',
  /** A header's structure is inconsistent (magic, index entries, types, offsets, counts). */
  BAD_HEADER: 'RPM_BAD_HEADER',
  /** A header declares more entries or data than rpm itself accepts. */
  HEADER_TOO_LARGE: 'RPM_HEADER_TOO_LARGE',
  /** A digest or size recorded in the package does not match its bytes. */
  DIGEST_MISMATCH: 'RPM_DIGEST_MISMATCH',
  /** The payload is not a cpio archive compressed with a method rpm clients read. */
  UNSUPPORTED_PAYLOAD: 'RPM_UNSUPPORTED_PAYLOAD',
  /** A tag every package needs (name, version, release, arch...) is missing. */
  MISSING_TAG: 'RPM_MISSING_TAG',
  INVALID_NAME: 'RPM_INVALID_NAME',
  /** Epoch, version or release is not valid rpm syntax. */
  INVALID_EVR: 'RPM_INVALID_EVR',
  INVALID_ARCH: 'RPM_INVALID_ARCH',
  /** A dependency entry is malformed (parallel arrays of different lengths, bad version). */
  INVALID_DEPENDENCY: 'RPM_INVALID_DEPENDENCY',
  /** A file name in the package is relative, holds `.`/`..` components or control characters. */
  UNSAFE_PATH: 'RPM_UNSAFE_PATH',
  /** The index entries rendered for the package would not fit a metadata record. */
  METADATA_TOO_LARGE: 'RPM_METADATA_TOO_LARGE',
} as const;
