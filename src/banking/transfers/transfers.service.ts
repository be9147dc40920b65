import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, In } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { randomDigits, sha256Hex } from '../../common/crypto/secrets';
import { addDays, tokyoParts } from '../../common/time/tokyo-time';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AuditLog } from '../../platform/audit/audit-log';
import { Clock } from '../../platform/clock/clock';
import { KeyVault } from '../../platform/key-vault/key-vault';
import { AccountEntity } from '../accounts/account.entity';
import { BankingErrorCode } from '../banking.errors';
import {
  daysBetween,
  isBusinessDay,
  isValidDate,
  sameDayExecutionAt,
} from '../calendar/domain/business-calendar';
import { ClearingPort, PayeeQuery } from '../clearing/clearing.port';
import { CustomerPrincipal } from '../customers/customer-auth.service';
import { IbContractEntity, IbServiceAccountEntity, PayeeCheckEntity } from '../customers/customer.entity';
import { auditWrite } from '../ledger/audit-write';
import { RowCountMismatch, Sql, Write, join, raw, sql, value } from '../../database/sql';
import { Decision, UnitOfWork, isUniqueViolation } from '../ledger/unit-of-work';
import {
  Limits,
  checkLimits,
  classifyTransfer,
  effectiveLimits,
  feeBand,
  transferFee,
} from './domain/transfer-rules';
import { PayeeAccount, PayeeService, payeeKey } from './payee.service';
import { TransferNotices } from './transfer-notices';
import { DebitAccount, TransferPosting } from './transfer-posting';
import { LIMIT_COUNTED_STATUSES, TransferCaseEntity, TransferEntity } from './transfer.entity';

export interface RequestTransferCommand {
  debitAccountId: string;
  bankCode: string;
  branchCode: string;
  accountType: string;
  accountNumber: string;
  amountYen: number;
  /** Designated date `YYYY-MM-DD`; omitted = as soon as possible. */
  executionDate?: string;
  memo?: string;
}

/** Refusals that leave the request open or concern a closed one: no failure email. */
const QUIET_REFUSALS = new Set<string>([
  BankingErrorCode.CONFIRMATION_CODE_INVALID,
  BankingErrorCode.TRANSFER_STATE_CONFLICT,
]);

/** The confirmation's guarded UPDATE of the transfer (awaiting_confirmation → executed/scheduled). */
const CONFIRMED_STATE = 'transfer state at confirmation';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{8,100}$/;
const TRANSFER_ID = /^[0-9a-f-]{36}$/;

/**
 * BK-08: the amount a debit account has committed for an execution date (the transfers counted
 * against the day's limit). One rule, used on its own and as a subquery of the request and
 * confirmation loads; `account` and `date` are values or column references of the outer query.
 */
function usedSql(account: Sql, date: Sql, excluding?: Sql): Sql {
  return sql`SELECT COALESCE(SUM(u.amount_yen), 0) FROM bk_transfers u WHERE u.debit_account_id = ${account} AND u.execution_date = ${date} AND u.status IN (${join(
    LIMIT_COUNTED_STATUSES.map(value),
  )})${excluding ? sql` AND u.id <> ${excluding}` : raw('')}`;
}

type ContractState = Pick<IbContractEntity, 'id' | 'status' | 'payeeCheckLockedAt'>;

/** The debit account's columns a request reads: the refusals (assertCanDebit) and the fee band. */
const DEBIT_COLUMNS = [
  'id',
  'status',
  'paymentStopped',
  'garnished',
  'balanceYen',
  'overdraftLimitYen',
  'branchCode',
  'nameKana',
] as const;

/** What a request is checked against, read in one query (see requestContext). */
interface RequestContext {
  contract: ContractState;
  sa: IbServiceAccountEntity;
  debit: DebitAccount & Pick<AccountEntity, 'branchCode' | 'nameKana'>;
  /** The customer's address for the code mail, when read with the rest. */
  email?: string;
  /** The debit account's usage of the day's limit on the date asked for, when read with the rest. */
  used?: { executionDate: string; yen: number };
  /** Our deposit account with the payee's number (null: none), when the payee is at our bank. */
  ownBankPayee?: { account: PayeeAccount | null };
  /** An unconsumed check of this payee exists (BK-10): the request withdraws its strike. */
  payeeChecked?: boolean;
}

/** A transfer with what its confirmation is checked against, read in one query (see loadForConfirm). */
interface ConfirmContext {
  t: TransferEntity;
  contract: ContractState;
  sa: IbServiceAccountEntity | null;
  email?: string;
  /** What the debit account has committed on the transfer's date, other than this transfer. */
  usedYen: number;
}

/** Lets a use case commit a state change (attempt counter, failure record) and still refuse. */
class Refusal {
  constructor(readonly error: AppError) {}
}

/**
 * Personal transfers (BK-05..BK-09): request → confirmation with a one-time code bound to the
 * transfer → immediate execution or a reservation; cancellation; 訂正/組戻し cases.
 */
@Injectable()
export class TransfersService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly payees: PayeeService,
    private readonly posting: TransferPosting,
    private readonly notices: TransferNotices,
    private readonly clearing: ClearingPort,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly vault: KeyVault,
  ) {}

  bankLimits(): Limits {
    return {
      perTransferYen: this.config.BANKING_BANK_LIMIT_PER_TRANSFER_YEN,
      perDayYen: this.config.BANKING_BANK_LIMIT_PER_DAY_YEN,
    };
  }

  async serviceAccount(
    m: EntityManager,
    contractId: string,
    accountId: string,
  ): Promise<IbServiceAccountEntity> {
    const sa = await m.getRepository(IbServiceAccountEntity).findOneBy({ contractId, accountId });
    if (!sa)
      throw AppError.forbidden(
        BankingErrorCode.NOT_A_SERVICE_ACCOUNT,
        'サービス利用口座として登録されていない口座です。',
      );
    return sa;
  }

  limitsFor(sa: IbServiceAccountEntity): Limits {
    return effectiveLimits(this.bankLimits(), {
      perTransferYen: sa.limitPerTransferYen ?? undefined,
      perDayYen: sa.limitPerDayYen ?? undefined,
    });
  }

  /** Amount already committed against the day's limit of an account (excluding one transfer). */
  async usedOn(
    m: EntityManager,
    debitAccountId: string,
    executionDate: string,
    excludeId?: string,
  ): Promise<number> {
    const [row] = await this.uow.rows<{ used: string | number }>(
      sql`SELECT (${usedSql(value(debitAccountId), value(executionDate), excludeId ? value(excludeId) : undefined)}) AS used`,
      m,
    );
    return Number(row?.used ?? 0);
  }

  limitError(breach: 'per-transfer' | 'per-day', limits: Limits, used: number): AppError {
    return breach === 'per-transfer'
      ? AppError.unprocessable(
          BankingErrorCode.LIMIT_PER_TRANSFER_EXCEEDED,
          `1回あたりの振込・振替限度額（${limits.perTransferYen.toLocaleString('ja-JP')}円）を超えています。`,
          { limitYen: limits.perTransferYen },
        )
      : AppError.unprocessable(
          BankingErrorCode.LIMIT_PER_DAY_EXCEEDED,
          `1日あたりの振込・振替限度額（${limits.perDayYen.toLocaleString('ja-JP')}円）を超えています。`,
          { limitYen: limits.perDayYen, usedYen: used },
        );
  }

  /** When the transfer would run, or a refusal for a designated date outside the window. */
  timing(
    cmd: Pick<RequestTransferCommand, 'executionDate'>,
    ownBank: boolean,
    now: Date,
  ): { timing: string; executionDate: string; immediate: boolean } {
    const p = tokyoParts(now);
    const today = p.date;
    const cutoff = ownBank ? this.config.BANKING_CUTOFF_OWN_BANK : this.config.BANKING_CUTOFF_OTHER_BANK;
    const sameDay = sameDayExecutionAt(p, cutoff);
    if (!cmd.executionDate || (cmd.executionDate === today && sameDay.immediate)) {
      return { timing: sameDay.immediate ? 'now' : 'next-business-day', ...sameDay };
    }
    const d = cmd.executionDate;
    const max = this.config.BANKING_DESIGNATED_DATE_MAX_DAYS;
    if (!isValidDate(d) || daysBetween(today, d) < 1 || daysBetween(today, d) > max)
      throw AppError.unprocessable(
        BankingErrorCode.DATE_OUT_OF_WINDOW,
        `指定日は翌日から${max}日後（${addDays(today, max)}）までの日付を指定してください。`,
        { from: addDays(today, 1), to: addDays(today, max) },
      );
    if (!isBusinessDay(d))
      throw AppError.unprocessable(
        BankingErrorCode.DATE_NOT_BUSINESS_DAY,
        `${d} は当金庫の休業日です。営業日を指定してください。`,
      );
    return { timing: 'designated', executionDate: d, immediate: false };
  }

  /**
   * What a request is checked against, in ONE query on the happy path (it was six round trips,
   * one of them after the commit): whether a transfer with the same Idempotency-Key exists, the
   * contract's state, the service account, the debit account's columns a request reads, the
   * customer's address, whether an unconsumed check of this payee exists (BK-10) and, when the
   * execution date is already known, the day's limit usage, and the payee's account when it is at
   * our bank (the payee checks themselves still run in PayeeService.resolve). Hand-written SQL
   * (database/sql.ts): the query builder cost more CPU than the query. When the join finds nothing, the
   * separate lookups run as before, in the old order (replay first, then the contract state, then
   * the service account), so every refusal is unchanged.
   */
  private async requestContext(
    m: EntityManager,
    contractId: string,
    debitAccountId: string,
    requestHash: string,
    idempotencyKey: string | undefined,
    executionDate: string | undefined,
    ownBankPayee: PayeeQuery | undefined,
    payee: PayeeQuery,
  ): Promise<RequestContext | { replay: TransferEntity }> {
    const { uow } = this;
    const SA = uow.table(IbServiceAccountEntity);
    const A = uow.table(AccountEntity);
    const T = uow.table(TransferEntity);
    const PC = uow.table(PayeeCheckEntity);
    const columns: Sql[] = [
      SA.select('sa'),
      uow.table(IbContractEntity).select('c', ['id', 'status', 'payeeCheckLockedAt']),
      A.select('a', DEBIT_COLUMNS),
      raw('cu.email AS cu_email'),
      sql`(SELECT pc.id FROM ${raw(PC.name)} pc WHERE pc.contract_id = sa.contract_id AND pc.payee_key = ${payeeKey(
        payee,
      )} AND pc.found = ${PC.value('found', true)} AND pc.consumed = ${PC.value('consumed', false)} LIMIT 1) AS payee_check_id`,
    ];
    const joins: Sql[] = [];
    if (idempotencyKey) {
      // Only whether a first request exists: a replay (a retry) loads it whole below.
      columns.push(T.select('r', ['id']));
      joins.push(
        sql`LEFT JOIN bk_transfers r ON r.contract_id = sa.contract_id AND r.idempotency_key = ${idempotencyKey}`,
      );
    }
    if (ownBankPayee) {
      columns.push(A.select('pa', ['id', 'status', 'nameKana']));
      joins.push(
        sql`LEFT JOIN bk_accounts pa ON pa.branch_code = ${ownBankPayee.branchCode} AND pa.account_type = ${ownBankPayee.accountType} AND pa.account_number = ${ownBankPayee.accountNumber} AND pa.kind = 'deposit'`,
      );
    }
    if (executionDate)
      columns.push(sql`(${usedSql(raw('sa.account_id'), value(executionDate))}) AS used_yen`);
    const [row] = await uow.rows(
      sql`SELECT ${join(columns)} FROM bk_ib_service_accounts sa JOIN bk_ib_contracts c ON c.id = sa.contract_id JOIN bk_accounts a ON a.id = sa.account_id LEFT JOIN bk_customers cu ON cu.id = c.customer_id ${join(
        joins,
        ' ',
      )} WHERE sa.contract_id = ${contractId} AND sa.account_id = ${debitAccountId}`,
      m,
    );
    if (row) {
      if (idempotencyKey && T.hydrate(row, 'r')) {
        const first = await this.replay(contractId, idempotencyKey, requestHash);
        if (first) return { replay: first };
      }
      return {
        contract: uow.table(IbContractEntity).hydrate(row, 'c')!,
        sa: SA.hydrate(row, 'sa')!,
        debit: A.hydrate(row, 'a')!,
        email: (row.cu_email as string | null) ?? undefined,
        used: executionDate ? { executionDate, yen: Number(row.used_yen ?? 0) } : undefined,
        ownBankPayee: ownBankPayee ? { account: A.hydrate(row, 'pa') ?? null } : undefined,
        payeeChecked: row.payee_check_id !== null && row.payee_check_id !== undefined,
      };
    }
    if (idempotencyKey) {
      const first = await this.replay(contractId, idempotencyKey, requestHash);
      if (first) return { replay: first };
    }
    const contract = await m.getRepository(IbContractEntity).findOneByOrFail({ id: contractId });
    this.contractActive(contract);
    if (contract.payeeCheckLockedAt) throw this.payees.lockedError();
    const sa = await this.serviceAccount(m, contractId, debitAccountId);
    const debit = await m.getRepository(AccountEntity).findOneByOrFail({ id: debitAccountId });
    return { contract, sa, debit };
  }

  /**
   * The transfer (of this contract), its contract, the debit service account, the amount already
   * committed against the day's limit and the customer's address in ONE query (four before, plus
   * one after the commit), as the statement and the reading of its rows. Runs after the accounts
   * are locked, so the status and the limit usage read are the ones the posting decision is based
   * on (every money move of the debit account serialises on its row lock).
   */
  private confirmQuery(
    contractId: string,
    id: string,
  ): { sql: Sql; read: (rows: Record<string, unknown>[]) => ConfirmContext } {
    const { uow } = this;
    const T = uow.table(TransferEntity);
    const SA = uow.table(IbServiceAccountEntity);
    const C = uow.table(IbContractEntity);
    return {
      sql: sql`SELECT ${T.select('t')}, ${C.select('c', ['id', 'status', 'payeeCheckLockedAt'])}, ${SA.select(
        'sa',
      )}, cu.email AS cu_email, (${usedSql(
        raw('t.debit_account_id'),
        raw('t.execution_date'),
        raw('t.id'),
      )}) AS used_yen FROM bk_transfers t JOIN bk_ib_contracts c ON c.id = t.contract_id LEFT JOIN bk_ib_service_accounts sa ON sa.contract_id = t.contract_id AND sa.account_id = t.debit_account_id LEFT JOIN bk_customers cu ON cu.id = c.customer_id WHERE t.id = ${id} AND t.contract_id = ${contractId}`,
      read: ([row]) => {
        const t = row && T.hydrate(row, 't');
        if (!t) throw AppError.notFound(BankingErrorCode.TRANSFER_NOT_FOUND, 'お取引が見つかりません。');
        return {
          t,
          contract: C.hydrate(row, 'c')!,
          sa: SA.hydrate(row, 'sa') ?? null,
          email: (row.cu_email as string | null) ?? undefined,
          usedYen: Number(row.used_yen ?? 0),
        };
      },
    };
  }

  private contractActive(c: Pick<IbContractEntity, 'status'>): void {
    if (c.status !== 'active')
      throw AppError.forbidden(
        BankingErrorCode.CONTRACT_NOT_ACTIVE,
        'ご契約が有効ではないためお取扱いできません。',
      );
  }

  async request(
    p: CustomerPrincipal,
    cmd: RequestTransferCommand,
    idempotencyKey?: string,
  ): Promise<TransferEntity> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey))
      throw AppError.badRequest(
        BankingErrorCode.INVALID_IDEMPOTENCY_KEY,
        'Idempotency-Key must be 8-100 characters of A-Z a-z 0-9 . _ : -',
      );
    if (!Number.isSafeInteger(cmd.amountYen) || cmd.amountYen < 1)
      throw AppError.badRequest(BankingErrorCode.INVALID_AMOUNT, '金額は1円以上の整数で入力してください。');
    const memo = (cmd.memo ?? '').trim().slice(0, 30);
    const requestHash = sha256Hex(
      JSON.stringify([
        cmd.debitAccountId,
        cmd.bankCode,
        cmd.branchCode,
        cmd.accountType,
        cmd.accountNumber,
        cmd.amountYen,
        cmd.executionDate ?? null,
        memo,
      ]),
    );
    const m0 = this.uow.dataSource.manager;
    const q = {
      bankCode: cmd.bankCode,
      branchCode: cmd.branchCode,
      accountType: cmd.accountType,
      accountNumber: cmd.accountNumber,
    };
    const now = this.clock.now();
    // The execution date depends only on the request, whether the payee is at our bank and the
    // time, so the day's limit usage can be read with the contract. A refusal here is raised
    // again below, at its old place in the order of checks.
    let early: ReturnType<TransfersService['timing']> | undefined;
    try {
      early = this.timing(cmd, q.bankCode === this.config.BANK_CODE, now);
    } catch {
      early = undefined;
    }
    const ctx = await this.requestContext(
      m0,
      p.contractId,
      cmd.debitAccountId,
      requestHash,
      idempotencyKey,
      early?.executionDate,
      // An own-bank payee is a read of our own accounts table: it joins the same query. Other
      // banks' payees are asked of the clearing network once the contract checks pass, as before.
      q.bankCode === this.config.BANK_CODE ? q : undefined,
      q,
    );
    if ('replay' in ctx) return ctx.replay; // Mojaloop-style: same key + same request → the first result
    const { contract, sa, debit, email } = ctx;
    this.contractActive(contract);
    if (contract.payeeCheckLockedAt) throw this.payees.lockedError();
    const payee = await this.payees.resolve(q, m0, ctx.ownBankPayee);
    if (payee.account?.id === debit.id)
      throw AppError.unprocessable(
        BankingErrorCode.PAYEE_SAME_AS_DEBIT,
        'お支払口座と同じ口座には振り込めません。',
      );
    const me = { bankCode: this.config.BANK_CODE, branchCode: debit.branchCode, nameKana: debit.nameKana };
    const kind = classifyTransfer(me, {
      bankCode: payee.bankCode,
      branchCode: payee.branchCode,
      nameKana: payee.nameKana,
    });
    const band = feeBand(me, payee);
    const feeYen = transferFee(
      {
        sameBranchYen: this.config.BANKING_FEE_SAME_BRANCH_YEN,
        otherBranchBelowYen: this.config.BANKING_FEE_OTHER_BRANCH_BELOW_YEN,
        otherBranchAboveYen: this.config.BANKING_FEE_OTHER_BRANCH_ABOVE_YEN,
        otherBankBelowYen: this.config.BANKING_FEE_OTHER_BANK_BELOW_YEN,
        otherBankAboveYen: this.config.BANKING_FEE_OTHER_BANK_ABOVE_YEN,
        thresholdYen: this.config.BANKING_FEE_THRESHOLD_YEN,
      },
      kind,
      band,
      cmd.amountYen,
    );
    // payee.ownBank is the bank-code test `early` was computed with: same inputs, same answer.
    const when = early ?? this.timing(cmd, payee.ownBank, now);
    const id = randomUUID();
    const t: TransferEntity = {
      id,
      contractId: p.contractId,
      debitAccountId: debit.id,
      kind,
      feeBand: band,
      payeeBankCode: payee.bankCode,
      payeeBankName: payee.bankName,
      payeeBranchCode: payee.branchCode,
      payeeBranchName: payee.branchName,
      payeeAccountType: payee.accountType,
      payeeAccountNumber: payee.accountNumber,
      payeeNameKana: payee.nameKana,
      creditAccountId: payee.account?.id ?? null,
      amountYen: cmd.amountYen,
      feeYen,
      memo,
      status: 'awaiting_confirmation',
      timing: when.timing,
      executionDate: when.executionDate,
      confirmDeadline: new Date(now.getTime() + this.config.BANKING_CONFIRM_WINDOW_SECONDS * 1000),
      codeHash: null,
      codeAttempts: 0,
      idempotencyKey: idempotencyKey ?? null,
      requestHash,
      confirmKey: null,
      journalId: null,
      returnJournalId: null,
      clearingRef: null,
      failureCode: null,
      failureMessage: null,
      requestedAt: now,
      confirmedAt: null,
      executedAt: null,
      closedAt: null,
      updatedAt: now,
    };
    // Refuse early what would certainly fail at confirmation (the binding checks run again there).
    this.posting.assertCanDebit(debit, payee.account, when.immediate ? t : { ...t, amountYen: 0, feeYen: 0 });
    const limits = this.limitsFor(sa);
    const used =
      ctx.used?.executionDate === when.executionDate
        ? ctx.used.yen
        : await this.usedOn(m0, debit.id, when.executionDate);
    const breach = checkLimits(limits, used, cmd.amountYen);
    if (breach) throw this.limitError(breach, limits, used);
    // The code is bound to this transfer: its hash covers the transfer id.
    const code = randomDigits(this.config.BANKING_CONFIRM_CODE_DIGITS);
    t.codeHash = this.vault.codeDigest(code, id);
    // The transfer and its audit record, as one atomic write: on PostgreSQL a single statement
    // (UnitOfWork.write), so a request costs two round trips (the context read and this).
    const writes: Write[] = [
      { sql: this.uow.table(TransferEntity).insert([t]), rows: 1, what: 'transfer' },
      auditWrite(
        this.uow,
        {
          actor: `bk-contract:${p.contractId}`,
          action: 'banking.transfer.requested',
          subject: `bk-transfer:${id}`,
          details: {
            kind,
            amountYen: t.amountYen,
            feeYen,
            executionDate: t.executionDate,
            timing: t.timing,
            payee: `${payee.bankCode}-${payee.branchCode}-${payee.accountNumber}`,
          },
        },
        this.clock.now(),
      ),
    ];
    try {
      if (ctx.payeeChecked === false) await this.uow.write(writes);
      else
        await this.uow.run(async (m) => {
          await this.uow.execute(m, writes);
          await this.payees.consume(m, p.contractId, q);
        });
    } catch (e) {
      if (idempotencyKey && isUniqueViolation(e)) {
        const first = await this.replay(p.contractId, idempotencyKey, requestHash);
        if (first) return first;
      }
      throw e;
    }
    await this.notices.sendCode(t, code, email);
    return t;
  }

  /** Mojaloop-style duplicate detection: same key + same request → the first result. */
  private async replay(
    contractId: string,
    key: string,
    requestHash: string,
  ): Promise<TransferEntity | undefined> {
    const first = await this.uow.dataSource
      .getRepository(TransferEntity)
      .findOneBy({ contractId, idempotencyKey: key });
    return first ? this.sameRequest(first, requestHash) : undefined;
  }

  private sameRequest(first: TransferEntity, requestHash: string): TransferEntity {
    if (first.requestHash !== requestHash)
      throw AppError.unprocessable(
        BankingErrorCode.IDEMPOTENCY_KEY_REUSED,
        'この Idempotency-Key は別の内容の依頼ですでに使われています。',
      );
    return first;
  }

  async get(
    contractId: string,
    id: string,
    m: EntityManager = this.uow.dataSource.manager,
  ): Promise<TransferEntity> {
    const t = TRANSFER_ID.test(id)
      ? await m.getRepository(TransferEntity).findOneBy({ id, contractId })
      : null;
    if (!t) throw AppError.notFound(BankingErrorCode.TRANSFER_NOT_FOUND, 'お取引が見つかりません。');
    return t;
  }

  list(contractId: string, statuses?: string[]): Promise<TransferEntity[]> {
    return this.uow.dataSource.getRepository(TransferEntity).find({
      where: { contractId, ...(statuses?.length ? { status: In(statuses) } : {}) },
      order: { requestedAt: 'DESC' },
      take: 200,
    });
  }

  /**
   * BK-05: the request becomes final only with the right code within the window. Under the debit
   * account's row lock (all money moves on an account serialise on it) the limits and the balance
   * are checked and the money posted, so concurrent confirmations can never exceed either, and a
   * retried confirmation never posts twice.
   */
  async confirm(
    p: CustomerPrincipal,
    id: string,
    code: string,
    confirmKey?: string,
  ): Promise<TransferEntity> {
    if (!TRANSFER_ID.test(id))
      throw AppError.notFound(BankingErrorCode.TRANSFER_NOT_FOUND, 'お取引が見つかりません。');
    const actor = `bk-contract:${p.contractId}`;
    let fresh = false;
    let email: string | undefined;
    // Lock first (debit and our credit account, in id order, ids read from the transfer row in the
    // same statement), then read the transfer: its status is only decided under the lock. Both
    // reads go out with the BEGIN, and the writes with the COMMIT (UnitOfWork.decide).
    const lock = this.posting.lockForTransferQuery(id, p.contractId);
    const load = this.confirmQuery(p.contractId, id);
    const T = this.uow.table(TransferEntity);
    // Every write of a confirmation changes the transfer only while it still awaits confirmation:
    // the expiry job closes requests without the account locks, and if it closed this one between
    // the read and the write, the guarded UPDATE finds nothing and the whole batch rolls back.
    const transferWrite = (patch: Partial<TransferEntity>): Write => ({
      sql: sql`UPDATE ${raw(T.name)} SET ${T.set(patch)} WHERE id = ${id} AND status = ${T.value(
        'status',
        'awaiting_confirmation',
      )}`,
      rows: 1,
      what: CONFIRMED_STATE,
    });
    const outcome = await this.uow
      .decide([lock.sql, load.sql], ([lockedRows, loadedRows]): Decision<TransferEntity | Refusal> => {
        const locked = lock.read(lockedRows);
        const loaded = load.read(loadedRows);
        const { t, contract } = loaded;
        email = loaded.email;
        if (t.status !== 'awaiting_confirmation') {
          // a retry of the confirmation that succeeded
          if (confirmKey && t.confirmKey === confirmKey) return { writes: [], result: t };
          return {
            writes: [],
            result: new Refusal(
              AppError.conflict(
                BankingErrorCode.TRANSFER_STATE_CONFLICT,
                'このお取引はすでに確定または終了しています。',
                { status: t.status },
              ),
            ),
          };
        }
        const now = this.clock.now();
        const close = (status: 'expired' | 'failed', err: AppError): Decision<Refusal> => ({
          writes: [
            transferWrite({
              status,
              codeHash: null,
              failureCode: err.code,
              failureMessage: err.message.slice(0, 200),
              closedAt: now,
              updatedAt: now,
            }),
            auditWrite(
              this.uow,
              {
                actor,
                action: `banking.transfer.${status}`,
                subject: `bk-transfer:${id}`,
                details: { code: err.code },
              },
              now,
            ),
          ],
          result: new Refusal(err),
        });
        if (now > t.confirmDeadline)
          return close(
            'expired',
            AppError.unprocessable(
              BankingErrorCode.CONFIRMATION_EXPIRED,
              '確認の有効時間を過ぎました。はじめからやり直してください。',
            ),
          );
        if (!this.vault.codeMatches(t.codeHash, code, id)) {
          const attempts = t.codeAttempts + 1;
          const left = this.config.BANKING_CONFIRM_MAX_ATTEMPTS - attempts;
          const err = AppError.unprocessable(
            BankingErrorCode.CONFIRMATION_CODE_INVALID,
            left > 0
              ? `確認コードが正しくありません（あと${left}回）。`
              : '確認コードの誤りが所定回数に達したため、このお取引は無効になりました。',
            { attemptsLeft: Math.max(0, left) },
          );
          if (left <= 0) return close('expired', err);
          return {
            writes: [transferWrite({ codeAttempts: attempts, updatedAt: now })],
            result: new Refusal(err),
          };
        }
        if (contract.status !== 'active')
          return close(
            'failed',
            AppError.forbidden(
              BankingErrorCode.CONTRACT_NOT_ACTIVE,
              'ご契約が有効ではないためお取扱いできません。',
            ),
          );
        if (t.timing !== 'designated') {
          const again = this.timing({}, t.payeeBankCode === this.config.BANK_CODE, now);
          if (again.executionDate !== t.executionDate)
            return close(
              'expired',
              AppError.conflict(
                BankingErrorCode.EXECUTION_DATE_CHANGED,
                `受付時限を過ぎたため実行日が ${again.executionDate} に変わります。内容をご確認のうえ、もう一度ご依頼ください。`,
                { executionDate: again.executionDate },
              ),
            );
        }
        const debit = locked.get(t.debitAccountId);
        const credit = t.creditAccountId ? locked.get(t.creditAccountId) : undefined;
        const immediate = t.timing === 'now';
        try {
          this.posting.assertCanDebit(debit, credit, immediate ? t : { ...t, amountYen: 0, feeYen: 0 });
        } catch (e) {
          if (e instanceof AppError) return close('failed', e);
          throw e;
        }
        if (!loaded.sa)
          throw AppError.forbidden(
            BankingErrorCode.NOT_A_SERVICE_ACCOUNT,
            'サービス利用口座として登録されていない口座です。',
          );
        const limits = this.limitsFor(loaded.sa);
        const used = loaded.usedYen;
        const breach = checkLimits(limits, used, t.amountYen);
        if (breach) return close('failed', this.limitError(breach, limits, used));
        const patch: Partial<TransferEntity> = {
          confirmedAt: now,
          codeHash: null,
          confirmKey: confirmKey ?? null,
          updatedAt: now,
        };
        // The posting (journal, postings, balances), the transfer's new state and the audit record
        // as one batch: one statement on PostgreSQL, checked row counts, all under the row locks.
        const writes: Write[] = [];
        if (immediate) {
          const { journal, writes: posting } = this.posting.prepare(t, locked, now, actor);
          writes.push(...posting);
          Object.assign(patch, { status: 'executed', executedAt: now, journalId: journal.id });
        } else {
          patch.status = 'scheduled';
        }
        writes.push(
          transferWrite(patch),
          auditWrite(
            this.uow,
            {
              actor,
              action: immediate ? 'banking.transfer.executed' : 'banking.transfer.scheduled',
              subject: `bk-transfer:${id}`,
              details: {
                amountYen: t.amountYen,
                feeYen: t.feeYen,
                executionDate: t.executionDate,
                journalId: patch.journalId ?? null,
              },
            },
            this.clock.now(),
          ),
        );
        fresh = true;
        return { writes, result: { ...t, ...patch } };
      })
      .catch((e: unknown) => {
        if (e instanceof RowCountMismatch && e.write.what === CONFIRMED_STATE)
          throw AppError.conflict(
            BankingErrorCode.TRANSFER_STATE_CONFLICT,
            'このお取引はすでに確定または終了しています。',
          );
        throw e;
      });
    if (outcome instanceof Refusal) {
      if (!QUIET_REFUSALS.has(outcome.error.code))
        await this.notices.send(await this.get(p.contractId, id), 'failed', outcome.error.message);
      throw outcome.error;
    }
    if (!fresh) return outcome;
    if (outcome.status === 'executed') {
      await this.sendToClearing(outcome);
      await this.notices.send(outcome, 'executed', '', email);
    } else {
      await this.notices.send(outcome, 'scheduled', '', email);
    }
    return outcome;
  }

  /** Other-bank transfers leave through the clearing port once the debit has committed. */
  async sendToClearing(t: TransferEntity): Promise<void> {
    if (t.creditAccountId || t.clearingRef) return;
    const debit = await this.uow.dataSource
      .getRepository(AccountEntity)
      .findOneByOrFail({ id: t.debitAccountId });
    const { reference } = await this.clearing.send({
      transferId: t.id,
      bankCode: t.payeeBankCode,
      branchCode: t.payeeBranchCode,
      accountType: t.payeeAccountType,
      accountNumber: t.payeeAccountNumber,
      amountYen: t.amountYen,
      payeeNameKana: t.payeeNameKana,
      remitterNameKana: debit.nameKana,
      executionDate: t.executionDate,
    });
    t.clearingRef = reference;
    await this.uow.dataSource.getRepository(TransferEntity).update({ id: t.id }, { clearingRef: reference });
  }

  /** BK-09: reservations (and unconfirmed requests) can be cancelled until processed. */
  async cancel(p: CustomerPrincipal, id: string): Promise<TransferEntity> {
    const pre = await this.get(p.contractId, id);
    const t = await this.uow.run(async (m) => {
      await this.posting.lockFor(m, pre);
      const t = await this.get(p.contractId, id, m);
      if (t.status !== 'scheduled' && t.status !== 'awaiting_confirmation')
        throw AppError.conflict(
          BankingErrorCode.TRANSFER_NOT_CANCELLABLE,
          '処理済みまたは終了したお取引は取り消せません。訂正・組戻しをご依頼ください。',
          { status: t.status },
        );
      const now = this.clock.now();
      await m.update(
        TransferEntity,
        { id },
        { status: 'cancelled', codeHash: null, closedAt: now, updatedAt: now },
      );
      // BK-10: a cancelled reservation counts toward the payee-check lock.
      if (t.status === 'scheduled')
        await this.payees.strike(m, await this.payees.lockContract(m, p.contractId), 'cancelled');
      await this.audit.append(
        {
          actor: `bk-contract:${p.contractId}`,
          action: 'banking.transfer.cancelled',
          subject: `bk-transfer:${id}`,
          details: { was: t.status },
        },
        m,
      );
      return { ...t, status: 'cancelled' as const };
    });
    await this.notices.send(t, 'cancelled');
    return t;
  }

  /** BK-09: 訂正/組戻し after confirmation is a case with a fee, processed by staff. */
  async openCase(
    p: CustomerPrincipal,
    id: string,
    kind: 'correction' | 'recall',
    reason: string,
  ): Promise<TransferCaseEntity> {
    return this.uow.run(async (m) => {
      const t = await this.get(p.contractId, id, m);
      if (t.status !== 'executed')
        throw AppError.unprocessable(
          BankingErrorCode.CASE_NOT_ALLOWED,
          t.status === 'scheduled'
            ? '予約中のお取引は取消しをご利用ください。'
            : '実行済みのお取引に限り訂正・組戻しを依頼できます。',
          { status: t.status },
        );
      const c: TransferCaseEntity = {
        id: randomUUID(),
        transferId: id,
        contractId: p.contractId,
        kind,
        reason: reason.trim().slice(0, 500),
        feeYen: this.config.BANKING_RECALL_FEE_YEN,
        status: 'open',
        resolvedBy: null,
        resolutionNote: null,
        journalId: null,
        createdAt: this.clock.now(),
        resolvedAt: null,
      };
      await m.insert(TransferCaseEntity, c);
      await this.audit.append(
        {
          actor: `bk-contract:${p.contractId}`,
          action: `banking.case.${kind}.opened`,
          subject: `bk-transfer:${id}`,
          details: { caseId: c.id, feeYen: c.feeYen },
        },
        m,
      );
      return c;
    });
  }

  listCases(contractId: string): Promise<TransferCaseEntity[]> {
    return this.uow.dataSource
      .getRepository(TransferCaseEntity)
      .find({ where: { contractId }, order: { createdAt: 'DESC' } });
  }

  /** Customer-set limits within the bank's (BK-08; seed 003 §5-2). */
  async setLimits(
    p: CustomerPrincipal,
    accountId: string,
    limits: { perTransferYen?: number | null; perDayYen?: number | null },
  ): Promise<IbServiceAccountEntity> {
    const bank = this.bankLimits();
    for (const [k, v] of Object.entries(limits)) {
      if (v === null || v === undefined) continue;
      if (!Number.isSafeInteger(v) || v < 0)
        throw AppError.badRequest(
          BankingErrorCode.INVALID_AMOUNT,
          '限度額は0円以上の整数で指定してください。',
        );
      const max = k === 'perTransferYen' ? bank.perTransferYen : bank.perDayYen;
      if (v > max)
        throw AppError.unprocessable(
          BankingErrorCode.LIMIT_ABOVE_BANK_LIMIT,
          `当金庫所定の限度額（${max.toLocaleString('ja-JP')}円）以下で指定してください。`,
          { field: k, maxYen: max },
        );
    }
    return this.uow.run(async (m) => {
      const sa = await this.serviceAccount(m, p.contractId, accountId);
      const patch: Partial<IbServiceAccountEntity> = {};
      if (limits.perTransferYen !== undefined) patch.limitPerTransferYen = limits.perTransferYen;
      if (limits.perDayYen !== undefined) patch.limitPerDayYen = limits.perDayYen;
      await m.update(IbServiceAccountEntity, { id: sa.id }, patch);
      await this.audit.append(
        {
          actor: `bk-contract:${p.contractId}`,
          action: 'banking.limits.set',
          subject: `bk-account:${accountId}`,
          details: { ...patch },
        },
        m,
      );
      return { ...sa, ...patch };
    });
  }
}
