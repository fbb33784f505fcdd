/** Error codes of generic files; clients and tests match on these, never on messages. */
export const FileCodes = {
  MISSING_FILENAME: 'FILE_MISSING_FILENAME',
  INVALID_FILENAME: 'FILE_INVALID_FILENAME',
  MISSING_NAME: 'FILE_MISSING_NAME',
  INVALID_NAME: 'FILE_INVALID_NAME',
  MISSING_VERSION: 'FILE_MISSING_VERSION',
  INVALID_VERSION: 'FILE_INVALID_VERSION',
} as const;
