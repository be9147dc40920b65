import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PdfError } from '../pades/pdf/pdf-errors';
import { PadesEngine } from '../pades/pades-engine.service';
import { simpleReport } from '../pades/domain/validation-report';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { FileStore } from '../platform/file-store/file-store';
import { ArchiveError, ArchiveErrorCode } from './archive.errors';
import { ArchivedOriginalEntity, ArchiveParty, ArchiveVersionEntity } from './archive.entities';
import { summarizeProtection } from './domain/protection';
import { retentionEnd } from './domain/version-chain';
import { tokyoDate } from '../common/time/tokyo-time';

export interface StoreOriginalCommand {
  contractId: string;
  title: string;
  /** 取引年月日 `YYYY-MM-DD`. */
  transactionDate: string;
  amountYen: number;
  counterparty: string;
  loanType: string;
  parties: ArchiveParty[];
  /** The original already in the FileStore (the contract workflow put it there)… */
  sha256?: string;
  /** …or its bytes (stored here, content-addressed). */
  bytes?: Uint8Array;
  /** When the contract was concluded (default: now). Retention counts from its Tokyo date. */
  concludedAt?: Date;
  /** The validation verdict the caller already has for these bytes (EC-08), kept with version 1;
   * without it the original is validated here. */
  validation?: { indication: string; report?: Record<string, unknown> };
  actor?: string;
}

/**
 * ArchiveOriginal.store: takes a completed contract's original (B-LTA) into the archive as
 * version 1. Idempotent per contract (the same bytes again return the existing row). Pass the
 * caller's EntityManager to commit together with the contract's completion.
 */
@Injectable()
export class ArchiveOriginal {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(FileStore) private readonly files: FileStore,
    private readonly audit: AuditLog,
    private readonly engine: PadesEngine,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async store(cmd: StoreOriginalCommand, manager?: EntityManager): Promise<ArchivedOriginalEntity> {
    let bytes: Uint8Array;
    let sha256: string;
    if (cmd.bytes) {
      bytes = cmd.bytes;
      sha256 = (await this.files.put(bytes)).sha256;
    } else if (cmd.sha256) {
      sha256 = cmd.sha256;
      try {
        bytes = await this.files.get(sha256);
      } catch {
        throw new ArchiveError(
          ArchiveErrorCode.ORIGINAL_OBJECT_MISSING,
          404,
          `the original ${sha256} is not in the file store`,
        );
      }
      if (createHash('sha256').update(bytes).digest('hex') !== sha256)
        throw new ArchiveError(
          ArchiveErrorCode.INTEGRITY_FAILURE,
          409,
          `the stored object ${sha256} does not match its hash`,
        );
    } else {
      throw new ArchiveError(ArchiveErrorCode.INVALID_REQUEST, 400, 'sha256 or bytes is required');
    }
    let summary;
    try {
      summary = summarizeProtection(bytes, { maxBytes: this.config.PADES_MAX_PDF_BYTES });
    } catch (e) {
      if (e instanceof PdfError)
        throw new ArchiveError(
          ArchiveErrorCode.NOT_A_PDF,
          422,
          `the original is not a readable PDF: ${e.message}`,
        );
      throw e;
    }
    if (summary.signatureCount === 0)
      throw new ArchiveError(ArchiveErrorCode.ORIGINAL_NOT_SIGNED, 422, 'the original holds no signature');

    // Version 1's verdict is the base every incremental renewal check builds on: record a real one.
    const validation: { indication: string; report?: Record<string, unknown> } =
      cmd.validation ??
      (await this.engine.verify(bytes).then((r) => ({
        indication: r.indication,
        report: simpleReport(r) as unknown as Record<string, unknown>,
      })));

    const run = async (m: EntityManager): Promise<ArchivedOriginalEntity> => {
      const repo = m.getRepository(ArchivedOriginalEntity);
      const existing = await repo.findOneBy({ contractId: cmd.contractId });
      if (existing) {
        const v1 = await m
          .getRepository(ArchiveVersionEntity)
          .findOneBy({ originalId: existing.id, version: 1 });
        if (v1?.sha256 === sha256) return existing;
        throw new ArchiveError(
          ArchiveErrorCode.ORIGINAL_ALREADY_ARCHIVED,
          409,
          `contract ${cmd.contractId} already has an archived original`,
        );
      }
      const now = this.clock.now();
      const concludedAt = cmd.concludedAt ?? now;
      const protectionExpiresAt = new Date(summary.protectionExpiresAt);
      const original: ArchivedOriginalEntity = {
        id: randomUUID(),
        contractId: cmd.contractId,
        title: cmd.title,
        transactionDate: cmd.transactionDate,
        amountYen: cmd.amountYen,
        counterparty: cmd.counterparty,
        loanType: cmd.loanType,
        parties: cmd.parties,
        summary,
        currentVersion: 1,
        currentSha256: sha256,
        protectionExpiresAt,
        retentionEndsOn: retentionEnd(tokyoDate(concludedAt), this.config.ARCHIVE_RETENTION_YEARS),
        concludedAt,
        lastRenewedAt: null,
        claimedBy: null,
        claimedUntil: null,
        failureCount: 0,
        lastFailure: null,
        createdAt: now,
        updatedAt: now,
      };
      await repo.insert(original);
      await m.getRepository(ArchiveVersionEntity).insert({
        id: randomUUID(),
        originalId: original.id,
        version: 1,
        sha256,
        sizeBytes: bytes.byteLength,
        previousSha256: null,
        reason: 'original',
        runId: null,
        validationIndication: validation.indication,
        validationSummary: (validation.report ?? null) as never,
        protectionExpiresAt,
        createdAt: now,
      });
      await this.audit.append(
        {
          actor: cmd.actor ?? 'system',
          action: 'archive.original.stored',
          subject: `archive-original:${original.id}`,
          details: {
            contractId: cmd.contractId,
            sha256,
            sizeBytes: bytes.byteLength,
            protectionExpiresAt: summary.protectionExpiresAt,
            retentionEndsOn: original.retentionEndsOn,
          },
        },
        m,
      );
      return original;
    };
    return manager ? run(manager) : this.dataSource.transaction(run);
  }
}
