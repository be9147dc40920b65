import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiConsumes, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AppError } from '../common/errors/app-error';
import { IssueTimeStamp } from './issue-time-stamp.usecase';
import { TsaCredentials } from './tsa-credentials.service';
import { TsaErrorCode } from './tsa.errors';

const QUERY_TYPE = 'application/timestamp-query';

/** RFC 3161 §3.4 time-stamp protocol over HTTP: DER in, DER out. */
@ApiTags('tsa')
@Controller('tsa')
export class TsaController {
  constructor(
    private readonly issue: IssueTimeStamp,
    private readonly credentials: TsaCredentials,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'RFC 3161 time-stamp request',
    description:
      'Body: DER TimeStampReq. Answer: DER TimeStampResp; refusals (badAlg, badRequest, badDataFormat, ' +
      'unacceptedPolicy, unacceptedExtension) are PKIStatusInfo rejections with HTTP 200; 503 with ' +
      'systemFailure when the TSA cannot record the token.',
  })
  @ApiConsumes(QUERY_TYPE)
  @ApiProduces('application/timestamp-reply')
  @ApiResponse({ status: 413, description: 'request larger than TSA_MAX_REQUEST_BYTES' })
  @ApiResponse({ status: 415, description: 'Content-Type is not application/timestamp-query' })
  async stamp(@Req() req: Request, @Res() res: Response): Promise<void> {
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== QUERY_TYPE)
      throw new AppError(TsaErrorCode.UNSUPPORTED_MEDIA_TYPE, 415, `Content-Type must be ${QUERY_TYPE}`);
    const body = await readBody(req, this.config.TSA_MAX_REQUEST_BYTES);
    const answer = await this.issue.respond(body, 'http');
    // Written with Node's own end(): express's send() would hash the body for an ETag and check
    // freshness, neither of which means anything for a no-store, one-off reply.
    res
      .status(answer.ok ? 200 : 503)
      .set('Content-Type', 'application/timestamp-reply')
      .set('Cache-Control', 'no-store')
      .set('Content-Length', String(answer.body.length))
      .end(answer.body);
  }

  @Get('certificate')
  @ApiOperation({ summary: 'The active TSA certificate and its chain (PEM)' })
  @ApiProduces('application/pem-certificate-chain')
  async certificate(@Res() res: Response): Promise<void> {
    const active = await this.credentials.active();
    if (!active) throw AppError.unavailable(TsaErrorCode.NOT_READY, 'the TSA has no certificate yet');
    res
      .status(200)
      .set('Content-Type', 'application/pem-certificate-chain')
      .send(active.entity.certificatePem + active.entity.chainPem);
  }
}

function tooLarge(limit: number): AppError {
  return new AppError(
    TsaErrorCode.REQUEST_TOO_LARGE,
    413,
    `a time-stamp request may have at most ${limit} bytes`,
  );
}

/** Reads the raw body with a hard limit (no body parser handles this media type). */
function readBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed)
        reject(
          AppError.badRequest(TsaErrorCode.BAD_REQUEST_BODY, `request body could not be read: ${e.message}`),
        );
    });
  });
}
