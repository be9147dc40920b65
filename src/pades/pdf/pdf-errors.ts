/**
 * Errors of the PDF layer. Pure domain code: the PAdES use cases map these codes to AppError
 * (HTTP 4xx) and the CLI prints them. Codes are stable: clients depend on them.
 */
export enum PdfErrorCode {
  /** Not a PDF, truncated, or cross-reference data that does not hold together (never repaired). */
  PDF_MALFORMED = 'PDF_MALFORMED',
  /** The file has an /Encrypt dictionary (user or owner password): we never sign encrypted files. */
  PDF_ENCRYPTED = 'PDF_ENCRYPTED',
  /** A certification signature (DocMDP /P 1) or another rule forbids adding this signature. */
  PDF_SIGNING_FORBIDDEN = 'PDF_SIGNING_FORBIDDEN',
  /** The file is larger than the configured limit. */
  PDF_TOO_LARGE = 'PDF_TOO_LARGE',
  /** The DER does not fit into the reserved /Contents placeholder (caller re-prepares with a bigger size). */
  SIGNATURE_TOO_LARGE = 'SIGNATURE_TOO_LARGE',
  /** The requested signature field cannot be placed: name empty/with '.'/taken, page missing, bad stamp rectangle. */
  PDF_SIGNATURE_FIELD_INVALID = 'PDF_SIGNATURE_FIELD_INVALID',
}

export class PdfError extends Error {
  constructor(
    readonly code: PdfErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PdfError';
  }
}

export function malformed(message: string, details?: unknown): PdfError {
  return new PdfError(PdfErrorCode.PDF_MALFORMED, message, details);
}
