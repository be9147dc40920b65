import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ContractDocumentEntity, ContractEntity, ContractSignerEntity } from '../contracts/contract.entity';
import { ArchivedOriginalEntity } from './archive.entities';
import { ArchiveOriginal } from './archive-original.usecase';

const ROLE_LABEL: Record<string, string> = { debtor: '債務者', guarantor: '保証人' };

/**
 * Takes completed contracts' originals into the archive. The contract workflow may call
 * ArchiveOriginal.store inside its completion transaction; this sweep is the safety net that
 * picks up every completed contract whose original is not archived yet (run before each
 * re-stamping run and by `archive import`), so no original is ever left outside the archive.
 */
@Injectable()
export class ContractIntake {
  private readonly logger = new Logger('ArchiveIntake');

  constructor(
    private readonly dataSource: DataSource,
    private readonly archive: ArchiveOriginal,
  ) {}

  async syncCompleted(
    limit = 10_000,
  ): Promise<{ imported: number; failed: { contractId: string; error: string }[] }> {
    if (!this.dataSource.hasMetadata(ContractEntity)) return { imported: 0, failed: [] };
    const pending = await this.dataSource
      .getRepository(ContractEntity)
      .createQueryBuilder('c')
      .leftJoin(ArchivedOriginalEntity, 'a', 'a.contract_id = c.id')
      .where("c.status = 'completed'")
      .andWhere('c.original_sha256 IS NOT NULL')
      .andWhere('a.id IS NULL')
      .orderBy('c.completedAt', 'ASC')
      .take(limit)
      .getMany();
    let imported = 0;
    const failed: { contractId: string; error: string }[] = [];
    for (const c of pending) {
      try {
        const signers = await this.dataSource
          .getRepository(ContractSignerEntity)
          .find({ where: { contractId: c.id }, order: { order: 'ASC' } });
        const doc = await this.dataSource
          .getRepository(ContractDocumentEntity)
          .findOneBy({ contractId: c.id, sha256: c.originalSha256! });
        await this.archive.store({
          contractId: c.id,
          title: c.title,
          transactionDate: c.contractDate,
          amountYen: c.amountYen,
          counterparty: c.counterparty,
          loanType: c.loanType,
          parties: signers.map((s) => ({ role: ROLE_LABEL[s.role] ?? s.role, name: s.displayName })),
          sha256: c.originalSha256!,
          concludedAt: c.completedAt ?? undefined,
          validation: doc?.validationIndication
            ? { indication: doc.validationIndication, report: doc.validationReport ?? undefined }
            : undefined,
          actor: 'system',
        });
        imported++;
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        this.logger.warn({ contractId: c.id, err: error }, 'original could not be archived');
        failed.push({ contractId: c.id, error });
      }
    }
    return { imported, failed };
  }
}
