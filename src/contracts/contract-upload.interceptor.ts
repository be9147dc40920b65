import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer, { MulterError } from 'multer';
import { Observable } from 'rxjs';
import { AppError, CommonErrorCode } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PdfErrorCode } from '../pades/pdf/pdf-errors';

/**
 * Reads the multipart upload into memory, stopping at UPLOAD_LIMIT_BYTES (so an oversized file is
 * refused while it arrives, not after). Runs after the auth guard: anonymous uploads are refused
 * before a byte is read.
 */
@Injectable()
export class ContractUploadInterceptor implements NestInterceptor {
  private readonly upload: ReturnType<ReturnType<typeof multer>['single']>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.upload = multer({
      storage: multer.memoryStorage(),
      limits: { fileSize: config.UPLOAD_LIMIT_BYTES, files: 1, fields: 40, fieldSize: 64 * 1024 },
    }).single('file');
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    await new Promise<void>((resolve, reject) => {
      this.upload(req, res, (err: unknown) => {
        if (!err) return resolve();
        if (err instanceof MulterError && err.code === 'LIMIT_FILE_SIZE') {
          return reject(
            new AppError(
              PdfErrorCode.PDF_TOO_LARGE,
              413,
              `PDF ファイルが大きすぎます（上限 ${this.config.UPLOAD_LIMIT_BYTES} バイト）。`,
              { maxBytes: this.config.UPLOAD_LIMIT_BYTES },
            ),
          );
        }
        const field = err instanceof MulterError ? (err.field ?? err.code) : 'file';
        reject(
          AppError.badRequest(CommonErrorCode.VALIDATION_FAILED, 'アップロードの形式が正しくありません。', {
            fields: [{ field, problems: [err instanceof Error ? err.message : 'malformed multipart body'] }],
          }),
        );
      });
    });
    return next.handle();
  }
}
