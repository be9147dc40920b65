import request from 'supertest';
import { DataSource } from 'typeorm';
import { AccountsService } from '../../src/banking/accounts/accounts.service';
import { LedgerService } from '../../src/banking/ledger/ledger.service';
import { SettableClock } from '../../src/platform/clock/clock';
import { CapturingMailSender, createBankingCustomer, openAccount, ownBankTransfer } from '../helpers/banking';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

/**
 * Concurrency of money movements (run with TEST_DATABASE_URL for PostgreSQL, where requests truly
 * run in parallel on a connection pool; SQLite serialises writers). Confirmations lock the debit
 * account row, so neither the balance nor the daily limit can be overrun by racing requests.
 */
describe('banking: concurrent transfers (e2e)', () => {
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

  async function requestMany(token: string, email: string, body: Record<string, unknown>, n: number) {
    const ids: { id: string; code: string }[] = [];
    for (let i = 0; i < n; i++) {
      const r = await http().post('/api/banking/transfers').set(auth(token)).send(body).expect(201);
      ids.push({ id: r.body.id as string, code: mail.code(email, r.body.id as string) });
    }
    return ids;
  }

  const confirmAll = (token: string, ids: { id: string; code: string }[]) =>
    Promise.all(
      ids.map(({ id, code }) =>
        http().post(`/api/banking/transfers/${id}/confirm`).set(auth(token)).send({ code }),
      ),
    );

  it('50 parallel confirmations against a balance that covers 14: no overdraft, the rest refused', async () => {
    const c = await createBankingCustomer(t, { balanceYen: 100_000 });
    const payee = await openAccount(t);
    const ids = await requestMany(
      c.token,
      c.email,
      ownBankTransfer(t, c.accountId, payee.accountNumber, { amountYen: 7000 }),
      50,
    );
    const results = await confirmAll(c.token, ids);
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    expect(ok).toHaveLength(14);
    expect(
      refused.every(
        (r) =>
          r.status === 422 && (r.body as { error: { code: string } }).error.code === 'INSUFFICIENT_FUNDS',
      ),
    ).toBe(true);
    const accounts = t.app.get(AccountsService);
    expect((await accounts.get(c.accountId)).balanceYen).toBe(2000);
    expect((await accounts.get(payee.id)).balanceYen).toBe(98_000);
    expect((await t.app.get(LedgerService).check()).ok).toBe(true);
  });

  it('parallel confirmations against the daily limit never exceed it', async () => {
    const c = await createBankingCustomer(t, { balanceYen: 10_000_000 });
    const payee = await openAccount(t);
    await http()
      .put(`/api/banking/limits/${c.accountId}`)
      .set(auth(c.token))
      .send({ perDayYen: 50_000 })
      .expect(200);
    const ids = await requestMany(
      c.token,
      c.email,
      ownBankTransfer(t, c.accountId, payee.accountNumber, { amountYen: 7000 }),
      20,
    );
    const results = await confirmAll(c.token, ids);
    expect(results.filter((r) => r.status === 200)).toHaveLength(7);
    expect(
      results
        .filter((r) => r.status === 422)
        .every((r) => (r.body as { error: { code: string } }).error.code === 'LIMIT_PER_DAY_EXCEEDED'),
    ).toBe(true);
    const [{ used }] = await t.app
      .get(DataSource)
      .query<{ used: string | number }[]>(
        `SELECT COALESCE(SUM(amount_yen), 0) AS used FROM bk_transfers WHERE debit_account_id = $1 AND status = 'executed'`.replace(
          '$1',
          t.config.database.type === 'postgres' ? '$1' : '?',
        ),
        [c.accountId],
      );
    expect(Number(used)).toBe(49_000);
    expect((await t.app.get(AccountsService).get(payee.id)).balanceYen).toBe(49_000);
  });

  it('parallel retries with one Idempotency-Key create one transfer and move money once', async () => {
    const c = await createBankingCustomer(t, { balanceYen: 50_000 });
    const payee = await openAccount(t);
    const body = ownBankTransfer(t, c.accountId, payee.accountNumber, { amountYen: 1234 });
    const created = await Promise.all(
      Array.from({ length: 10 }, () =>
        http()
          .post('/api/banking/transfers')
          .set(auth(c.token))
          .set('Idempotency-Key', 'parallel-key-42')
          .send(body),
      ),
    );
    expect(new Set(created.map((r) => r.status))).toEqual(new Set([201]));
    const ids = new Set(created.map((r) => (r.body as { id: string }).id));
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    const code = mail.code(c.email, id);
    const confirmed = await Promise.all(
      Array.from({ length: 10 }, () =>
        http()
          .post(`/api/banking/transfers/${id}/confirm`)
          .set(auth(c.token))
          .set('Idempotency-Key', 'parallel-confirm-42')
          .send({ code }),
      ),
    );
    expect(confirmed.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect((await t.app.get(AccountsService).get(payee.id)).balanceYen).toBe(1234);
    const [{ n }] = await t.app
      .get(DataSource)
      .query<{ n: string | number }[]>(
        `SELECT COUNT(*) AS n FROM bk_journal_entries WHERE transfer_id = '${id}'`,
      );
    expect(Number(n)).toBe(1);
  });
});
