import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AuditLog } from '../../platform/audit/audit-log';
import { Clock } from '../../platform/clock/clock';
import { AccountEntity } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { BankingErrorCode } from '../banking.errors';
import { ClearingPort, PayeeQuery } from '../clearing/clearing.port';
import { findBank, findBranch, knowsBank } from '../clearing/domain/bank-directory';
import { IbContractEntity, PayeeCheckEntity } from '../customers/customer.entity';
import { UnitOfWork } from '../ledger/unit-of-work';

export interface Payee {
  bankCode: string;
  bankName: string;
  branchCode: string;
  branchName: string;
  accountType: string;
  accountNumber: string;
  nameKana: string;
  ownBank: boolean;
  /** The credit account when the payee is at our bank. */
  account?: PayeeAccount;
}

/** What a transfer needs of an own-bank payee's account. */
export type PayeeAccount = Pick<AccountEntity, 'id' | 'status' | 'nameKana'>;

export const payeeKey = (q: PayeeQuery) =>
  `${q.bankCode}-${q.branchCode}-${q.accountType}-${q.accountNumber}`;

/** Payee lookup (受取人名表示) and the BK-10 payee-check lock. */
@Injectable()
export class PayeeService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly accounts: AccountsService,
    private readonly clearing: ClearingPort,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Finds the payee or throws a 4xx naming why. `known`: the own-bank account with that number
   * (or null), when the caller already read it in another query; same checks either way.
   */
  async resolve(q: PayeeQuery, m?: EntityManager, known?: { account: PayeeAccount | null }): Promise<Payee> {
    if (
      !/^\d{4}$/.test(q.bankCode) ||
      !/^\d{3}$/.test(q.branchCode) ||
      !/^\d{7}$/.test(q.accountNumber) ||
      !/^[1249]$/.test(q.accountType)
    )
      throw AppError.badRequest(
        'VALIDATION_FAILED',
        '金融機関コード4桁・支店コード3桁・預金種目・口座番号7桁を入力してください。',
      );
    if (q.bankCode === this.config.BANK_CODE) {
      const a = known
        ? known.account
        : await this.accounts.findByNumber(q.branchCode, q.accountType, q.accountNumber, m);
      if (!a)
        throw AppError.unprocessable(
          BankingErrorCode.PAYEE_NOT_FOUND,
          'お受取人の口座が見つかりません。入力内容をご確認ください。',
        );
      if (a.status === 'closed')
        throw AppError.unprocessable(
          BankingErrorCode.PAYEE_CLOSED,
          'お受取人の口座は解約済みのため入金できません。',
        );
      const bank = findBank(q.bankCode);
      return {
        ...q,
        bankName: bank?.name ?? this.config.BANK_NAME,
        branchName: this.accounts.branchName(q.branchCode),
        nameKana: a.nameKana,
        ownBank: true,
        account: a,
      };
    }
    const branch = findBranch(q.bankCode, q.branchCode);
    if (!branch)
      throw AppError.unprocessable(
        BankingErrorCode.UNKNOWN_BANK,
        knowsBank(q.bankCode)
          ? `支店コード ${q.branchCode} は見つかりません。`
          : `金融機関コード ${q.bankCode} は見つかりません。`,
      );
    const found = await this.clearing.lookupPayee(q);
    if (!found.found)
      throw AppError.unprocessable(
        BankingErrorCode.PAYEE_NOT_FOUND,
        'お受取人の口座が見つかりません。入力内容をご確認ください。',
      );
    return {
      ...q,
      bankName: branch.bankName,
      branchName: branch.branchName,
      nameKana: found.nameKana,
      ownBank: false,
    };
  }

  /**
   * BK-10 (seed 001 §6-5): shows the payee's name. Each check counts as a strike until a transfer
   * to that payee is requested; checks of non-existent accounts and cancelled reservations count
   * too. At the set count the function locks until staff reset it.
   */
  async check(contractId: string, q: PayeeQuery): Promise<Payee> {
    let payee: Payee | undefined;
    let failure: AppError | undefined;
    try {
      payee = await this.resolve(q);
    } catch (e) {
      if (!(e instanceof AppError) || e.code !== String(BankingErrorCode.PAYEE_NOT_FOUND)) throw e;
      failure = e;
    }
    const locked = await this.uow.run(async (m) => {
      const c = await this.lockContract(m, contractId);
      if (c.payeeCheckLockedAt) return true;
      await m.insert(PayeeCheckEntity, {
        id: randomUUID(),
        contractId,
        payeeKey: payeeKey(q),
        found: Boolean(payee),
        consumed: false,
        createdAt: this.clock.now(),
      });
      await this.strike(m, c, payee ? 'check' : 'not-found');
      return false;
    });
    if (locked) throw this.lockedError();
    if (failure) throw failure;
    return payee!;
  }

  lockedError(): AppError {
    return AppError.forbidden(
      BankingErrorCode.PAYEE_CHECK_LOCKED,
      '受取人照会のご利用が所定回数を超えたため、振込・受取人照会を停止しています。当金庫へご連絡ください。',
    );
  }

  async lockContract(m: EntityManager, contractId: string): Promise<IbContractEntity> {
    const c = await this.uow
      .forUpdate(m.getRepository(IbContractEntity).createQueryBuilder('c'))
      .where('c.id = :id', { id: contractId })
      .getOne();
    if (!c) throw AppError.notFound(BankingErrorCode.CONTRACT_NOT_FOUND, '契約が見つかりません。');
    return c;
  }

  /** Adds a strike and locks at the threshold. Caller holds the contract row lock. */
  async strike(
    m: EntityManager,
    c: IbContractEntity,
    why: 'check' | 'not-found' | 'cancelled',
  ): Promise<void> {
    const strikes = c.payeeCheckStrikes + 1;
    const lock = strikes >= this.config.BANKING_PAYEE_CHECK_LOCK_COUNT;
    const now = this.clock.now();
    await m.update(
      IbContractEntity,
      { id: c.id },
      { payeeCheckStrikes: strikes, payeeCheckLockedAt: lock ? now : c.payeeCheckLockedAt, updatedAt: now },
    );
    c.payeeCheckStrikes = strikes;
    if (lock && !c.payeeCheckLockedAt) {
      c.payeeCheckLockedAt = now;
      await this.audit.append(
        {
          actor: `bk-contract:${c.id}`,
          action: 'banking.payee-check.locked',
          subject: `bk-contract:${c.id}`,
          details: { strikes, why },
        },
        m,
      );
    }
  }

  /** A transfer to a checked payee: that check was not abandoned, so its strike is withdrawn. */
  async consume(m: EntityManager, contractId: string, q: PayeeQuery): Promise<void> {
    const check = await m.getRepository(PayeeCheckEntity).findOne({
      where: { contractId, payeeKey: payeeKey(q), found: true, consumed: false },
      order: { createdAt: 'DESC' },
    });
    if (!check) return;
    // Conditional on still being unconsumed: two requests to the same payee at once may both have
    // read this check, and only the one that consumes it withdraws its strike.
    const taken = await m.update(PayeeCheckEntity, { id: check.id, consumed: false }, { consumed: true });
    if (taken.affected !== 1) return;
    await m
      .createQueryBuilder()
      .update(IbContractEntity)
      .set({ payeeCheckStrikes: () => 'payee_check_strikes - 1' })
      .where('id = :id AND payee_check_strikes > 0 AND payee_check_locked_at IS NULL', { id: contractId })
      .execute();
  }
}
