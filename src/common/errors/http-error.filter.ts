import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import { AppError, CommonErrorCode } from './app-error';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; errorId?: string };
}

const statusCodes: Record<number, CommonErrorCode> = {
  400: CommonErrorCode.VALIDATION_FAILED,
  401: CommonErrorCode.UNAUTHENTICATED,
  403: CommonErrorCode.FORBIDDEN,
  404: CommonErrorCode.NOT_FOUND,
  405: CommonErrorCode.METHOD_NOT_ALLOWED,
  409: CommonErrorCode.CONFLICT,
  413: CommonErrorCode.PAYLOAD_TOO_LARGE,
  415: CommonErrorCode.UNSUPPORTED_MEDIA_TYPE,
  429: CommonErrorCode.RATE_LIMITED,
  503: CommonErrorCode.SERVICE_UNAVAILABLE,
};

/** Maps every error to the one HTTP error shape; unknown errors become 500 with a logged errorId. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpError');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request>();
    const { status, body } = toErrorBody(exception);
    if (status >= 500) {
      this.logger.error(
        { errorId: body.error.errorId, path: req.path, method: req.method, err: exception },
        'unhandled error',
      );
    }
    if (res.headersSent) return;
    res.status(status).json(body);
  }
}

export function toErrorBody(exception: unknown): { status: number; body: ErrorBody } {
  if (exception instanceof AppError) {
    return {
      status: exception.status,
      body: { error: { code: exception.code, message: exception.message, details: exception.details } },
    };
  }
  if (exception instanceof ThrottlerException) {
    return {
      status: 429,
      body: {
        error: {
          code: CommonErrorCode.RATE_LIMITED,
          message: 'リクエストが多すぎます。しばらくしてから再度お試しください。',
        },
      },
    };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    const message = messageOf(response) ?? exception.message;
    if (status >= 500) return internal();
    const details =
      typeof response === 'object' && response && 'details' in response ? response.details : undefined;
    return {
      status,
      body: { error: { code: statusCodes[status] ?? `HTTP_${status}`, message, details } },
    };
  }
  return internal();
}

function internal(): { status: number; body: ErrorBody } {
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    body: {
      error: {
        code: CommonErrorCode.INTERNAL_ERROR,
        message: 'An unexpected error occurred. Quote the errorId when you contact support.',
        errorId: randomUUID(),
      },
    },
  };
}

function messageOf(response: string | object): string | undefined {
  if (typeof response === 'string') return response;
  const m = (response as { message?: unknown }).message;
  if (typeof m === 'string') return m;
  if (Array.isArray(m)) return m.join('; ');
  return undefined;
}
