import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, In } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { tokyoDate } from '../../common/time/tokyo-time';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AuditLog } from '../../platform/audit/audit-log';
import { Clock } from '../../platform/clock/clock';
import { BankingErrorCode, bankingError } from '../banking.errors';
import { businessDateAt } from '../calendar/domain/business-calendar';
import { findBranch, knowsBank } from '../clearing/domain/bank-directory';
import { LedgerService } from '../ledger/ledger.service';
import { UnitOfWork, isUniqueViolation } from '../ledger/unit-of-work';
import { normaliseNameKana } from '../transfers/domain/kana';
import { IbContractEntity, IbSessionEntity } from '../customers/customer.entity';
import { ACCOUNT_TYPES, AccountEntity, AccountType, InternalAccount } from './account.entity';

export interface OpenAccountCommand {
  branchCode: string;
  accountType: AccountType;
  nameKanji: string;
  nameKana: string;
  customerId?: string | null;
  /** Given by the operator, or the next free number at the branch. */
  accountNumber?: string;
  overdraftLimitYen?: number;
}

export interface AccountView {
  id: string;
  branchCode: string;
  branchName: string;
  accountType: string;
  accountNumber: string;
  nameKanji: string;
  nameKana: string;
  status: string;
  paymentStopped: boolean;
  garnished: boolean;
  balanceYen: number;
  overdraftLimitYen: number;
  withdrawableYen: number;
}

/** Deposit accounts and the back-office operations on them (open, close, cash, flags). Audited. */
@Injectable()
export class AccountsService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly ledger: LedgerService,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  view(a: AccountEntity): AccountView {
    return {
      id: a.id,
      branchCode: a.branchCode,
      branchName: this.branchName(a.branchCode),
      accountType: a.accountType,
      accountNumber: a.accountNumber,
      nameKanji: a.nameKanji,
      nameKana: a.nameKana,
      status: a.status,
      paymentStopped: a.paymentStopped,
      garnished: a.garnished,
      balanceYen: a.balanceYen,
      overdraftLimitYen: a.overdraftLimitYen,
      withdrawableYen: Math.max(0, a.balanceYen + a.overdraftLimitYen),
    };
  }

  branchName(branchCode: string): string {
    return findBranch(this.config.BANK_CODE, branchCode)?.branchName ?? `${branchCode}支店`;
  }

  async get(id: string, m: EntityManager = this.uow.dataSource.manager): Promise<AccountEntity> {
    const a = await m.getRepository(AccountEntity).findOneBy({ id, kind: 'deposit' });
    if (!a) throw bankingError.accountNotFound();
    return a;
  }

  findByNumber(
    branchCode: string,
    accountType: string,
    accountNumber: string,
    m: EntityManager = this.uow.dataSource.manager,
  ): Promise<AccountEntity | null> {
    return m
      .getRepository(AccountEntity)
      .findOneBy({ branchCode, accountType, accountNumber, kind: 'deposit' });
  }

  async open(cmd: OpenAccountCommand, actor: string): Promise<AccountEntity> {
    if (
      !/^\d{3}$/.test(cmd.branchCode) ||
      (knowsBank(this.config.BANK_CODE) && !findBranch(this.config.BANK_CODE, cmd.branchCode))
    )
      throw AppError.badRequest(
        BankingErrorCode.INVALID_BRANCH,
        `店番 ${cmd.branchCode} は当金庫の店舗ではありません。`,
      );
    if (!ACCOUNT_TYPES.includes(cmd.accountType))
      throw AppError.badRequest(
        BankingErrorCode.INVALID_BRANCH,
        '預金種目は 1（普通）・2（当座）・4（貯蓄）です。',
      );
    const kana = normaliseNameKana(cmd.nameKana);
    if (!kana)
      throw AppError.badRequest(
        BankingErrorCode.INVALID_NAME_KANA,
        '口座名義（カナ）はカナ・英数字で入力してください。',
      );
    if (cmd.accountNumber !== undefined && !/^\d{7}$/.test(cmd.accountNumber))
      throw AppError.badRequest(BankingErrorCode.INVALID_BRANCH, '口座番号は7桁の数字です。');
    const overdraft = cmd.overdraftLimitYen ?? 0;
    if (!Number.isSafeInteger(overdraft) || overdraft < 0)
      throw AppError.badRequest(BankingErrorCode.INVALID_AMOUNT, '貸越限度額は0以上の整数（円）です。');
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.uow.run(async (m) => {
          const number = cmd.accountNumber ?? (await this.nextNumber(m, cmd.branchCode, cmd.accountType));
          const now = this.clock.now();
          const a: AccountEntity = {
            id: randomUUID(),
            kind: 'deposit',
            internalCode: null,
            branchCode: cmd.branchCode,
            accountType: cmd.accountType,
            accountNumber: number,
            nameKanji: cmd.nameKanji.trim(),
            nameKana: kana,
            customerId: cmd.customerId ?? null,
            status: 'open',
            paymentStopped: false,
            garnished: false,
            overdraftLimitYen: overdraft,
            balanceYen: 0,
            lastSeq: 0,
            openedOn: tokyoDate(now),
            closedOn: null,
            createdAt: now,
            updatedAt: now,
          };
          await m.insert(AccountEntity, a);
          await this.audit.append(
            {
              actor,
              action: 'banking.account.opened',
              subject: `bk-account:${a.id}`,
              details: {
                branchCode: a.branchCode,
                accountType: a.accountType,
                accountNumber: a.accountNumber,
                overdraftLimitYen: overdraft,
              },
            },
            m,
          );
          return a;
        });
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        if (cmd.accountNumber !== undefined || attempt >= 5)
          throw AppError.conflict(BankingErrorCode.ACCOUNT_EXISTS, 'その口座番号はすでに使われています。');
      }
    }
  }

  private async nextNumber(m: EntityManager, branchCode: string, accountType: string): Promise<string> {
    const row = await m
      .getRepository(AccountEntity)
      .createQueryBuilder('a')
      .select('MAX(a.account_number)', 'max')
      .where('a.branch_code = :branchCode AND a.account_type = :accountType AND a.kind = :k', {
        branchCode,
        accountType,
        k: 'deposit',
      })
      .getRawOne<{ max: string | null }>();
    const next = Math.max(1_000_001, Number(row?.max ?? 0) + 1);
    return String(next).padStart(7, '0');
  }

  /** Attaches an account opened before its customer was registered (same name required). */
  async assignCustomer(id: string, customerId: string, actor: string): Promise<void> {
    await this.uow.run(async (m) => {
      const a = await this.get(id, m);
      if (a.customerId && a.customerId !== customerId)
        throw AppError.conflict(BankingErrorCode.ACCOUNT_EXISTS, 'この口座は別のお客さまの口座です。');
      await m.update(AccountEntity, { id }, { customerId, updatedAt: this.clock.now() });
      await this.audit.append(
        {
          actor,
          action: 'banking.account.customer-assigned',
          subject: `bk-account:${id}`,
          details: { customerId },
        },
        m,
      );
    });
  }

  /** Closing needs a zero balance. Contracts whose representative account closes end (BK-18). */
  async close(id: string, actor: string): Promise<AccountEntity> {
    return this.uow.run(async (m) => {
      const a = (await this.ledger.lockAccounts(m, [id])).get(id);
      if (!a || a.kind !== 'deposit') throw bankingError.accountNotFound();
      if (a.status === 'closed') throw bankingError.accountClosed();
      if (a.balanceYen !== 0)
        throw AppError.unprocessable(
          BankingErrorCode.ACCOUNT_NOT_EMPTY,
          '残高が0円でない口座は解約できません。',
          { balanceYen: a.balanceYen },
        );
      const now = this.clock.now();
      await m.update(AccountEntity, { id }, { status: 'closed', closedOn: tokyoDate(now), updatedAt: now });
      // BK-18 (seed 003 Ⅱ§9): the contract ends automatically when its representative account closes;
      // its credentials stop working at once and its pending requests are not processed.
      const ended = await m
        .getRepository(IbContractEntity)
        .find({ where: { representativeAccountId: id, status: In(['active', 'suspended']) } });
      for (const c of ended) {
        await m.update(IbContractEntity, { id: c.id }, { status: 'terminated', updatedAt: now });
        await m
          .createQueryBuilder()
          .update(IbSessionEntity)
          .set({ revokedAt: now })
          .where('contract_id = :cid AND revoked_at IS NULL', { cid: c.id })
          .execute();
      }
      await this.audit.append(
        {
          actor,
          action: 'banking.account.closed',
          subject: `bk-account:${id}`,
          details: ended.length ? { terminatedContracts: ended.map((c) => c.id) } : null,
        },
        m,
      );
      return { ...a, status: 'closed', closedOn: tokyoDate(now) };
    });
  }

  async setFlags(
    id: string,
    flags: { paymentStopped?: boolean; garnished?: boolean },
    actor: string,
  ): Promise<AccountEntity> {
    return this.uow.run(async (m) => {
      const a = (await this.ledger.lockAccounts(m, [id])).get(id);
      if (!a || a.kind !== 'deposit') throw bankingError.accountNotFound();
      const patch: Partial<AccountEntity> = { updatedAt: this.clock.now() };
      if (flags.paymentStopped !== undefined) patch.paymentStopped = flags.paymentStopped;
      if (flags.garnished !== undefined) patch.garnished = flags.garnished;
      await m.update(AccountEntity, { id }, patch);
      await this.audit.append(
        { actor, action: 'banking.account.flags', subject: `bk-account:${id}`, details: { ...flags } },
        m,
      );
      return { ...a, ...patch };
    });
  }

  /** Cash over the counter: 現金 ↔ the deposit account. */
  async cash(
    id: string,
    direction: 'deposit' | 'withdrawal',
    amountYen: number,
    actor: string,
  ): Promise<AccountEntity> {
    if (!Number.isSafeInteger(amountYen) || amountYen <= 0)
      throw AppError.badRequest(BankingErrorCode.INVALID_AMOUNT, '金額は1円以上の整数で指定してください。');
    return this.uow.run(async (m) => {
      const locked = await this.ledger.lockAccounts(m, [id]);
      const a = locked.get(id);
      if (!a || a.kind !== 'deposit') throw bankingError.accountNotFound();
      if (a.status === 'closed') throw bankingError.accountClosed();
      if (direction === 'withdrawal') {
        if (a.paymentStopped) throw bankingError.paymentStopped();
        if (a.garnished) throw bankingError.garnished();
      }
      const now = this.clock.now();
      const sign = direction === 'deposit' ? 1 : -1;
      const description = direction === 'deposit' ? '現金入金' : '現金出金';
      const journal = await this.ledger.post(
        m,
        {
          kind: direction === 'deposit' ? 'cash-deposit' : 'cash-withdrawal',
          businessDate: businessDateAt(now),
          valueDate: tokyoDate(now),
          description,
          actor,
          lines: [
            { accountId: id, amountYen: sign * amountYen, description },
            {
              accountId: this.ledger.internalAccountId(InternalAccount.CASH),
              amountYen: -sign * amountYen,
              description,
            },
          ],
        },
        locked,
      );
      await this.audit.append(
        {
          actor,
          action: `banking.cash.${direction}`,
          subject: `bk-account:${id}`,
          details: { amountYen, journalId: journal.id },
        },
        m,
      );
      return a;
    });
  }
}
