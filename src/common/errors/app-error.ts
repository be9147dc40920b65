/**
 * The one exception type of the service. Each module declares its codes as a SCREAMING_SNAKE
 * string enum (clients depend on them, so they never change meaning) and throws AppError with the
 * HTTP status that fits; HttpErrorFilter turns it into `{ error: { code, message, details } }`.
 * A CLI prints the same code and message and exits non-zero.
 */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }

  static badRequest(code: string, message: string, details?: unknown) {
    return new AppError(code, 400, message, details);
  }
  static unauthorized(code: string, message: string, details?: unknown) {
    return new AppError(code, 401, message, details);
  }
  static forbidden(code: string, message: string, details?: unknown) {
    return new AppError(code, 403, message, details);
  }
  static notFound(code: string, message: string, details?: unknown) {
    return new AppError(code, 404, message, details);
  }
  static conflict(code: string, message: string, details?: unknown) {
    return new AppError(code, 409, message, details);
  }
  static unprocessable(code: string, message: string, details?: unknown) {
    return new AppError(code, 422, message, details);
  }
  static unavailable(code: string, message: string, details?: unknown) {
    return new AppError(code, 503, message, details);
  }
}

/** Codes shared by every module (request shape, routing, limits). */
export enum CommonErrorCode {
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  NOT_FOUND = 'NOT_FOUND',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  CSRF_FAILED = 'CSRF_FAILED',
  RATE_LIMITED = 'RATE_LIMITED',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  MALFORMED_JSON = 'MALFORMED_JSON',
  CONFLICT = 'CONFLICT',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
}
