import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager, In } from 'typeorm';
import { Clock } from '../../platform/clock/clock';
import { AccountEntity, InternalAccount } from '../accounts/account.entity';
import { bankingError } from '../banking.errors';
import { LedgerFinding, PostingLine, checkLedger, postingProblem, withoutZeroLines } from './domain/posting';
import { JournalEntryEntity, JournalKind, PostingEntity } from './journal.entity';
import { Sql, Write, join, raw, sql, value } from '../../database/sql';
import { UnitOfWork, isUniqueViolation } from './unit-of-work';

export interface JournalInput {
  kind: JournalKind;
  businessDate: string;
  valueDate: string;
  description: string;
  transferId?: string | null;
  actor: string;
  lines: PostingLine[];
}

export interface LedgerCheckResult {
  ok: boolean;
  depositAccounts: number;
  postings: number;
  journals: number;
  findings: LedgerFinding[];
  /** Derived balances of the internal accounts (liability sign: negative = the bank holds it). */
  internalBalances: Record<string, number>;
}

const INTERNAL: Record<InternalAccount, { id: string; number: string; name: string }> = {
  [InternalAccount.CASH]: { id: '00000000-0000-4000-8000-000000000001', number: '0000001', name: '現金' },
  [InternalAccount.CLEARING]: {
    id: '00000000-0000-4000-8000-000000000002',
    number: '0000002',
    name: '為替決済（全銀）',
  },
  [InternalAccount.FEE_INCOME]: {
    id: '00000000-0000-4000-8000-000000000003',
    number: '0000003',
    name: '受入手数料',
  },
  [InternalAccount.TAX_PAYABLE]: {
    id: '00000000-0000-4000-8000-000000000004',
    number: '0000004',
    name: '仮受消費税',
  },
};

/** What posting and the refusals before it read of a locked deposit account. */
export type LockedAccount = Pick<
  AccountEntity,
  | 'id'
  | 'status'
  | 'paymentStopped'
  | 'garnished'
  | 'balanceYen'
  | 'overdraftLimitYen'
  | 'lastSeq'
  | 'updatedAt'
>;
const LOCKED_COLUMNS = [
  'id',
  'status',
  'paymentStopped',
  'garnished',
  'balanceYen',
  'overdraftLimitYen',
  'lastSeq',
  'updatedAt',
] as const;

const INTERNAL_IDS = new Set(Object.values(INTERNAL).map((a) => a.id));

/**
 * The double-entry ledger: the only writer of postings and deposit balances. Callers run inside a
 * UnitOfWork and lock the deposit accounts they move (lockAccounts) before posting.
 */
@Injectable()
export class LedgerService implements OnModuleInit {
  constructor(
    private readonly uow: UnitOfWork,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  internalAccountId(code: InternalAccount): string {
    return INTERNAL[code].id;
  }

  async onModuleInit(): Promise<void> {
    const repo = this.uow.dataSource.getRepository(AccountEntity);
    const now = this.clock.now();
    for (const [code, a] of Object.entries(INTERNAL)) {
      if (await repo.existsBy({ id: a.id })) continue;
      try {
        await repo.insert({
          id: a.id,
          kind: 'internal',
          internalCode: code,
          branchCode: '000',
          accountType: '9',
          accountNumber: a.number,
          nameKanji: a.name,
          nameKana: code,
          customerId: null,
          status: 'open',
          paymentStopped: false,
          garnished: false,
          overdraftLimitYen: 0,
          balanceYen: 0,
          lastSeq: 0,
          openedOn: '1970-01-01',
          closedOn: null,
          createdAt: now,
          updatedAt: now,
        });
      } catch (e) {
        if (!isUniqueViolation(e)) throw e; // another process created it first
      }
    }
  }

  /** Loads and locks deposit accounts in id order (a fixed order, so two transfers never deadlock). */
  async lockAccounts(m: EntityManager, ids: string[]): Promise<Map<string, AccountEntity>> {
    const unique = [...new Set(ids)].sort();
    if (unique.length === 0) return new Map();
    return this.lockWhere(m, sql`a.id IN (${join(unique.map(value))})`);
  }

  /**
   * Like lockAccounts, for the accounts a transfer moves, read from the transfer row in the same
   * statement (a transfer's debit and credit accounts never change after the request), so a
   * confirmation needs no read before its transaction. Same id order, so still deadlock-free.
   * Returned as the statement and the reading of its rows, for a unit that sends its reads itself
   * (UnitOfWork.decide).
   */
  lockAccountsOfTransferQuery(
    transferId: string,
    contractId: string,
  ): { sql: Sql; read: (rows: Record<string, unknown>[]) => Map<string, LockedAccount> } {
    const of = (column: string) =>
      sql`SELECT t.${raw(column)} FROM bk_transfers t WHERE t.id = ${transferId} AND t.contract_id = ${contractId}`;
    return {
      sql: this.lockSql(
        sql`(a.id IN (${of('debit_account_id')}) OR a.id IN (${of('credit_account_id')}))`,
        LOCKED_COLUMNS,
      ),
      read: (rows) => this.readLocked(rows),
    };
  }

  /**
   * SELECT … ORDER BY id FOR UPDATE, by hand (database/sql.ts): the row lock every money move of an
   * account serialises on, taken in id order.
   */
  private async lockWhere(
    m: EntityManager,
    where: Sql,
    columns?: readonly (keyof AccountEntity)[],
  ): Promise<Map<string, AccountEntity>> {
    return this.readLocked(await this.uow.rows(this.lockSql(where, columns), m));
  }

  private lockSql(where: Sql, columns?: readonly (keyof AccountEntity)[]): Sql {
    const A = this.uow.table(AccountEntity);
    return sql`SELECT ${A.select('a', columns)} FROM ${raw(A.name)} a WHERE ${where} ORDER BY a.id${this.uow.lockClause()}`;
  }

  private readLocked(rows: Record<string, unknown>[]): Map<string, AccountEntity> {
    const A = this.uow.table(AccountEntity);
    const map = new Map<string, AccountEntity>();
    for (const r of rows) {
      const a = A.hydrate(r, 'a')!;
      map.set(a.id, a);
    }
    return map;
  }

  /**
   * Posts one balanced journal entry. Deposit accounts must already be locked in this transaction
   * (pass them in `locked`); their balance and sequence move with the posting. A debit may not take
   * a deposit account below its overdraft limit.
   */
  async post(
    m: EntityManager,
    input: JournalInput,
    locked: Map<string, LockedAccount>,
  ): Promise<JournalEntryEntity> {
    const { journal, writes } = this.prepare(input, locked);
    await this.uow.execute(m, writes);
    return journal;
  }

  /**
   * The checks and computations of `post`, with its writes returned instead of run, so a caller
   * can run them in one batch with its own writes (UnitOfWork.execute: one statement on
   * PostgreSQL). The locked accounts' balance and sequence are advanced here, as in `post`; the
   * caller must run the writes in the same transaction or throw.
   */
  prepare(
    input: JournalInput,
    locked: Map<string, LockedAccount>,
  ): { journal: JournalEntryEntity; writes: Write[] } {
    const lines = withoutZeroLines(input.lines);
    const problem = postingProblem(lines);
    if (problem) throw new Error(`ledger: refusing to post (${problem}) ${input.kind}`);
    const now = this.clock.now();
    const journal: JournalEntryEntity = {
      id: randomUUID(),
      kind: input.kind,
      businessDate: input.businessDate,
      valueDate: input.valueDate,
      description: input.description.slice(0, 200),
      transferId: input.transferId ?? null,
      actor: input.actor,
      createdAt: now,
    };
    const postings: PostingEntity[] = [];
    for (const line of lines) {
      const base = {
        id: randomUUID(),
        journalId: journal.id,
        accountId: line.accountId,
        amountYen: line.amountYen,
        description: line.description.slice(0, 100),
        businessDate: input.businessDate,
        valueDate: input.valueDate,
        createdAt: now,
      };
      if (INTERNAL_IDS.has(line.accountId)) {
        postings.push({ ...base, accountSeq: null, balanceAfterYen: null });
        continue;
      }
      const acct = locked.get(line.accountId);
      if (!acct) throw new Error(`ledger: account ${line.accountId} was not locked before posting`);
      const next = acct.balanceYen + line.amountYen;
      if (line.amountYen < 0 && next < -acct.overdraftLimitYen)
        throw bankingError.insufficientFunds(acct.balanceYen + acct.overdraftLimitYen, -line.amountYen);
      acct.balanceYen = next;
      acct.lastSeq += 1;
      acct.updatedAt = now;
      postings.push({ ...base, accountSeq: acct.lastSeq, balanceAfterYen: next });
    }
    const moved = [...new Set(lines.map((l) => l.accountId))].flatMap((id) => locked.get(id) ?? []);
    const writes: Write[] = [
      { sql: this.uow.table(JournalEntryEntity).insert([journal]), rows: 1, what: 'journal entry' },
      { sql: this.uow.table(PostingEntity).insert(postings), rows: postings.length, what: 'postings' },
    ];
    if (moved.length)
      writes.push({ sql: this.storeBalances(moved, now), rows: moved.length, what: 'balances' });
    return { journal, writes };
  }

  /**
   * The new balance and sequence of every moved deposit account in ONE statement (a transfer
   * moves two): the rows are locked by this transaction, and the values were computed from the
   * locked rows, so this is the same write as one UPDATE per account.
   */
  private storeBalances(accounts: LockedAccount[], now: Date): Sql {
    const A = this.uow.table(AccountEntity);
    const cases = (pick: (a: LockedAccount) => number) =>
      sql`CASE id ${join(
        accounts.map((a) => sql`WHEN ${a.id} THEN CAST(${pick(a)} AS BIGINT)`),
        ' ',
      )} END`;
    return sql`UPDATE ${raw(A.name)} SET balance_yen = ${cases((a) => a.balanceYen)}, last_seq = ${cases(
      (a) => a.lastSeq,
    )}, updated_at = ${A.value('updatedAt', now)} WHERE id IN (${join(accounts.map((a) => value(a.id)))})`;
  }

  /** The ledger invariants (`npm run cli -- ledger check`). Read-only. */
  async check(): Promise<LedgerCheckResult> {
    const ds = this.uow.dataSource;
    const num = (v: unknown) => Number(v ?? 0);
    const suspicious = await ds.query<
      { id: string; balance: unknown; s: unknown; last: unknown }[]
    >(`SELECT x.id, x.balance, x.s, x.last FROM (
         SELECT a.id AS id, a.balance_yen AS balance,
           (SELECT COALESCE(SUM(p.amount_yen), 0) FROM bk_postings p WHERE p.account_id = a.id) AS s,
           (SELECT p2.balance_after_yen FROM bk_postings p2 WHERE p2.account_id = a.id AND p2.account_seq = a.last_seq) AS last
         FROM bk_accounts a WHERE a.kind = 'deposit') x
       WHERE x.balance <> x.s OR COALESCE(x.last, 0) <> x.balance`);
    const unbalanced = await ds.query<{ id: string; s: unknown }[]>(
      `SELECT journal_id AS id, SUM(amount_yen) AS s FROM bk_postings GROUP BY journal_id HAVING SUM(amount_yen) <> 0`,
    );
    const [totals] = await ds.query<{ total: unknown; n: unknown; j: unknown }[]>(
      `SELECT COALESCE(SUM(amount_yen), 0) AS total, COUNT(*) AS n, COUNT(DISTINCT journal_id) AS j FROM bk_postings`,
    );
    const [accounts] = await ds.query<
      {
        n: unknown;
      }[]
    >(`SELECT COUNT(*) AS n FROM bk_accounts WHERE kind = 'deposit'`);
    const internalRows = await ds.query<
      { code: string; s: unknown }[]
    >(`SELECT a.internal_code AS code, COALESCE(SUM(p.amount_yen), 0) AS s FROM bk_accounts a
       LEFT JOIN bk_postings p ON p.account_id = a.id WHERE a.kind = 'internal' GROUP BY a.internal_code`);
    const findings = checkLedger({
      accounts: suspicious.map((r) => ({
        id: r.id,
        balanceYen: num(r.balance),
        postingsSumYen: num(r.s),
        lastBalanceAfterYen: r.last === null ? null : num(r.last),
      })),
      unbalancedJournals: unbalanced.map((r) => ({ id: r.id, sumYen: num(r.s) })),
      totalYen: num(totals.total),
    });
    return {
      ok: findings.length === 0,
      depositAccounts: num(accounts.n),
      postings: num(totals.n),
      journals: num(totals.j),
      findings,
      internalBalances: Object.fromEntries(internalRows.map((r) => [r.code, num(r.s)])),
    };
  }

  /** Postings of one journal (for the back office and tests). */
  postingsOf(m: EntityManager, journalIds: string[]): Promise<PostingEntity[]> {
    return m.getRepository(PostingEntity).findBy({ journalId: In(journalIds) });
  }
}
