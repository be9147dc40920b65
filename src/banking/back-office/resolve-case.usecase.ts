import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../../common/errors/app-error';
import { tokyoDate } from '../../common/time/tokyo-time';
import { AuditLog } from '../../platform/audit/audit-log';
import { Clock } from '../../platform/clock/clock';
import { BankingErrorCode } from '../banking.errors';
import { businessDateAt } from '../calendar/domain/business-calendar';
import { LedgerService } from '../ledger/ledger.service';
import { UnitOfWork } from '../ledger/unit-of-work';
import { TransferNotices } from '../transfers/transfer-notices';
import { TransferPosting } from '../transfers/transfer-posting';
import { TransferCaseEntity, TransferEntity } from '../transfers/transfer.entity';

/**
 * Staff processing of a 訂正/組戻し case (BK-09; seed 003 §6-4(2)). `done` debits the case fee; a
 * completed 組戻し also brings the funds back (from the clearing account for another bank, from the
 * payee's account at our bank once the payee has agreed). The original fee is never refunded.
 */
@Injectable()
export class ResolveCase {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ledger: LedgerService,
    private readonly posting: TransferPosting,
    private readonly notices: TransferNotices,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(
    caseId: string,
    outcome: 'done' | 'rejected',
    note: string,
    actor: string,
  ): Promise<TransferCaseEntity> {
    const c0 = await this.uow.dataSource.getRepository(TransferCaseEntity).findOneBy({ id: caseId });
    if (!c0) throw AppError.notFound(BankingErrorCode.CASE_NOT_FOUND, 'Case not found.');
    const t0 = await this.uow.dataSource.getRepository(TransferEntity).findOneByOrFail({ id: c0.transferId });
    const result = await this.uow.run(async (m) => {
      const locked = await this.posting.lockFor(m, t0);
      const c = await m.getRepository(TransferCaseEntity).findOneByOrFail({ id: caseId });
      if (c.status !== 'open')
        throw AppError.conflict(BankingErrorCode.CASE_ALREADY_RESOLVED, 'The case is already resolved.', {
          status: c.status,
        });
      const t = await m.getRepository(TransferEntity).findOneByOrFail({ id: c.transferId });
      const now = this.clock.now();
      let journalId: string | null = null;
      let returned = false;
      if (outcome === 'done') {
        if (c.kind === 'recall' && t.status === 'executed') {
          const j = t.creditAccountId
            ? await this.ledger.post(
                m,
                {
                  kind: 'recall',
                  businessDate: businessDateAt(now),
                  valueDate: tokyoDate(now),
                  description: `組戻し ${t.payeeNameKana}`,
                  transferId: t.id,
                  actor,
                  lines: [
                    { accountId: t.creditAccountId, amountYen: -t.amountYen, description: '組戻し' },
                    {
                      accountId: t.debitAccountId,
                      amountYen: t.amountYen,
                      description: `組戻し ${t.payeeNameKana}`,
                    },
                  ],
                },
                locked,
              )
            : await this.posting.postReturn(m, t, locked, now, actor, 'recall');
          await m.update(
            TransferEntity,
            { id: t.id },
            {
              status: 'returned',
              returnJournalId: j.id,
              failureCode: 'RECALLED',
              failureMessage: '組戻し',
              closedAt: now,
              updatedAt: now,
            },
          );
          returned = true;
        }
        if (c.feeYen > 0) {
          const fee = await this.posting.postFee(
            m,
            t.debitAccountId,
            c.feeYen,
            c.kind === 'recall' ? '組戻手数料' : '訂正手数料',
            t.id,
            locked,
            now,
            actor,
          );
          journalId = fee.id;
        }
      }
      const patch = {
        status: outcome,
        resolvedBy: actor,
        resolutionNote: note.slice(0, 500),
        resolvedAt: now,
        journalId,
      };
      await m.update(TransferCaseEntity, { id: caseId }, patch);
      await this.audit.append(
        {
          actor,
          action: `banking.case.${outcome}`,
          subject: `bk-transfer:${t.id}`,
          details: { caseId, kind: c.kind, journalId, returned },
        },
        m,
      );
      return { c: { ...c, ...patch }, t, returned };
    });
    if (result.returned)
      await this.notices.send(
        { ...result.t, status: 'returned' },
        'returned',
        '組戻しが完了し、振込資金をお支払口座へ返金しました。手数料は返却されません。',
      );
    return result.c;
  }
}
