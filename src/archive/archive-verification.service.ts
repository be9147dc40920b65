import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { padesErrorToAppError, PadesEngine } from '../pades/pades-engine.service';
import { simpleReport, SimpleReport, ValidationReport } from '../pades/domain/validation-report';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { FileStore } from '../platform/file-store/file-store';
import { ArchiveError, ArchiveErrorCode } from './archive.errors';
import { ArchiveQueries } from './archive-queries.service';

export interface ArchiveMatch {
  originalId: string;
  contractId: string;
  title: string;
  version: number;
  current: boolean;
}

export interface VerificationResult {
  verifiedAt: string;
  fileName: string | null;
  sha256: string;
  sizeBytes: number;
  /** Byte-identical archived versions (empty: not an archived original). */
  archived: ArchiveMatch[];
  simple: SimpleReport;
  report: ValidationReport;
}

/**
 * Verification for auditors (EC-13): any PDF against the service's trust anchors, and whether it
 * is byte-identical to an archived original. Every verification is written to the audit log.
 */
@Injectable()
export class ArchiveVerification {
  constructor(
    private readonly engine: PadesEngine,
    private readonly queries: ArchiveQueries,
    @Inject(FileStore) private readonly store: FileStore,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async verifyBytes(
    bytes: Uint8Array,
    options: { actor: string; fileName?: string; originalId?: string },
  ): Promise<VerificationResult> {
    if (!bytes.byteLength || Buffer.from(bytes.subarray(0, 1024)).indexOf('%PDF-') < 0)
      throw new ArchiveError(
        ArchiveErrorCode.NOT_A_PDF,
        422,
        'PDF ファイルではありません（%PDF- ヘッダがありません）。',
      );
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    let report: ValidationReport;
    try {
      report = await this.engine.verify(bytes);
    } catch (e) {
      throw padesErrorToAppError(e);
    }
    const archived = await this.queries.findBySha256(sha256);
    const result: VerificationResult = {
      verifiedAt: this.clock.now().toISOString(),
      fileName: options.fileName ?? null,
      sha256,
      sizeBytes: bytes.byteLength,
      archived,
      simple: simpleReport(report),
      report,
    };
    await this.audit.append({
      actor: options.actor,
      action: 'archive.verification.performed',
      subject: options.originalId
        ? `archive-original:${options.originalId}`
        : archived[0]
          ? `archive-original:${archived[0].originalId}`
          : `sha256:${sha256}`,
      details: {
        sha256,
        sizeBytes: bytes.byteLength,
        indication: report.indication,
        archived: archived.map((a) => ({ contractId: a.contractId, version: a.version })),
      },
    });
    return result;
  }

  /** Validates the current version of an archived original. */
  async verifyArchived(idOrContractId: string, actor: string): Promise<VerificationResult> {
    const o = await this.queries.find(idOrContractId);
    const bytes = await this.readCurrent(o.currentSha256);
    return this.verifyBytes(bytes, {
      actor,
      fileName: `${o.contractId}-v${o.currentVersion}.pdf`,
      originalId: o.id,
    });
  }

  async readCurrent(sha256: string): Promise<Buffer> {
    try {
      return await this.store.get(sha256);
    } catch {
      throw new ArchiveError(
        ArchiveErrorCode.ORIGINAL_OBJECT_MISSING,
        500,
        '原本ファイルが保管領域に見つかりません（完全性監査を実行してください）。',
      );
    }
  }
}
