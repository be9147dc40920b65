import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer, { MulterError } from 'multer';
import { Observable } from 'rxjs';
import { AppError, CommonErrorCode } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ArchiveErrorCode } from './archive.errors';

/**
 * Reads the uploaded PDF (`file`) into memory, refusing it while it arrives once it passes
 * ARCHIVE_VERIFY_MAX_BYTES. Runs after the auth guard, so anonymous uploads are never read.
 */
@Injectable()
export class VerifyUploadInterceptor implements NestInterceptor {
  private readonly upload: ReturnType<ReturnType<typeof multer>['single']>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.upload = multer({
      storage: multer.memoryStorage(),
      limits: { fileSize: config.ARCHIVE_VERIFY_MAX_BYTES, files: 1, fields: 5, fieldSize: 4096 },
    }).single('file');
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    await new Promise<void>((resolve, reject) => {
      this.upload(req, res, (err: unknown) => {
        if (!err) return resolve();
        if (err instanceof MulterError && err.code === 'LIMIT_FILE_SIZE')
          return reject(
            new AppError(
              CommonErrorCode.PAYLOAD_TOO_LARGE,
              413,
              `ファイルが大きすぎます（上限 ${this.config.ARCHIVE_VERIFY_MAX_BYTES} バイト）。`,
              { maxBytes: this.config.ARCHIVE_VERIFY_MAX_BYTES },
            ),
          );
        reject(
          AppError.badRequest(ArchiveErrorCode.FILE_REQUIRED, 'アップロードの形式が正しくありません。', {
            fields: [
              { field: 'file', problems: [err instanceof Error ? err.message : 'malformed multipart body'] },
            ],
          }),
        );
      });
    });
    return next.handle();
  }
}
