import type { NextFunction, Request, Response } from 'express';
import { AppError, CommonErrorCode } from '../errors/app-error';

/**
 * body-parser reports problems as plain errors with a `type`; Nest would turn them into a generic
 * 400. Map them to stable codes before they reach the exception filter.
 */
export function bodyParserErrors(err: unknown, _req: Request, _res: Response, next: NextFunction): void {
  const e = err as { type?: string; status?: number };
  switch (e?.type ?? '') {
    case 'entity.parse.failed':
      return next(
        AppError.badRequest(CommonErrorCode.MALFORMED_JSON, 'リクエスト本文が正しいJSONではありません。'),
      );
    case 'entity.too.large':
      return next(new AppError(CommonErrorCode.PAYLOAD_TOO_LARGE, 413, 'リクエスト本文が大きすぎます。'));
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return next(
        new AppError(CommonErrorCode.UNSUPPORTED_MEDIA_TYPE, 415, '対応していない文字コードです。'),
      );
    default:
      return next(err);
  }
}
