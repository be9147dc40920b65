import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppError, CommonErrorCode } from '../common/errors/app-error';
import { CurrentPrincipal, RequireStaff } from '../identity/auth/auth.decorators';
import { actorOf, Principal, StaffRole } from '../identity/auth/principal';
import { AuditLog } from '../platform/audit/audit-log';
import { ArchiveError, ArchiveErrorCode } from './archive.errors';
import { ArchiveQueries } from './archive-queries.service';
import { ArchiveVerification, VerificationResult } from './archive-verification.service';
import { parseSearchCriteria } from './domain/search-criteria';
import { renderVerificationReport } from './domain/report-html';
import { RestampOriginals } from './restamp-originals.usecase';
import { VerifyUploadInterceptor } from './verify-upload.interceptor';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkId(id: string): string {
  if (!UUID.test(id))
    throw new ArchiveError(ArchiveErrorCode.ORIGINAL_NOT_FOUND, 404, '指定された原本は保管されていません。');
  return id.toLowerCase();
}

function sendReport(res: Response, result: VerificationResult, format: unknown): void {
  if (format === 'html') {
    res.type('text/html; charset=utf-8').send(renderVerificationReport(result));
    return;
  }
  if (format !== undefined && format !== 'json')
    throw AppError.badRequest(CommonErrorCode.VALIDATION_FAILED, 'format は json または html です。', {
      fields: [{ field: 'format', problems: ['must be json or html'] }],
    });
  res.json(result);
}

/**
 * The archive's JSON API: search (電子帳簿保存法; staff and auditors), originals with their
 * version chain, download and validation report (audited), re-stamping runs (admin) and
 * verification of any uploaded PDF (POST /api/verify).
 */
@ApiTags('archive')
@Controller('api')
export class ArchiveController {
  constructor(
    private readonly queries: ArchiveQueries,
    private readonly verification: ArchiveVerification,
    private readonly restamp: RestampOriginals,
    private readonly audit: AuditLog,
  ) {}

  @Get('archive')
  @RequireStaff()
  async search(
    @Query() q: Record<string, unknown>,
    @CurrentPrincipal() p: Principal,
    @Res() res: Response,
  ): Promise<void> {
    const parsed = parseSearchCriteria(q);
    if (!parsed.ok)
      throw new ArchiveError(ArchiveErrorCode.INVALID_SEARCH, 400, '検索条件が正しくありません。', {
        fields: parsed.problems,
      });
    const c = parsed.criteria;
    if (c.format === 'csv') {
      const { csv, rows } = await this.queries.searchCsv(c);
      await this.audit.append({
        actor: actorOf(p),
        action: 'archive.search.exported',
        details: { criteria: { ...c, format: undefined }, rows },
      });
      res
        .type('text/csv; charset=utf-8')
        .set('Content-Disposition', 'attachment; filename="archive-originals.csv"')
        .send(csv);
      return;
    }
    res.json(await this.queries.search(c));
  }

  @Get('archive/runs')
  @RequireStaff(StaffRole.ADMIN, StaffRole.AUDITOR)
  async runs(@Query('limit') limit?: string) {
    return {
      due: await this.restamp.countDue(),
      runs: await this.queries.runs(limit ? Number(limit) || 50 : 50),
    };
  }

  @Post('archive/restamp')
  @RequireStaff(StaffRole.ADMIN)
  @HttpCode(202)
  async startRestamp(
    @Body() body: { mode?: unknown; limit?: unknown; wait?: unknown } | undefined,
    @CurrentPrincipal() p: Principal,
  ) {
    const mode = body?.mode ?? 'due';
    const problems: { field: string; problems: string[] }[] = [];
    if (mode !== 'due' && mode !== 'all') problems.push({ field: 'mode', problems: ['must be due or all'] });
    const limit = body?.limit;
    if (limit !== undefined && (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1))
      problems.push({ field: 'limit', problems: ['must be a positive integer'] });
    if (body?.wait !== undefined && typeof body.wait !== 'boolean')
      problems.push({ field: 'wait', problems: ['must be true or false'] });
    if (problems.length)
      throw AppError.badRequest(
        CommonErrorCode.VALIDATION_FAILED,
        '再タイムスタンプの指定が正しくありません。',
        {
          fields: problems,
        },
      );
    let started!: (runId: string) => void;
    const runId = new Promise<string>((resolve) => (started = resolve));
    const run = this.restamp.execute({
      mode: mode as 'due' | 'all',
      limit: limit as number | undefined,
      trigger: 'api',
      actor: actorOf(p),
      onProgress: (pr) => started(pr.runId),
    });
    if (body?.wait === true) return run;
    // The run goes on in the background; the admin page follows it by its run record.
    run.catch(() => undefined);
    return { runId: await Promise.race([runId, run.then((r) => r.runId)]) };
  }

  @Get('archive/:id')
  @RequireStaff()
  detail(@Param('id') id: string) {
    return this.queries.detail(checkId(id));
  }

  @Get('archive/:id/original')
  @RequireStaff()
  async download(
    @Param('id') id: string,
    @CurrentPrincipal() p: Principal,
    @Res() res: Response,
  ): Promise<void> {
    const o = await this.queries.find(checkId(id));
    const bytes = await this.verification.readCurrent(o.currentSha256);
    await this.audit.append({
      actor: actorOf(p),
      action: 'archive.original.downloaded',
      subject: `archive-original:${o.id}`,
      details: { contractId: o.contractId, version: o.currentVersion, sha256: o.currentSha256 },
    });
    res
      .type('application/pdf')
      .set('Content-Disposition', `attachment; filename="original-${o.contractId}-v${o.currentVersion}.pdf"`)
      .set('X-Content-SHA256', o.currentSha256)
      .send(bytes);
  }

  @Get('archive/:id/report')
  @RequireStaff()
  async report(
    @Param('id') id: string,
    @Query('format') format: unknown,
    @CurrentPrincipal() p: Principal,
    @Res() res: Response,
  ): Promise<void> {
    const result = await this.verification.verifyArchived(checkId(id), actorOf(p));
    sendReport(res, result, format);
  }

  @Post('verify')
  @RequireStaff()
  @HttpCode(200)
  @UseInterceptors(VerifyUploadInterceptor)
  async verify(
    @UploadedFile() file: Express.Multer.File | undefined,
    @Query('format') format: unknown,
    @CurrentPrincipal() p: Principal,
    @Res() res: Response,
  ): Promise<void> {
    if (!file)
      throw new ArchiveError(
        ArchiveErrorCode.FILE_REQUIRED,
        400,
        '検証する PDF ファイルを選択してください。',
        {
          fields: [{ field: 'file', problems: ['required'] }],
        },
      );
    const result = await this.verification.verifyBytes(file.buffer, {
      actor: actorOf(p),
      fileName: file.originalname?.slice(0, 200),
    });
    sendReport(res, result, format);
  }
}
