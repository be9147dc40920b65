/**
 * Error codes of the PAdES engine. Stable: clients and the contract workflow depend on them.
 * The PDF layer's own codes (PDF_MALFORMED, PDF_ENCRYPTED, PDF_SIGNING_FORBIDDEN, PDF_TOO_LARGE,
 * SIGNATURE_TOO_LARGE) are passed through unchanged by `toAppError`.
 */
export enum PadesErrorCode {
  /** The PKCS#12 file could not be read or the password is wrong. */
  PKCS12_INVALID = 'PKCS12_INVALID',
  /** The key and certificate do not belong together, or the key type is not supported. */
  SIGNING_KEY_INVALID = 'SIGNING_KEY_INVALID',
  /** The signing certificate is not valid at the signing time (expired, not yet valid). */
  SIGNING_CERTIFICATE_INVALID = 'SIGNING_CERTIFICATE_INVALID',
  /** The time-stamping authority could not be reached or answered badly; nothing was written. */
  TIMESTAMP_UNAVAILABLE = 'TIMESTAMP_UNAVAILABLE',
  /** The time-stamping authority answered, but the token failed a check. */
  TIMESTAMP_REJECTED = 'TIMESTAMP_REJECTED',
  /** Validation data (OCSP/CRL) for a certificate of the chain could not be obtained. */
  VALIDATION_DATA_UNAVAILABLE = 'VALIDATION_DATA_UNAVAILABLE',
  /** The CMS did not fit its placeholder even after resizing (should never happen). */
  SIGNATURE_SIZING_FAILED = 'SIGNATURE_SIZING_FAILED',
  /** A request to the engine was malformed (unknown level, bad visible rectangle, bad time). */
  INVALID_REQUEST = 'INVALID_REQUEST',
  /** The document holds no signature or timestamp to extend. */
  NOTHING_TO_EXTEND = 'NOTHING_TO_EXTEND',
}

/** Raised by domain code; the Nest/CLI layer maps it to AppError with the same code. */
export class PadesError extends Error {
  constructor(
    readonly code: PadesErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PadesError';
  }
}
