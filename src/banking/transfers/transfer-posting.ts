import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { tokyoDate } from '../../common/time/tokyo-time';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AccountEntity, InternalAccount } from '../accounts/account.entity';
import { BankingErrorCode, bankingError } from '../banking.errors';
import { businessDateAt, businessDayOnOrAfter } from '../calendar/domain/business-calendar';
import { JournalInput, LedgerService, LockedAccount } from '../ledger/ledger.service';
import { JournalEntryEntity } from '../ledger/journal.entity';
import { Write } from '../../database/sql';
import { splitTax, withdrawable } from './domain/transfer-rules';
import { TransferEntity } from './transfer.entity';

/** What the refusals of a debit (assertCanDebit) read of the account. */
export type DebitAccount = Pick<
  AccountEntity,
  'id' | 'status' | 'paymentStopped' | 'garnished' | 'balanceYen' | 'overdraftLimitYen'
>;

/**
 * The money movements of a transfer: the debit (amount + fee, with the fee split into income and
 * consumption tax) and, for other banks, the return (組戻し/入金不能, fee not refunded: seed 003
 * §6-4(1)). Callers hold the row locks (lockFor) in their transaction.
 */
@Injectable()
export class TransferPosting {
  constructor(
    private readonly ledger: LedgerService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Locks the debit account (and our credit account) in id order. */
  lockFor(m: EntityManager, t: Pick<TransferEntity, 'debitAccountId' | 'creditAccountId'>) {
    return this.ledger.lockAccounts(m, [t.debitAccountId, ...(t.creditAccountId ? [t.creditAccountId] : [])]);
  }

  /** lockFor, reading the account ids from the transfer row in the locking statement itself. */
  lockForTransferQuery(transferId: string, contractId: string) {
    return this.ledger.lockAccountsOfTransferQuery(transferId, contractId);
  }

  /** Refusals that depend on the accounts' current state (BK-07). */
  assertCanDebit(
    debit: DebitAccount | undefined,
    credit: Pick<AccountEntity, 'status'> | undefined,
    t: TransferEntity,
  ): void {
    if (!debit) throw bankingError.accountNotFound();
    if (debit.status === 'closed') throw bankingError.accountClosed('お支払口座');
    if (debit.paymentStopped) throw bankingError.paymentStopped();
    if (debit.garnished) throw bankingError.garnished();
    if (t.creditAccountId) {
      if (!credit)
        throw AppError.unprocessable(BankingErrorCode.PAYEE_NOT_FOUND, 'お受取人の口座が見つかりません。');
      if (credit.status === 'closed')
        throw AppError.unprocessable(
          BankingErrorCode.PAYEE_CLOSED,
          'お受取人の口座は解約済みのため入金できません。',
        );
    }
    const need = t.amountYen + t.feeYen;
    const can = withdrawable(debit.balanceYen, debit.overdraftLimitYen);
    if (need > can) throw bankingError.insufficientFunds(Math.max(0, can), need);
  }

  post(
    m: EntityManager,
    t: TransferEntity,
    locked: Map<string, LockedAccount>,
    now: Date,
    actor: string,
  ): Promise<JournalEntryEntity> {
    return this.ledger.post(m, this.journalOf(t, now, actor), locked);
  }

  /** `post` with the writes returned for the caller's batch (LedgerService.prepare). */
  prepare(
    t: TransferEntity,
    locked: Map<string, LockedAccount>,
    now: Date,
    actor: string,
  ): { journal: JournalEntryEntity; writes: Write[] } {
    return this.ledger.prepare(this.journalOf(t, now, actor), locked);
  }

  /** The debit: amount + fee from the payer; amount to the payee (or clearing); fee and its tax. */
  private journalOf(t: TransferEntity, now: Date, actor: string): JournalInput {
    const { incomeYen, taxYen } = splitTax(t.feeYen, this.config.BANKING_CONSUMPTION_TAX_PERCENT);
    const label = t.kind === 'furikae' ? '振替' : '振込';
    const creditId = t.creditAccountId ?? this.ledger.internalAccountId(InternalAccount.CLEARING);
    const today = tokyoDate(now);
    return {
      kind: 'transfer',
      businessDate: businessDayOnOrAfter(today), // = businessDateAt(now), one time-zone conversion
      valueDate: today,
      description: `${label} ${t.payeeNameKana}`,
      transferId: t.id,
      actor,
      lines: [
        {
          accountId: t.debitAccountId,
          amountYen: -(t.amountYen + t.feeYen),
          description: `${label} ${t.payeeNameKana}`.slice(0, 100),
        },
        { accountId: creditId, amountYen: t.amountYen, description: `${label} ${t.memo || ''}`.trim() },
        {
          accountId: this.ledger.internalAccountId(InternalAccount.FEE_INCOME),
          amountYen: incomeYen,
          description: `${label}手数料`,
        },
        {
          accountId: this.ledger.internalAccountId(InternalAccount.TAX_PAYABLE),
          amountYen: taxYen,
          description: `${label}手数料消費税`,
        },
      ],
    };
  }

  postReturn(
    m: EntityManager,
    t: TransferEntity,
    locked: Map<string, LockedAccount>,
    now: Date,
    actor: string,
    kind: 'transfer-return' | 'recall' = 'transfer-return',
  ) {
    const description = kind === 'recall' ? `組戻し ${t.payeeNameKana}` : `振込返却 ${t.payeeNameKana}`;
    return this.ledger.post(
      m,
      {
        kind,
        businessDate: businessDateAt(now),
        valueDate: tokyoDate(now),
        description,
        transferId: t.id,
        actor,
        lines: [
          {
            accountId: this.ledger.internalAccountId(InternalAccount.CLEARING),
            amountYen: -t.amountYen,
            description,
          },
          { accountId: t.debitAccountId, amountYen: t.amountYen, description: description.slice(0, 100) },
        ],
      },
      locked,
    );
  }

  /** A fee alone (訂正/組戻し case fee) debited from the account. */
  postFee(
    m: EntityManager,
    accountId: string,
    feeYen: number,
    label: string,
    transferId: string,
    locked: Map<string, LockedAccount>,
    now: Date,
    actor: string,
  ) {
    const { incomeYen, taxYen } = splitTax(feeYen, this.config.BANKING_CONSUMPTION_TAX_PERCENT);
    return this.ledger.post(
      m,
      {
        kind: 'case-fee',
        businessDate: businessDateAt(now),
        valueDate: tokyoDate(now),
        description: label,
        transferId,
        actor,
        lines: [
          { accountId, amountYen: -feeYen, description: label },
          {
            accountId: this.ledger.internalAccountId(InternalAccount.FEE_INCOME),
            amountYen: incomeYen,
            description: label,
          },
          {
            accountId: this.ledger.internalAccountId(InternalAccount.TAX_PAYABLE),
            amountYen: taxYen,
            description: `${label}消費税`,
          },
        ],
      },
      locked,
    );
  }
}
