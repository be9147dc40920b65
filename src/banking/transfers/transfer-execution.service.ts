import { Inject, Injectable, Logger } from '@nestjs/common';
import { LessThan, LessThanOrEqual } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { tokyoParts } from '../../common/time/tokyo-time';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AuditLog } from '../../platform/audit/audit-log';
import { Clock } from '../../platform/clock/clock';
import { BankingErrorCode } from '../banking.errors';
import { ClearingPort } from '../clearing/clearing.port';
import { IbContractEntity } from '../customers/customer.entity';
import { UnitOfWork } from '../ledger/unit-of-work';
import { TransferNotices } from './transfer-notices';
import { TransferPosting } from './transfer-posting';
import { TransferEntity } from './transfer.entity';
import { TransfersService } from './transfers.service';

export interface JobReport {
  expired: number;
  executed: number;
  failed: number;
  cancelled: number;
  returned: number;
}

const ACTOR = 'system:banking-jobs';

/**
 * The clock-driven side of transfers: expires unconfirmed requests, executes reservations on
 * their date (seed 003 §4-3(3): from the balance at the start of the day), and books clearing
 * returns. `runDue(now)` is what the scheduler, the CLI and the tests call.
 */
@Injectable()
export class TransferExecutionService {
  private readonly logger = new Logger('BankingJobs');
  private running: Promise<JobReport> | undefined;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly transfers: TransfersService,
    private readonly posting: TransferPosting,
    private readonly notices: TransferNotices,
    private readonly clearing: ClearingPort,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One pass; overlapping calls share the pass in progress. */
  runDue(now: Date = this.clock.now()): Promise<JobReport> {
    this.running ??= this.pass(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(now: Date): Promise<JobReport> {
    const report: JobReport = { expired: 0, executed: 0, failed: 0, cancelled: 0, returned: 0 };
    report.expired = await this.expireStale(now);
    await this.executeScheduled(now, report);
    report.returned = await this.processReturns(now);
    return report;
  }

  async expireStale(now: Date): Promise<number> {
    const repo = this.uow.dataSource.getRepository(TransferEntity);
    const stale = await repo.find({
      where: { status: 'awaiting_confirmation', confirmDeadline: LessThan(now) },
      take: 1000,
    });
    for (const t of stale) {
      await this.uow.run(async (m) => {
        const r = await m
          .createQueryBuilder()
          .update(TransferEntity)
          .set({
            status: 'expired',
            codeHash: null,
            closedAt: now,
            updatedAt: now,
            failureCode: BankingErrorCode.CONFIRMATION_EXPIRED,
          })
          .where("id = :id AND status = 'awaiting_confirmation'", { id: t.id })
          .execute();
        if (r.affected)
          await this.audit.append(
            { actor: ACTOR, action: 'banking.transfer.expired', subject: `bk-transfer:${t.id}` },
            m,
          );
      });
    }
    return stale.length;
  }

  async executeScheduled(now: Date, report: JobReport): Promise<void> {
    const p = tokyoParts(now);
    if (p.time < this.config.BANKING_SCHEDULED_RUN_FROM) return;
    const due = await this.uow.dataSource.getRepository(TransferEntity).find({
      where: { status: 'scheduled', executionDate: LessThanOrEqual(p.date) },
      order: { confirmedAt: 'ASC' },
      take: 5000,
    });
    for (const pre of due) {
      const outcome = await this.uow.run(async (m) => {
        const locked = await this.posting.lockFor(m, pre);
        const t = await m.getRepository(TransferEntity).findOneByOrFail({ id: pre.id });
        if (t.status !== 'scheduled') return undefined;
        const contract = await m.getRepository(IbContractEntity).findOneByOrFail({ id: t.contractId });
        const fail = async (status: 'failed' | 'cancelled', err: AppError) => {
          await m.update(
            TransferEntity,
            { id: t.id },
            {
              status,
              failureCode: err.code,
              failureMessage: err.message.slice(0, 200),
              closedAt: now,
              updatedAt: now,
            },
          );
          await this.audit.append(
            {
              actor: ACTOR,
              action: `banking.transfer.${status}`,
              subject: `bk-transfer:${t.id}`,
              details: { code: err.code },
            },
            m,
          );
          return { t: { ...t, status, failureMessage: err.message }, kind: status };
        };
        // BK-18: after termination pending requests are not processed.
        if (contract.status === 'terminated')
          return fail(
            'cancelled',
            AppError.forbidden(
              BankingErrorCode.CONTRACT_NOT_ACTIVE,
              'ご契約の解約により、予約を取り消しました。',
            ),
          );
        try {
          this.posting.assertCanDebit(
            locked.get(t.debitAccountId),
            t.creditAccountId ? locked.get(t.creditAccountId) : undefined,
            t,
          );
        } catch (e) {
          // seed 003 §4-3(2): when the debit cannot be made the request is treated as never made.
          if (e instanceof AppError) return fail('failed', e);
          throw e;
        }
        const journal = await this.posting.post(m, t, locked, now, ACTOR);
        await m.update(
          TransferEntity,
          { id: t.id },
          { status: 'executed', executedAt: now, journalId: journal.id, updatedAt: now },
        );
        await this.audit.append(
          {
            actor: ACTOR,
            action: 'banking.transfer.executed',
            subject: `bk-transfer:${t.id}`,
            details: { journalId: journal.id, amountYen: t.amountYen },
          },
          m,
        );
        return {
          t: { ...t, status: 'executed' as const, executedAt: now, journalId: journal.id },
          kind: 'executed' as const,
        };
      });
      if (!outcome) continue;
      if (outcome.kind === 'executed') {
        report.executed++;
        await this.transfers.sendToClearing(outcome.t);
        await this.notices.send(outcome.t, 'executed');
      } else {
        report[outcome.kind]++;
        await this.notices.send(outcome.t, outcome.kind, outcome.t.failureMessage ?? '');
      }
    }
  }

  /** BK-07 / seed 003 §6-4(1): a returned transfer is credited back; the fee is not refunded. */
  async processReturns(now: Date): Promise<number> {
    const returns = await this.clearing.pollReturns(now);
    let n = 0;
    for (const r of returns) {
      const pre = await this.uow.dataSource.getRepository(TransferEntity).findOneBy({ id: r.transferId });
      if (!pre) {
        this.logger.error({ transferId: r.transferId }, 'clearing return for an unknown transfer');
        continue;
      }
      const t = await this.uow.run(async (m) => {
        const locked = await this.posting.lockFor(m, pre);
        const t = await m.getRepository(TransferEntity).findOneByOrFail({ id: pre.id });
        if (t.status !== 'executed' || t.creditAccountId) return undefined;
        const journal = await this.posting.postReturn(m, t, locked, now, ACTOR);
        await m.update(
          TransferEntity,
          { id: t.id },
          {
            status: 'returned',
            returnJournalId: journal.id,
            failureCode: 'RETURNED',
            failureMessage: r.reason.slice(0, 200),
            closedAt: now,
            updatedAt: now,
          },
        );
        await this.audit.append(
          {
            actor: ACTOR,
            action: 'banking.transfer.returned',
            subject: `bk-transfer:${t.id}`,
            details: { reason: r.reason, journalId: journal.id },
          },
          m,
        );
        return { ...t, status: 'returned' as const };
      });
      if (!t) continue;
      n++;
      await this.notices.send(
        t,
        'returned',
        `理由: ${r.reason}\n振込資金はお支払口座へ返金しました。振込手数料は返却されません。`,
      );
    }
    return n;
  }
}
