import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ArchiveError, ArchiveErrorCode } from './archive.errors';
import { ArchivedOriginalEntity, ArchiveRunEntity, ArchiveVersionEntity } from './archive.entities';
import { likePattern, SearchCriteria, toCsv } from './domain/search-criteria';

export interface OriginalView {
  id: string;
  contractId: string;
  title: string;
  transactionDate: string;
  amountYen: number;
  counterparty: string;
  loanType: string;
  parties: { role: string; name: string }[];
  currentVersion: number;
  currentSha256: string;
  protectionExpiresAt: string;
  retentionEndsOn: string;
  concludedAt: string;
  lastRenewedAt: string | null;
  signatureCount: number;
  documentTimestampCount: number;
  newestTimestampAt: string | null;
  limitedBy: string;
  failureCount: number;
  lastFailure: string | null;
}

export interface VersionView {
  version: number;
  sha256: string;
  sizeBytes: number;
  previousSha256: string | null;
  reason: string;
  createdAt: string;
  validationIndication: string | null;
  protectionExpiresAt: string;
}

export function originalView(o: ArchivedOriginalEntity): OriginalView {
  return {
    id: o.id,
    contractId: o.contractId,
    title: o.title,
    transactionDate: o.transactionDate,
    amountYen: o.amountYen,
    counterparty: o.counterparty,
    loanType: o.loanType,
    parties: o.parties,
    currentVersion: o.currentVersion,
    currentSha256: o.currentSha256,
    protectionExpiresAt: o.protectionExpiresAt.toISOString(),
    retentionEndsOn: o.retentionEndsOn,
    concludedAt: o.concludedAt.toISOString(),
    lastRenewedAt: o.lastRenewedAt?.toISOString() ?? null,
    signatureCount: o.summary.signatureCount,
    documentTimestampCount: o.summary.documentTimestampCount,
    newestTimestampAt: o.summary.newestTimestampAt,
    limitedBy: o.summary.limitedBy,
    failureCount: o.failureCount,
    lastFailure: o.lastFailure,
  };
}

function versionView(v: ArchiveVersionEntity): VersionView {
  return {
    version: v.version,
    sha256: v.sha256,
    sizeBytes: v.sizeBytes,
    previousSha256: v.previousSha256,
    reason: v.reason,
    createdAt: v.createdAt.toISOString(),
    validationIndication: v.validationIndication,
    protectionExpiresAt: v.protectionExpiresAt.toISOString(),
  };
}

const LOAN_LABEL: Record<string, string> = {
  housing: '住宅ローン',
  business: '事業性融資',
  consumer: '消費者ローン',
};
const CSV_MAX_ROWS = 100_000;

/** Read side of the archive: search (電子帳簿保存法), detail with the version chain, runs. */
@Injectable()
export class ArchiveQueries {
  constructor(private readonly dataSource: DataSource) {}

  private searchQuery(c: SearchCriteria) {
    const qb = this.dataSource.getRepository(ArchivedOriginalEntity).createQueryBuilder('o');
    if (c.dateFrom) qb.andWhere('o.transaction_date >= :dateFrom', { dateFrom: c.dateFrom });
    if (c.dateTo) qb.andWhere('o.transaction_date <= :dateTo', { dateTo: c.dateTo });
    if (c.amountMin !== undefined) qb.andWhere('o.amount_yen >= :amountMin', { amountMin: c.amountMin });
    if (c.amountMax !== undefined) qb.andWhere('o.amount_yen <= :amountMax', { amountMax: c.amountMax });
    if (c.counterparty)
      qb.andWhere("o.counterparty LIKE :cp ESCAPE '\\'", { cp: likePattern(c.counterparty) });
    if (c.loanType) qb.andWhere('o.loan_type = :loanType', { loanType: c.loanType });
    return qb.orderBy('o.transactionDate', 'ASC').addOrderBy('o.contractId', 'ASC');
  }

  async search(
    c: SearchCriteria,
  ): Promise<{ total: number; page: number; pageSize: number; items: OriginalView[] }> {
    const [rows, total] = await this.searchQuery(c)
      .skip((c.page - 1) * c.pageSize)
      .take(c.pageSize)
      .getManyAndCount();
    return { total, page: c.page, pageSize: c.pageSize, items: rows.map(originalView) };
  }

  async searchCsv(c: SearchCriteria): Promise<{ csv: string; rows: number }> {
    const rows = await this.searchQuery(c).take(CSV_MAX_ROWS).getMany();
    const csv = toCsv(
      [
        '取引年月日',
        '取引金額（円）',
        '取引先',
        'ローン種別',
        '契約書名',
        '契約ID',
        '版',
        'SHA-256',
        '保護期限',
        '保存期限',
      ],
      rows.map((o) => [
        o.transactionDate,
        o.amountYen,
        o.counterparty,
        LOAN_LABEL[o.loanType] ?? o.loanType,
        o.title,
        o.contractId,
        o.currentVersion,
        o.currentSha256,
        o.protectionExpiresAt.toISOString(),
        o.retentionEndsOn,
      ]),
    );
    return { csv, rows: rows.length };
  }

  /** By archive id or contract id. */
  async find(idOrContractId: string): Promise<ArchivedOriginalEntity> {
    const repo = this.dataSource.getRepository(ArchivedOriginalEntity);
    const o =
      (await repo.findOneBy({ id: idOrContractId })) ??
      (await repo.findOneBy({ contractId: idOrContractId }));
    if (!o)
      throw new ArchiveError(
        ArchiveErrorCode.ORIGINAL_NOT_FOUND,
        404,
        '指定された原本は保管されていません。',
      );
    return o;
  }

  async versions(originalId: string): Promise<ArchiveVersionEntity[]> {
    return this.dataSource
      .getRepository(ArchiveVersionEntity)
      .find({ where: { originalId }, order: { version: 'ASC' } });
  }

  async detail(idOrContractId: string): Promise<OriginalView & { versions: VersionView[] }> {
    const o = await this.find(idOrContractId);
    return { ...originalView(o), versions: (await this.versions(o.id)).map(versionView) };
  }

  /** Which archived originals (contract + version) have exactly these bytes. */
  async findBySha256(sha256: string) {
    const versions = await this.dataSource.getRepository(ArchiveVersionEntity).findBy({ sha256 });
    const out: {
      originalId: string;
      contractId: string;
      title: string;
      version: number;
      current: boolean;
    }[] = [];
    for (const v of versions) {
      const o = await this.dataSource.getRepository(ArchivedOriginalEntity).findOneBy({ id: v.originalId });
      if (o)
        out.push({
          originalId: o.id,
          contractId: o.contractId,
          title: o.title,
          version: v.version,
          current: o.currentVersion === v.version,
        });
    }
    return out;
  }

  async runs(limit = 50) {
    const rows = await this.dataSource
      .getRepository(ArchiveRunEntity)
      .find({ order: { startedAt: 'DESC' }, take: Math.min(Math.max(limit, 1), 500) });
    return rows.map((r) => ({
      id: r.id,
      trigger: r.trigger,
      mode: r.mode,
      worker: r.worker,
      startedBy: r.startedBy,
      startedAt: r.startedAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      status: r.status,
      due: r.dueCount,
      renewed: r.renewedCount,
      failed: r.failedCount,
      durationMs: r.durationMs,
      failures: r.failures,
    }));
  }
}
