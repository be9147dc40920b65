import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AccountEntity } from '../../src/banking/accounts/account.entity';
import { AccountsService } from '../../src/banking/accounts/accounts.service';
import { CustomerEntity } from '../../src/banking/customers/customer.entity';
import { PostingEntity } from '../../src/banking/ledger/journal.entity';
import { LedgerService } from '../../src/banking/ledger/ledger.service';
import { RowCountMismatch, sql } from '../../src/database/sql';
import { UnitOfWork } from '../../src/banking/ledger/unit-of-work';
import { TransferEntity } from '../../src/banking/transfers/transfer.entity';
import { AuditLog } from '../../src/platform/audit/audit-log';
import { SettableClock } from '../../src/platform/clock/clock';
import { CapturingMailSender, createBankingCustomer, openAccount, ownBankTransfer } from '../helpers/banking';
import { createTestApp, destroyTestApp, isPostgres } from '../helpers/test-app';

/**
 * The transfer hot path writes with hand-written statements (one statement per batch on
 * PostgreSQL, named prepared statements): what it writes must read back through TypeORM exactly,
 * carry its audit records, and be all-or-nothing. Run with TEST_DATABASE_URL for PostgreSQL.
 */
describe('banking: hand-written transfer statements (e2e)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  const clock = new SettableClock(new Date('2026-11-20T01:00:00Z'), true);
  const mail = new CapturingMailSender(clock);
  const http = () => request(t.app.getHttpServer());
  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    t = await createTestApp({ clock, overrides: { mail } });
  });
  afterAll(async () => {
    const check = await t.app.get(LedgerService).check();
    expect(check.findings).toEqual([]);
    await destroyTestApp(t);
  });

  async function transferAndConfirm(c: { token: string; email: string }, body: Record<string, unknown>) {
    const req = await http().post('/api/banking/transfers').set(auth(c.token)).send(body);
    expect([req.status, req.body.error]).toEqual([201, undefined]);
    const id = req.body.id as string;
    const res = await http()
      .post(`/api/banking/transfers/${id}/confirm`)
      .set(auth(c.token))
      .send({ code: mail.code(c.email, id) });
    return { id, requested: req.body as Record<string, unknown>, confirmed: res };
  }

  it('reads back through TypeORM exactly what the request and the confirmation wrote', async () => {
    const c = await createBankingCustomer(t, { balanceYen: 50_000 });
    const payee = await openAccount(t, { branchCode: '003' });
    const before = await t.app.get(AccountsService).get(c.accountId);
    const { id, confirmed } = await transferAndConfirm(
      c,
      ownBankTransfer(t, c.accountId, payee.accountNumber, {
        amountYen: 12_345,
        memo: 'ﾃｽﾄ',
        branchCode: '003',
      }),
    );
    expect(confirmed.status).toBe(200);
    const ds = t.app.get(DataSource);
    const row = await ds.getRepository(TransferEntity).findOneByOrFail({ id });
    expect(row).toMatchObject({
      status: 'executed',
      amountYen: 12_345,
      memo: 'ﾃｽﾄ',
      codeHash: null,
      codeAttempts: 0,
      creditAccountId: payee.id,
      feeYen: confirmed.body.feeYen,
      executionDate: confirmed.body.executionDate,
    });
    expect(row.journalId).toMatch(/^[0-9a-f-]{36}$/);
    expect(row.confirmDeadline).toBeInstanceOf(Date);
    expect(row.executedAt?.toISOString()).toBe(confirmed.body.executedAt);
    expect(row.requestedAt.getTime()).toBeLessThanOrEqual(row.executedAt!.getTime());
    const postings = await ds.getRepository(PostingEntity).findBy({ journalId: row.journalId! });
    const debit = postings.find((p) => p.accountId === c.accountId)!;
    const credit = postings.find((p) => p.accountId === payee.id)!;
    expect(debit).toMatchObject({
      amountYen: -(12_345 + row.feeYen),
      balanceAfterYen: 50_000 - 12_345 - row.feeYen,
      accountSeq: before.lastSeq + 1,
    });
    expect(credit).toMatchObject({ amountYen: 12_345, balanceAfterYen: 12_345 });
    expect(postings.reduce((s, p) => s + p.amountYen, 0)).toBe(0);
    const account = await ds.getRepository(AccountEntity).findOneByOrFail({ id: c.accountId });
    expect(account).toMatchObject({ balanceYen: 50_000 - 12_345 - row.feeYen, lastSeq: before.lastSeq + 1 });
  });

  it('records the request and the execution in the audit chain', async () => {
    const c = await createBankingCustomer(t, { balanceYen: 10_000 });
    const payee = await openAccount(t);
    const { id, confirmed } = await transferAndConfirm(
      c,
      ownBankTransfer(t, c.accountId, payee.accountNumber, { amountYen: 1_000 }),
    );
    expect(confirmed.status).toBe(200);
    const audit = t.app.get(AuditLog);
    const entries = await audit.list({ subject: `bk-transfer:${id}` });
    expect(entries.map((e) => e.action).sort()).toEqual([
      'banking.transfer.executed',
      'banking.transfer.requested',
    ]);
    const executed = entries.find((e) => e.action === 'banking.transfer.executed')!;
    expect(executed.actor).toBe(`bk-contract:${c.contractId}`);
    const { journalId } = await t.app.get(DataSource).getRepository(TransferEntity).findOneByOrFail({ id });
    expect(executed.details).toMatchObject({ amountYen: 1_000, journalId });
    expect((await audit.verify()).ok).toBe(true);
  });

  it('posts correctly when the same statements run many times (prepared plans on PostgreSQL)', async () => {
    const c = await createBankingCustomer(t, { balanceYen: 100_000 });
    const payee = await openAccount(t);
    for (let i = 1; i <= 12; i++) {
      const { confirmed } = await transferAndConfirm(
        c,
        ownBankTransfer(t, c.accountId, payee.accountNumber, { amountYen: i * 100 }),
      );
      expect(confirmed.status).toBe(200);
    }
    const accounts = t.app.get(AccountsService);
    expect((await accounts.get(payee.id)).balanceYen).toBe(7_800);
    expect((await accounts.get(c.accountId)).balanceYen).toBe(100_000 - 7_800);
    expect((await t.app.get(LedgerService).check()).ok).toBe(true);
  });

  it('refuses a confirmation whose request was closed between the load and the write, moving nothing', async () => {
    const c = await createBankingCustomer(t, { balanceYen: 10_000 });
    const payee = await openAccount(t);
    const req = await http()
      .post('/api/banking/transfers')
      .set(auth(c.token))
      .send(ownBankTransfer(t, c.accountId, payee.accountNumber, { amountYen: 1_000 }))
      .expect(201);
    const id = req.body.id as string;
    const uow = t.app.get(UnitOfWork);
    const expire = sql`UPDATE bk_transfers SET status = ${'expired'} WHERE id = ${id}`.render(isPostgres());
    // The expiry job does not take the account locks: let it close the request after the
    // confirmation has read it and before its writes (on PostgreSQL from another connection,
    // committed, between the two round trips of UnitOfWork.decide; on SQLite, where writers are
    // serialised, inside the confirmation's transaction).
    const decide = uow.decide.bind(uow);
    const execute = uow.execute.bind(uow);
    const spy = isPostgres()
      ? jest.spyOn(uow, 'decide').mockImplementationOnce((reads, fn) =>
          decide(reads, async (rows) => {
            const d = await fn(rows);
            await t.app.get(DataSource).query(expire.text, expire.values);
            return d;
          }),
        )
      : jest.spyOn(uow, 'execute').mockImplementationOnce(async (m, writes) => {
          await m.query(expire.text, expire.values);
          return execute(m, writes);
        });
    try {
      const res = await http()
        .post(`/api/banking/transfers/${id}/confirm`)
        .set(auth(c.token))
        .send({ code: mail.code(c.email, id) });
      expect([res.status, res.body.error?.code]).toEqual([409, 'TRANSFER_STATE_CONFLICT']);
    } finally {
      spy.mockRestore();
    }
    const accounts = t.app.get(AccountsService);
    expect((await accounts.get(c.accountId)).balanceYen).toBe(10_000);
    expect((await accounts.get(payee.id)).balanceYen).toBe(0);
    const row = await t.app.get(DataSource).getRepository(TransferEntity).findOneByOrFail({ id });
    expect(row.journalId).toBeNull();
    expect(row.status).toBe(isPostgres() ? 'expired' : 'awaiting_confirmation');
  });

  describe('UnitOfWork batches', () => {
    const customer = (id: string): CustomerEntity => ({
      id,
      nameKanji: '試験 一括',
      nameKana: 'ｼｹﾝ ｲｯｶﾂ',
      birthDate: '1980-01-01',
      email: 'batch@example.jp',
      createdAt: new Date(),
    });

    it('commits every write of a batch whose row counts are as expected', async () => {
      const uow = t.app.get(UnitOfWork);
      const id = randomUUID();
      await uow.run((m) =>
        uow.execute(m, [
          { sql: uow.table(CustomerEntity).insert([customer(id)]), rows: 1, what: 'customer' },
          {
            sql: sql`UPDATE bk_customers SET email = ${'batch2@example.jp'} WHERE id = ${id}`,
            what: 'same statement, other row set',
          },
        ]),
      );
      expect(await t.app.get(DataSource).getRepository(CustomerEntity).findOneBy({ id })).not.toBeNull();
    });

    it('rolls back every write of a batch when one changes an unexpected number of rows', async () => {
      const uow = t.app.get(UnitOfWork);
      const id = randomUUID();
      await expect(
        uow.run((m) =>
          uow.execute(m, [
            { sql: uow.table(CustomerEntity).insert([customer(id)]), rows: 1, what: 'customer' },
            {
              sql: sql`UPDATE bk_accounts SET status = status WHERE id = ${randomUUID()}`,
              rows: 1,
              what: 'missing account',
            },
          ]),
        ),
      ).rejects.toThrow('missing account changed 0 rows instead of 1');
      expect(await t.app.get(DataSource).getRepository(CustomerEntity).findOneBy({ id })).toBeNull();
    });

    /** PostgreSQL: connections the pool holds with a transaction left open (must be none). */
    async function openTransactions(): Promise<number> {
      if (!isPostgres()) return 0;
      const [row] = await t.app
        .get(DataSource)
        .query(
          `SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
        );
      return Number(row.n);
    }

    it('decide: reads in order, then commits the decided writes and returns the result', async () => {
      const uow = t.app.get(UnitOfWork);
      const id = randomUUID();
      await uow.write([{ sql: uow.table(CustomerEntity).insert([customer(id)]), what: 'customer' }]);
      const result = await uow.decide(
        [
          sql`SELECT email FROM bk_customers WHERE id = ${id}`,
          sql`SELECT COUNT(*) AS n FROM bk_customers WHERE id = ${id}`,
        ],
        ([first, second]) => ({
          writes: [
            {
              sql: sql`UPDATE bk_customers SET email = ${'decided@example.jp'} WHERE id = ${id}`,
              rows: 1,
              what: 'customer',
            },
          ],
          result: `${String(first[0].email)} ${Number(second[0].n)}`,
        }),
      );
      expect(result).toBe('batch@example.jp 1');
      const repo = t.app.get(DataSource).getRepository(CustomerEntity);
      expect((await repo.findOneByOrFail({ id })).email).toBe('decided@example.jp');
    });

    it('decide: a write with an unexpected row count rolls the whole unit back, COMMIT sent or not', async () => {
      const uow = t.app.get(UnitOfWork);
      const id = randomUUID();
      const missing = {
        sql: sql`UPDATE bk_accounts SET status = status WHERE id = ${randomUUID()}`,
        rows: 1,
        what: 'missing account',
      };
      const err = await uow
        .decide([sql`SELECT 1 AS one`], () => ({
          writes: [
            { sql: uow.table(CustomerEntity).insert([customer(id)]), rows: 1, what: 'customer' },
            missing,
          ],
          result: 'committed',
        }))
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RowCountMismatch);
      expect((err as RowCountMismatch).write.what).toBe('missing account');
      expect((err as RowCountMismatch).actual).toBe(0);
      expect(await t.app.get(DataSource).getRepository(CustomerEntity).findOneBy({ id })).toBeNull();
      expect(await openTransactions()).toBe(0);
    });

    it('decide: a refusal of the decision or a failing read rolls back and leaves every connection usable', async () => {
      const uow = t.app.get(UnitOfWork);
      const id = randomUUID();
      const repo = t.app.get(DataSource).getRepository(CustomerEntity);
      // The first read takes a row lock, so a leaked transaction would also keep the row locked.
      await uow.write([{ sql: uow.table(CustomerEntity).insert([customer(id)]), what: 'customer' }]);
      const lock = sql`SELECT id FROM bk_customers WHERE id = ${id}${uow.lockClause()}`;
      for (let i = 0; i < 25; i++) {
        await expect(
          uow.decide([lock], () => {
            throw new Error('refused by the decision');
          }),
        ).rejects.toThrow('refused by the decision');
        // Compared by message: better-sqlite3's native error class belongs to the first test file
        // that loaded it, so `instanceof Error` (and with it toThrow) fails in later files.
        const failed: unknown = await uow
          .decide([lock, sql`SELECT n FROM bk_no_such_table`], () => ({ writes: [], result: 0 }))
          .catch((e: unknown) => e);
        expect((failed as { message?: string }).message).toMatch(/bk_no_such_table/);
      }
      expect(await openTransactions()).toBe(0);
      await uow.decide([lock], () => ({
        writes: [{ sql: sql`DELETE FROM bk_customers WHERE id = ${id}`, rows: 1, what: 'customer' }],
        result: undefined,
      }));
      expect(await repo.findOneBy({ id })).toBeNull();
    });

    it('writes a stand-alone batch all or nothing', async () => {
      const uow = t.app.get(UnitOfWork);
      const C = uow.table(CustomerEntity);
      const id = randomUUID();
      const taken = randomUUID();
      await uow.write([{ sql: C.insert([customer(taken)]), what: 'customer' }]);
      await expect(
        uow.write([
          { sql: C.insert([customer(id)]), what: 'customer' },
          { sql: C.insert([customer(taken)]), what: 'duplicate customer' },
        ]),
      ).rejects.toThrow();
      const repo = t.app.get(DataSource).getRepository(CustomerEntity);
      expect(await repo.findOneBy({ id })).toBeNull();
      expect(await repo.findOneBy({ id: taken })).not.toBeNull();
    });
  });
});
