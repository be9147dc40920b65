import { AppError } from '../common/errors/app-error';

/** Error codes of the archive module (stable: clients and scripts depend on them). */
export enum ArchiveErrorCode {
  ORIGINAL_NOT_FOUND = 'ARCHIVE_ORIGINAL_NOT_FOUND',
  ORIGINAL_OBJECT_MISSING = 'ARCHIVE_ORIGINAL_OBJECT_MISSING',
  ORIGINAL_ALREADY_ARCHIVED = 'ARCHIVE_ORIGINAL_ALREADY_ARCHIVED',
  ORIGINAL_NOT_SIGNED = 'ARCHIVE_ORIGINAL_NOT_SIGNED',
  INVALID_SEARCH = 'ARCHIVE_INVALID_SEARCH',
  INVALID_REQUEST = 'ARCHIVE_INVALID_REQUEST',
  FILE_REQUIRED = 'ARCHIVE_FILE_REQUIRED',
  NOT_A_PDF = 'ARCHIVE_NOT_A_PDF',
  /** A stored version's bytes no longer match its SHA-256. */
  INTEGRITY_FAILURE = 'ARCHIVE_INTEGRITY_FAILURE',
  /** The new version is not the previous one with updates appended. */
  NOT_AN_EXTENSION = 'ARCHIVE_NOT_AN_EXTENSION',
  /** The renewed file did not validate (TOTAL-PASSED) and was not committed. */
  RENEWAL_VALIDATION_FAILED = 'ARCHIVE_RENEWAL_VALIDATION_FAILED',
  /** Another worker moved the original on first (optimistic check). */
  CONCURRENT_RENEWAL = 'ARCHIVE_CONCURRENT_RENEWAL',
  TSA_UNAVAILABLE = 'ARCHIVE_TSA_UNAVAILABLE',
}

export class ArchiveError extends AppError {}
