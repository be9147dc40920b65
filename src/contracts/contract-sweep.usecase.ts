import { Inject, Injectable, Logger } from '@nestjs/common';
import { Interval } from '@nestjs/schedule';
import { In, IsNull, LessThanOrEqual, Not } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { BankSignContract } from './bank-sign-contract.usecase';
import { recordContractEvent } from './contract-history';
import { ContractNotifier } from './contract-notifier.service';
import { ContractRepository, snapshotOf } from './contract.repository';
import { ContractEntity } from './contract.entity';
import { reminderDue, shouldExpire } from './domain/contract-workflow';

export interface SweepResult {
  expired: number;
  reminded: number;
  invited: number;
}

/**
 * The periodic pass over open contracts: expires those past their deadline (parties and the loan
 * officer are told), sends reminders before the deadline, and retries invitations whose mail
 * failed. Also `cli contracts sweep`. Each contract is handled in its own transaction.
 */
@Injectable()
export class ContractSweep {
  private readonly logger = new Logger(ContractSweep.name);
  private running = false;

  constructor(
    private readonly repo: ContractRepository,
    private readonly notifier: ContractNotifier,
    private readonly bankSign: BankSignContract,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Interval('contracts-sweep', 60_000)
  async tick(): Promise<void> {
    const minute = Math.floor(this.clock.now().getTime() / 60_000);
    if (this.running || minute % this.config.CONTRACT_SWEEP_INTERVAL_MINUTES !== 0) return;
    try {
      await this.run();
    } catch (e) {
      this.logger.error({ err: e instanceof Error ? e.message : String(e) }, 'contract sweep failed');
    }
  }

  async run(): Promise<SweepResult> {
    this.running = true;
    try {
      return {
        expired: await this.expireOverdue(),
        invited: await this.retryInvitations(),
        reminded: await this.sendReminders(),
      };
    } finally {
      this.running = false;
    }
  }

  private async expireOverdue(): Promise<number> {
    const now = this.clock.now();
    const due = await this.repo.dataSource.getRepository(ContractEntity).find({
      where: { status: In(['draft', 'bank_signed', 'awaiting_signature']), deadline: LessThanOrEqual(now) },
      take: 500,
    });
    let n = 0;
    for (const candidate of due) {
      const done = await this.repo.dataSource.transaction(async (m) => {
        const l = await this.repo.loadForUpdate(m, candidate.id);
        if (!shouldExpire(snapshotOf(l), now)) return null;
        const from = l.contract.status;
        l.contract.status = 'expired';
        l.contract.currentSignerOrder = null;
        await this.repo.saveContract(m, l.contract, now);
        await recordContractEvent(m, this.audit, {
          contractId: l.contract.id,
          actor: 'system',
          type: 'expired',
          at: now,
          details: { from, deadline: l.contract.deadline?.toISOString() ?? null },
        });
        return l;
      });
      if (done) {
        n++;
        await this.notifier.expired(done.contract, done.signers);
      }
    }
    return n;
  }

  private async retryInvitations(): Promise<number> {
    let n = 0;
    const ds = this.repo.dataSource;
    for (const c of await ds
      .getRepository(ContractEntity)
      .find({ where: { status: 'bank_signed' }, take: 500 })) {
      if ((await this.bankSign.startSigning(c)).status === 'awaiting_signature') n++;
    }
    const waiting = await ds
      .getRepository(ContractEntity)
      .find({ where: { status: 'awaiting_signature', currentSignerOrder: Not(IsNull()) }, take: 500 });
    for (const c of waiting) {
      const signer = (await this.repo.signersOf(c.id)).find((s) => s.order === c.currentSignerOrder);
      if (signer && signer.notifiedAt === null && (await this.notifier.requestSignature(c, signer))) n++;
    }
    return n;
  }

  private async sendReminders(): Promise<number> {
    const now = this.clock.now();
    const waiting = await this.repo.dataSource
      .getRepository(ContractEntity)
      .find({ where: { status: 'awaiting_signature', deadline: Not(IsNull()) }, take: 500 });
    let n = 0;
    for (const c of waiting) {
      const signers = await this.repo.signersOf(c.id);
      const snap = snapshotOf({ contract: c, signers });
      if (
        !reminderDue(
          snap,
          c.lastReminderAt,
          now,
          this.config.CONTRACT_REMINDER_DAYS_BEFORE,
          this.config.CONTRACT_REMINDER_INTERVAL_HOURS,
        )
      )
        continue;
      const signer = signers.find((s) => s.order === c.currentSignerOrder);
      if (!signer || !(await this.notifier.remind(c, signer))) continue;
      await this.repo.dataSource.transaction(async (m) => {
        // Not a state change: the row version stays, so a signature in flight is not refused.
        await m.getRepository(ContractEntity).update({ id: c.id }, { lastReminderAt: now });
        await recordContractEvent(m, this.audit, {
          contractId: c.id,
          actor: 'system',
          type: 'reminded',
          at: now,
          details: { signerOrder: signer.order },
        });
      });
      n++;
    }
    return n;
  }
}
