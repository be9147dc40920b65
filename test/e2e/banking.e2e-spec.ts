import request from 'supertest';
import { DataSource } from 'typeorm';
import { TransferEntity } from '../../src/banking/transfers/transfer.entity';
import { IbContractEntity } from '../../src/banking/customers/customer.entity';
import { LedgerService } from '../../src/banking/ledger/ledger.service';
import { TransferExecutionService } from '../../src/banking/transfers/transfer-execution.service';
import { AccountsService } from '../../src/banking/accounts/accounts.service';
import { ContractsService } from '../../src/banking/customers/contracts.service';
import { StaffRole } from '../../src/identity/auth/principal';
import { SettableClock } from '../../src/platform/clock/clock';
import {
  CapturingMailSender,
  TEST_PASSWORD,
  createBankingCustomer,
  loginBearer,
  openAccount,
  ownBankTransfer,
} from '../helpers/banking';
import { createStaff } from '../helpers/identity';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

// Friday 2026-11-20 10:00 JST (Monday 11-23 is 勤労感謝の日).
const FRIDAY_10 = new Date('2026-11-20T01:00:00Z');

describe('banking: personal internet banking (e2e)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  const clock = new SettableClock(FRIDAY_10);
  const mail = new CapturingMailSender(clock);
  const http = () => request(t.app.getHttpServer());
  const jobs = () => t.app.get(TransferExecutionService);

  beforeAll(async () => {
    t = await createTestApp({ clock, overrides: { mail }, env: { BANKING_SIM_RETURN_DELAY_SECONDS: '60' } });
  });
  afterAll(async () => {
    const check = await t.app.get(LedgerService).check();
    expect(check.findings).toEqual([]);
    expect(check.ok).toBe(true);
    await destroyTestApp(t);
  });
  beforeEach(() => clock.set(FRIDAY_10));

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const transfer = async (token: string, body: Record<string, unknown>, key?: string) => {
    const req = http().post('/api/banking/transfers').set(auth(token));
    if (key) req.set('Idempotency-Key', key);
    return req.send(body);
  };
  const confirm = (token: string, id: string, code: string) =>
    http().post(`/api/banking/transfers/${id}/confirm`).set(auth(token)).send({ code });
  const balance = async (id: string) => (await t.app.get(AccountsService).get(id)).balanceYen;

  describe('login (BK-16)', () => {
    it('logs in with cookies, answers /session, and refuses writes without the CSRF header', async () => {
      const c = await createBankingCustomer(t);
      const res = await http()
        .post('/api/banking/session')
        .send({ loginId: c.loginId, password: c.password })
        .expect(200);
      const cookies = res.headers['set-cookie'] as unknown as string[];
      const session = cookies.find((x) => x.startsWith('bk_session='))!;
      expect(session).toMatch(/HttpOnly/);
      expect(session).toMatch(/SameSite=Strict/);
      const csrf = /csrf=([^;]+)/.exec(cookies.find((x) => x.startsWith('csrf='))!)![1];
      const cookieHeader = cookies.map((x) => x.split(';')[0]).join('; ');
      const me = await http().get('/api/banking/session').set('Cookie', cookieHeader).expect(200);
      expect(me.body.loginId).toBe(c.loginId);
      const body = ownBankTransfer(t, c.accountId, '9999999', { amountYen: 1 });
      const noCsrf = await http().post('/api/banking/transfers').set('Cookie', cookieHeader).send(body);
      expect(noCsrf.status).toBe(403);
      expect(noCsrf.body.error.code).toBe('CSRF_FAILED');
      const wrongCsrf = await http()
        .post('/api/banking/transfers')
        .set('Cookie', cookieHeader)
        .set('X-CSRF-Token', 'x' + csrf)
        .send(body);
      expect(wrongCsrf.body.error.code).toBe('CSRF_FAILED');
      const withCsrf = await http()
        .post('/api/banking/transfers')
        .set('Cookie', cookieHeader)
        .set('X-CSRF-Token', csrf)
        .send(body);
      expect(withCsrf.body.error.code).toBe('PAYEE_NOT_FOUND'); // authenticated, CSRF accepted
      await http()
        .delete('/api/banking/session')
        .set('Cookie', cookieHeader)
        .set('X-CSRF-Token', csrf)
        .expect(204);
      await http().get('/api/banking/session').set('Cookie', cookieHeader).expect(401);
    });

    it('locks after the set number of wrong passwords; accepted reservations stay valid; staff unlock', async () => {
      const c = await createBankingCustomer(t, { balanceYen: 100_000 });
      const payee = await openAccount(t, { branchCode: '003' });
      const r = await transfer(
        c.token,
        ownBankTransfer(t, c.accountId, payee.accountNumber, {
          branchCode: '003',
          amountYen: 1000,
          executionDate: '2026-11-24',
        }),
      );
      await confirm(c.token, r.body.id, mail.code(c.email, r.body.id)).expect(200);
      for (let i = 1; i <= 5; i++) {
        const bad = await http()
          .post('/api/banking/session')
          .send({ loginId: c.loginId, password: 'wrong-password' });
        expect(bad.status).toBe(401);
        expect(bad.body.error.code).toBe('INVALID_CREDENTIALS');
      }
      const sixth = await http()
        .post('/api/banking/session')
        .send({ loginId: c.loginId, password: 'wrong-password' });
      expect(sixth.status).toBe(403);
      expect(sixth.body.error.code).toBe('LOGIN_LOCKED');
      const right = await http()
        .post('/api/banking/session')
        .send({ loginId: c.loginId, password: c.password });
      expect(right.body.error.code).toBe('LOGIN_LOCKED');
      // seed 003 §3-9: requests already accepted stay valid.
      clock.set(new Date('2026-11-24T00:00:00Z'));
      await jobs().runDue();
      expect(await balance(payee.id)).toBe(1000);
      await t.app.get(ContractsService).unlock(c.contractId, { login: true }, 'test');
      await http()
        .post('/api/banking/session')
        .send({ loginId: c.loginId, password: c.password })
        .expect(200);
    });

    it('refuses unknown IDs the same way as wrong passwords, and terminated contracts', async () => {
      const unknown = await http()
        .post('/api/banking/session')
        .send({ loginId: 'nobody-here', password: 'whatever-pass' });
      expect(unknown.status).toBe(401);
      expect(unknown.body.error.code).toBe('INVALID_CREDENTIALS');
      const c = await createBankingCustomer(t, { balanceYen: 10_000 });
      const payee = await openAccount(t);
      const r = await transfer(
        c.token,
        ownBankTransfer(t, c.accountId, payee.accountNumber, { amountYen: 100, executionDate: '2026-11-24' }),
      );
      await confirm(c.token, r.body.id, mail.code(c.email, r.body.id)).expect(200);
      // BK-18: not at the customer's request while a reservation is unprocessed; forced by the bank it is.
      await expect(
        t.app.get(ContractsService).setStatus(c.contractId, 'terminated', 'test'),
      ).rejects.toMatchObject({ code: 'CONTRACT_HAS_RESERVATIONS' });
      await t.app.get(ContractsService).setStatus(c.contractId, 'terminated', 'test', 'forced', true);
      await http().get('/api/banking/accounts').set(auth(c.token)).expect(401);
      const again = await http()
        .post('/api/banking/session')
        .send({ loginId: c.loginId, password: c.password });
      expect(again.body.error.code).toBe('CONTRACT_NOT_ACTIVE');
    });

    it('ends the contract when its representative account closes (BK-18) and does not run its reservations', async () => {
      const c = await createBankingCustomer(t, { balanceYen: 5000, extraAccounts: 1 });
      const payee = await openAccount(t);
      const accounts = t.app.get(AccountsService);
      // The reservation is on the other service account, which stays open.
      await accounts.cash(c.serviceAccountIds[0], 'deposit', 3000, 'test');
      const r = await transfer(
        c.token,
        ownBankTransfer(t, c.serviceAccountIds[0], payee.accountNumber, {
          amountYen: 1000,
          executionDate: '2026-11-24',
        }),
      );
      await confirm(c.token, r.body.id, mail.code(c.email, r.body.id)).expect(200);
      await accounts.cash(c.accountId, 'withdrawal', 5000, 'test');
      await accounts.close(c.accountId, 'test');
      await http().get('/api/banking/accounts').set(auth(c.token)).expect(401);
      expect(
        (await http().post('/api/banking/session').send({ loginId: c.loginId, password: c.password })).body
          .error.code,
      ).toBe('CONTRACT_NOT_ACTIVE');
      clock.set(new Date('2026-11-24T00:00:00Z'));
      expect((await jobs().runDue()).cancelled).toBeGreaterThanOrEqual(1);
      expect(await balance(payee.id)).toBe(0);
      expect(await balance(c.serviceAccountIds[0])).toBe(3000);
    });

    it('documents the banking API in OpenAPI', async () => {
      const doc = await http().get('/api/openapi.json').expect(200);
      for (const p of [
        '/api/banking/session',
        '/api/banking/accounts/{id}/transactions',
        '/api/banking/transfers',
        '/api/banking/transfers/{id}/confirm',
        '/api/banking/payees/check',
        '/api/banking/limits/{accountId}',
        '/api/banking/back-office/accounts',
      ])
        expect(Object.keys(doc.body.paths as object)).toContain(p);
    });

    it('refuses a short password, an under-age customer and a service account at another branch', async () => {
      const contracts = t.app.get(ContractsService);
      await expect(
        contracts.registerCustomer(
          { nameKanji: '若者', nameKana: 'ﾜｶﾓﾉ', birthDate: '2009-11-21', email: 'y@example.jp' },
          'test',
        ),
      ).rejects.toMatchObject({ code: 'CUSTOMER_TOO_YOUNG' });
      const ok = await contracts.registerCustomer(
        { nameKanji: '大人', nameKana: 'ｵﾄﾅ', birthDate: '2008-11-20', email: 'a@example.jp' },
        'test',
      );
      const a = await openAccount(t, { customerId: ok.id, nameKana: 'ｵﾄﾅ' });
      const other = await openAccount(t, { customerId: ok.id, nameKana: 'ｵﾄﾅ', branchCode: '003' });
      await expect(
        contracts.registerContract(
          { customerId: ok.id, representativeAccountId: a.id, loginId: 'adult01', password: 'short' },
          'test',
        ),
      ).rejects.toMatchObject({ code: 'PASSWORD_TOO_SHORT' });
      await expect(
        contracts.registerContract(
          {
            customerId: ok.id,
            representativeAccountId: a.id,
            serviceAccountIds: [other.id],
            loginId: 'adult01',
            password: TEST_PASSWORD,
          },
          'test',
        ),
      ).rejects.toMatchObject({ code: 'SERVICE_ACCOUNT_NOT_ELIGIBLE' });
      const contract = await contracts.registerContract(
        {
          customerId: ok.id,
          representativeAccountId: a.id,
          loginId: `adult${Date.now()}`,
          password: TEST_PASSWORD,
        },
        'test',
      );
      await expect(contracts.addServiceAccount(contract.id, other.id, 'test')).rejects.toMatchObject({
        code: 'SERVICE_ACCOUNT_NOT_ELIGIBLE',
      });
      const same = await openAccount(t, { customerId: ok.id, nameKana: 'ｵﾄﾅ', accountType: '4' });
      await contracts.addServiceAccount(contract.id, same.id, 'test');
      await expect(contracts.addServiceAccount(contract.id, same.id, 'test')).rejects.toMatchObject({
        code: 'SERVICE_ACCOUNT_NOT_ELIGIBLE',
      });
    });
  });

  describe('inquiries (BK-11)', () => {
    it('shows balances, paginated history and CSV; refuses a period outside the window and foreign accounts', async () => {
      const c = await createBankingCustomer(t, { balanceYen: 50_000 });
      const accounts = t.app.get(AccountsService);
      for (let i = 1; i <= 4; i++) await accounts.cash(c.accountId, 'deposit', i * 100, 'test');
      const list = await http().get('/api/banking/accounts').set(auth(c.token)).expect(200);
      expect(list.body[0]).toMatchObject({ id: c.accountId, balanceYen: 51_000, withdrawableYen: 51_000 });
      const p1 = await http()
        .get(`/api/banking/accounts/${c.accountId}/transactions?pageSize=2`)
        .set(auth(c.token))
        .expect(200);
      expect(p1.body).toMatchObject({ total: 5, pages: 3, page: 1 });
      expect((p1.body.lines as { depositYen: number }[]).map((l) => l.depositYen)).toEqual([400, 300]);
      expect(p1.body.lines[0].balanceYen).toBe(51_000);
      const p3 = await http()
        .get(`/api/banking/accounts/${c.accountId}/transactions?pageSize=2&page=3`)
        .set(auth(c.token))
        .expect(200);
      expect((p3.body.lines as { depositYen: number }[]).map((l) => l.depositYen)).toEqual([50_000]);
      const csv = await http()
        .get(`/api/banking/accounts/${c.accountId}/transactions.csv`)
        .set(auth(c.token))
        .expect(200);
      expect(csv.headers['content-type']).toMatch(/text\/csv/);
      expect(csv.text.split('\r\n')[0]).toContain('取引日');
      expect(csv.text).toContain('"2026-11-20","2026-11-20","現金入金","","400","51000"');
      const old = await http()
        .get(`/api/banking/accounts/${c.accountId}/transactions?from=2025-10-19&to=2025-11-01`)
        .set(auth(c.token));
      expect(old.status).toBe(400);
      expect(old.body.error.code).toBe('HISTORY_PERIOD_OUT_OF_RANGE');
      await http()
        .get(`/api/banking/accounts/${c.accountId}/transactions?from=2025-10-20&to=2025-11-01`)
        .set(auth(c.token))
        .expect(200);
      const future = await http()
        .get(`/api/banking/accounts/${c.accountId}/transactions?to=2026-11-21`)
        .set(auth(c.token));
      expect(future.body.error.code).toBe('HISTORY_PERIOD_OUT_OF_RANGE');
      const other = await createBankingCustomer(t);
      const foreign = await http()
        .get(`/api/banking/accounts/${other.accountId}/transactions`)
        .set(auth(c.token));
      expect(foreign.status).toBe(403);
      expect(foreign.body.error.code).toBe('NOT_A_SERVICE_ACCOUNT');
      await http().get('/api/banking/accounts').expect(401);
    });
  });

  describe('transfers (BK-05..BK-09)', () => {
    it('executes a 振込 to another branch now, with the confirmation code, and posts both sides', async () => {
      const c = await createBankingCustomer(t, { balanceYen: 100_000 });
      const payee = await openAccount(t, { branchCode: '003', nameKana: 'ﾔﾏﾀﾞ ﾊﾅｺ' });
      const r = await transfer(
        c.token,
        ownBankTransfer(t, c.accountId, payee.accountNumber, { branchCode: '003', amountYen: 30_000 }),
      );
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({
        status: 'awaiting_confirmation',
        kind: 'furikomi',
        feeYen: 0,
        executionDate: '2026-11-20',
        timing: 'now',
        payee: { nameKana: 'ﾔﾏﾀﾞ ﾊﾅｺ' },
      });
      expect(await balance(c.accountId)).toBe(100_000); // nothing moves before confirmation
      // What is stored of the code is a keyed digest, not something a copy of the database could
      // be searched with over the 10^6 codes.
      const stored = await t.app
        .get(DataSource)
        .getRepository(TransferEntity)
        .findOneByOrFail({ id: r.body.id as string });
      expect(stored.codeHash).toMatch(/^m1\$/);
      const wrong = await confirm(c.token, r.body.id, '000000' === mail.code(c.email) ? '111111' : '000000');
      expect(wrong.body.error.code).toBe('CONFIRMATION_CODE_INVALID');
      const ok = await confirm(c.token, r.body.id, mail.code(c.email, r.body.id)).expect(200);
      expect(ok.body.status).toBe('executed');
      expect(await balance(c.accountId)).toBe(70_000);
      expect(await balance(payee.id)).toBe(30_000);
      expect(mail.tagged(c.email, 'banking-transfer-executed')).toHaveLength(1);
      const hist = await http().get(`/api/banking/accounts/${c.accountId}/transactions`).set(auth(c.token));
      expect(hist.body.lines[0]).toMatchObject({
        withdrawalYen: 30_000,
        description: '振込 ﾔﾏﾀﾞ ﾊﾅｺ',
        balanceYen: 70_000,
      });
      // A second confirmation with the same code never moves money twice.
      const again = await confirm(c.token, r.body.id, mail.code(c.email, r.body.id));
      expect(again.status).toBe(409);
      expect(await balance(c.accountId)).toBe(70_000);
    });

    it('classifies a same-branch same-name transfer as a free 振替', async () => {
      const c = await createBankingCustomer(t, { balanceYen: 10_000, extraAccounts: 1 });
      const own = await t.app.get(AccountsService).get(c.serviceAccountIds[0]);
      const r = await transfer(c.token, {
        debitAccountId: c.accountId,
        bankCode: t.config.BANK_CODE,
        branchCode: own.branchCode,
        accountType: '4',
        accountNumber: own.accountNumber,
        amountYen: 5000,
      });
      expect(r.body).toMatchObject({ kind: 'furikae', kindLabel: '振替', feeYen: 0 });
    });

    it('charges the other-bank fee, sends through clearing, and credits back a return without the fee', async () => {
      const c = await createBankingCustomer(t, { balanceYen: 100_000 });
      // Simulator: numbers ending 9999 come back as 入金不能.
      const r = await transfer(c.token, {
        debitAccountId: c.accountId,
        bankCode: '0001',
        branchCode: '001',
        accountType: '1',
        accountNumber: '1239999',
        amountYen: 29_999,
      });
      expect(r.body).toMatchObject({ kind: 'furikomi', feeYen: 275, payee: { bankName: 'みずほ' } });
      await confirm(c.token, r.body.id, mail.code(c.email, r.body.id)).expect(200);
      expect(await balance(c.accountId)).toBe(100_000 - 29_999 - 275);
      expect((await jobs().runDue()).returned).toBe(0); // not yet due
      clock.set(new Date(FRIDAY_10.getTime() + 61_000));
      expect((await jobs().runDue()).returned).toBe(1);
      expect(await balance(c.accountId)).toBe(100_000 - 275);
      const after = await http()
        .get(`/api/banking/transfers/${r.body.id}`)
        .set(auth(await loginBearer(t, c.loginId, c.password)));
      expect(after.body.status).toBe('returned');
      expect(mail.tagged(c.email, 'banking-transfer-returned')).toHaveLength(1);
      const big = await transfer(c.token, {
        debitAccountId: c.accountId,
        bankCode: '0001',
        branchCode: '001',
        accountType: '1',
        accountNumber: '1234567',
        amountYen: 30_000,
      });
      expect(big.body.feeYen).toBe(440);
    });

    it('rolls a request after the cutoff to the next business day and executes it with the job', async () => {
      clock.set(new Date('2026-11-20T06:00:00Z')); // 15:00 JST
      const c = await createBankingCustomer(t, { balanceYen: 20_000 });
      const payee = await openAccount(t);
      const r = await transfer(
        c.token,
        ownBankTransfer(t, c.accountId, payee.accountNumber, { amountYen: 5000 }),
      );
      expect(r.body).toMatchObject({ timing: 'next-business-day', executionDate: '2026-11-24' });
      const ok = await confirm(c.token, r.body.id, mail.code(c.email, r.body.id)).expect(200);
      expect(ok.body.status).toBe('scheduled');
      expect(await balance(c.accountId)).toBe(20_000);
      clock.set(new Date('2026-11-23T03:00:00Z')); // the holiday: nothing runs
      await jobs().runDue();
      expect(await balance(payee.id)).toBe(0);
      clock.set(new Date('2026-11-23T15:00:00Z')); // 00:00 JST on 11-24
      const rep = await jobs().runDue();
      expect(rep.executed).toBeGreaterThanOrEqual(1);
      expect(await balance(payee.id)).toBe(5000);
      expect(await balance(c.accountId)).toBe(15_000);
    });

    it('refuses to confirm once the cutoff passed between request and confirmation', async () => {
      clock.set(new Date('2026-11-20T05:59:00Z'));
      const c = await createBankingCustomer(t, { balanceYen: 20_000 });
      const payee = await openAccount(t);
      const r = await transfer(
        c.token,
        ownBankTransfer(t, c.accountId, payee.accountNumber, { amountYen: 5000 }),
      );
      clock.set(new Date('2026-11-20T06:01:00Z'));
      const res = await confirm(c.token, r.body.id, mail.code(c.email, r.body.id));
      expect(res.status).toBe(409);
      expect(res.body.error).toMatchObject({
        code: 'EXECUTION_DATE_CHANGED',
        details: { executionDate: '2026-11-24' },
      });
    });

    it('executes a designated-date transfer on its date, cancels another, and refuses dates outside the window', async () => {
      const c = await createBankingCustomer(t, { balanceYen: 50_000 });
      const payee = await openAccount(t);
      const base = ownBankTransfer(t, c.accountId, payee.accountNumber);
      const a = await transfer(c.token, { ...base, amountYen: 1000, executionDate: '2026-12-01' });
      expect(a.body).toMatchObject({ timing: 'designated', executionDate: '2026-12-01' });
      await confirm(c.token, a.body.id, mail.code(c.email, a.body.id)).expect(200);
      const b = await transfer(c.token, { ...base, amountYen: 2000, executionDate: '2026-12-01' });
      await confirm(c.token, b.body.id, mail.code(c.email, b.body.id)).expect(200);
      const cancelled = await http()
        .post(`/api/banking/transfers/${b.body.id}/cancel`)
        .set(auth(c.token))
        .expect(200);
      expect(cancelled.body.status).toBe('cancelled');
      expect(mail.tagged(c.email, 'banking-transfer-cancelled')).toHaveLength(1);
      const scheduled = await http()
        .get('/api/banking/transfers?status=scheduled')
        .set(auth(c.token))
        .expect(200);
      expect((scheduled.body as { id: string }[]).map((x) => x.id)).toEqual([a.body.id]);
      clock.set(new Date('2026-11-30T16:00:00Z')); // 2026-12-01 01:00 JST
      await jobs().runDue();
      expect(await balance(payee.id)).toBe(1000);
      const late = await http()
        .post(`/api/banking/transfers/${a.body.id}/cancel`)
        .set(auth(await loginBearer(t, c.loginId, c.password)));
      expect(late.body.error.code).toBe('TRANSFER_NOT_CANCELLABLE');
      clock.set(FRIDAY_10);
      const tooFar = await transfer(c.token, { ...base, amountYen: 1, executionDate: '2027-01-20' });
      expect(tooFar.body.error.code).toBe('DATE_OUT_OF_WINDOW');
      const past = await transfer(c.token, { ...base, amountYen: 1, executionDate: '2026-11-19' });
      expect(past.body.error.code).toBe('DATE_OUT_OF_WINDOW');
      const holiday = await transfer(c.token, { ...base, amountYen: 1, executionDate: '2026-12-31' });
      expect(holiday.body.error.code).toBe('DATE_NOT_BUSINESS_DAY');
    });

    it('fails a reservation on its date when the balance is short, and emails the customer', async () => {
      const c = await createBankingCustomer(t, { balanceYen: 1000 });
      const payee = await openAccount(t);
      const r = await transfer(
        c.token,
        ownBankTransfer(t, c.accountId, payee.accountNumber, {
          amountYen: 5000,
          executionDate: '2026-11-24',
        }),
      );
      await confirm(c.token, r.body.id, mail.code(c.email, r.body.id)).expect(200);
      clock.set(new Date('2026-11-24T00:00:00Z'));
      await jobs().runDue();
      const after = await http()
        .get(`/api/banking/transfers/${r.body.id}`)
        .set(auth(await loginBearer(t, c.loginId, c.password)));
      expect(after.body).toMatchObject({ status: 'failed', failureCode: 'INSUFFICIENT_FUNDS' });
      expect(mail.tagged(c.email, 'banking-transfer-failed')).toHaveLength(1);
      expect(await balance(c.accountId)).toBe(1000);
    });

    it('expires an unconfirmed request after the window', async () => {
      const c = await createBankingCustomer(t, { balanceYen: 10_000 });
      const payee = await openAccount(t);
      const r = await transfer(
        c.token,
        ownBankTransfer(t, c.accountId, payee.accountNumber, { amountYen: 100 }),
      );
      clock.set(new Date(FRIDAY_10.getTime() + 601_000));
      const res = await confirm(c.token, r.body.id, mail.code(c.email, r.body.id));
      expect(res.body.error.code).toBe('CONFIRMATION_EXPIRED');
      expect(await balance(payee.id)).toBe(0);
    });

    it('voids the request after too many wrong codes', async () => {
      const c = await createBankingCustomer(t, { balanceYen: 10_000 });
      const payee = await openAccount(t);
      const r = await transfer(
        c.token,
        ownBankTransfer(t, c.accountId, payee.accountNumber, { amountYen: 100 }),
      );
      const code = mail.code(c.email, r.body.id);
      const wrong = code === '999999' ? '888888' : '999999';
      for (let i = 0; i < 2; i++)
        expect((await confirm(c.token, r.body.id, wrong)).body.error.details.attemptsLeft).toBe(2 - i);
      expect((await confirm(c.token, r.body.id, wrong)).body.error.code).toBe('CONFIRMATION_CODE_INVALID');
      expect((await confirm(c.token, r.body.id, code)).body.error.code).toBe('TRANSFER_STATE_CONFLICT');
    });

    it('refuses each account condition (BK-07)', async () => {
      const accounts = t.app.get(AccountsService);
      const c = await createBankingCustomer(t, { balanceYen: 10_000, overdraftLimitYen: 5000 });
      const payee = await openAccount(t);
      const base = ownBankTransfer(t, c.accountId, payee.accountNumber);
      // Overdraft included: 15,000 is withdrawable, 15,001 is not.
      expect((await transfer(c.token, { ...base, amountYen: 15_001 })).body.error.code).toBe(
        'INSUFFICIENT_FUNDS',
      );
      const ok = await transfer(c.token, { ...base, amountYen: 15_000 });
      expect(ok.status).toBe(201);
      await accounts.setFlags(c.accountId, { paymentStopped: true }, 'test');
      expect((await confirm(c.token, ok.body.id, mail.code(c.email, ok.body.id))).body.error.code).toBe(
        'PAYMENT_STOPPED',
      );
      expect((await transfer(c.token, { ...base, amountYen: 1 })).body.error.code).toBe('PAYMENT_STOPPED');
      await accounts.setFlags(c.accountId, { paymentStopped: false, garnished: true }, 'test');
      expect((await transfer(c.token, { ...base, amountYen: 1 })).body.error.code).toBe('GARNISHED');
      await accounts.setFlags(c.accountId, { garnished: false }, 'test');
      expect(
        (await transfer(c.token, { ...base, accountNumber: '0000001', amountYen: 1 })).body.error.code,
      ).toBe('PAYEE_NOT_FOUND');
      const closed = await openAccount(t);
      await accounts.close(closed.id, 'test');
      expect(
        (await transfer(c.token, { ...base, accountNumber: closed.accountNumber, amountYen: 1 })).body.error
          .code,
      ).toBe('PAYEE_CLOSED');
      expect(
        (await transfer(c.token, { ...base, bankCode: '0001', branchCode: '999', amountYen: 1 })).body.error
          .code,
      ).toBe('UNKNOWN_BANK');
      expect(
        (await transfer(c.token, { ...base, accountNumber: c.accountNumber, amountYen: 1 })).body.error.code,
      ).toBe('PAYEE_SAME_AS_DEBIT');
      expect((await transfer(c.token, { ...base, amountYen: 0 })).body.error.code).toBe('VALIDATION_FAILED');
      const r = await transfer(c.token, { ...base, amountYen: 15_000 });
      await confirm(c.token, r.body.id, mail.code(c.email, r.body.id)).expect(200);
      expect(await balance(c.accountId)).toBe(-5000);
      // A closed service account (not the representative one, whose closing ends the contract).
      const debitClosed = await createBankingCustomer(t, { extraAccounts: 1 });
      await accounts.close(debitClosed.serviceAccountIds[0], 'test');
      expect(
        (
          await transfer(debitClosed.token, {
            ...base,
            debitAccountId: debitClosed.serviceAccountIds[0],
            amountYen: 1,
          })
        ).body.error.code,
      ).toBe('ACCOUNT_CLOSED');
    });

    it('enforces bank and customer limits per transfer and per day (BK-08)', async () => {
      const c = await createBankingCustomer(t, { balanceYen: 20_000_000 });
      const payee = await openAccount(t);
      const base = ownBankTransfer(t, c.accountId, payee.accountNumber);
      expect((await transfer(c.token, { ...base, amountYen: 5_000_001 })).body.error.code).toBe(
        'LIMIT_PER_TRANSFER_EXCEEDED',
      );
      const above = await http()
        .put(`/api/banking/limits/${c.accountId}`)
        .set(auth(c.token))
        .send({ perDayYen: 10_000_001 });
      expect(above.body.error.code).toBe('LIMIT_ABOVE_BANK_LIMIT');
      const set = await http()
        .put(`/api/banking/limits/${c.accountId}`)
        .set(auth(c.token))
        .send({ perTransferYen: 60_000, perDayYen: 100_000 })
        .expect(200);
      expect(set.body.effective).toEqual({ perTransferYen: 60_000, perDayYen: 100_000 });
      expect((await transfer(c.token, { ...base, amountYen: 60_001 })).body.error.code).toBe(
        'LIMIT_PER_TRANSFER_EXCEEDED',
      );
      for (const amount of [60_000, 40_000]) {
        const r = await transfer(c.token, { ...base, amountYen: amount });
        await confirm(c.token, r.body.id, mail.code(c.email, r.body.id)).expect(200);
      }
      const over = await transfer(c.token, { ...base, amountYen: 1 });
      expect(over.body.error).toMatchObject({
        code: 'LIMIT_PER_DAY_EXCEEDED',
        details: { usedYen: 100_000 },
      });
      // Another day has its own limit.
      expect((await transfer(c.token, { ...base, amountYen: 1, executionDate: '2026-11-24' })).status).toBe(
        201,
      );
      // Two requests fit alone; the second confirmation would exceed the day: refused at confirmation.
      await http()
        .put(`/api/banking/limits/${c.accountId}`)
        .set(auth(c.token))
        .send({ perDayYen: null })
        .expect(200);
      const list = await http().get('/api/banking/accounts').set(auth(c.token));
      expect(list.body[0].limits).toMatchObject({
        perTransferYen: 60_000,
        perDayYen: 10_000_000,
        customerPerDayYen: null,
      });
    });

    it('returns the first result for a retried Idempotency-Key and refuses the key for another request', async () => {
      const c = await createBankingCustomer(t, { balanceYen: 10_000 });
      const payee = await openAccount(t);
      const body = ownBankTransfer(t, c.accountId, payee.accountNumber, { amountYen: 700 });
      const key = 'retry-key-0001';
      const [a, b] = await Promise.all([transfer(c.token, body, key), transfer(c.token, body, key)]);
      expect(a.body.id).toBe(b.body.id);
      const other = await transfer(c.token, { ...body, amountYen: 701 }, key);
      expect(other.status).toBe(422);
      expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      const code = mail.code(c.email, a.body.id);
      const confirms = await Promise.all(
        [1, 2, 3].map(() =>
          http()
            .post(`/api/banking/transfers/${a.body.id}/confirm`)
            .set(auth(c.token))
            .set('Idempotency-Key', 'confirm-key-01')
            .send({ code }),
        ),
      );
      expect(confirms.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(await balance(payee.id)).toBe(700);
      expect((await transfer(c.token, body, 'bad key!')).body.error.code).toBe('INVALID_IDEMPOTENCY_KEY');
    });

    it('withdraws the strike of one payee check once, however many transfers to that payee race (BK-10)', async () => {
      const c = await createBankingCustomer(t, { balanceYen: 10_000 });
      const payee = await openAccount(t);
      const q = {
        bankCode: t.config.BANK_CODE,
        branchCode: '002',
        accountType: '1',
        accountNumber: payee.accountNumber,
      };
      const strikes = async () =>
        (await t.app.get(DataSource).getRepository(IbContractEntity).findOneByOrFail({ id: c.contractId }))
          .payeeCheckStrikes;
      // A strike that stays (a check of an account that does not exist), so a double withdrawal
      // could not hide behind the floor at zero.
      await http()
        .post('/api/banking/payees/check')
        .set(auth(c.token))
        .send({ ...q, accountNumber: '0000002' })
        .expect(422);
      const before = await strikes();
      expect(before).toBeGreaterThan(0);
      await http().post('/api/banking/payees/check').set(auth(c.token)).send(q).expect(200);
      expect(await strikes()).toBe(before + 1);
      const results = await Promise.all(
        [1, 2, 3, 4].map((i) => transfer(c.token, { ...q, debitAccountId: c.accountId, amountYen: i })),
      );
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201]);
      expect(await strikes()).toBe(before);
    });

    it('locks the payee check after repeated abandoned or failed checks until staff reset (BK-10)', async () => {
      const c = await createBankingCustomer(t, { balanceYen: 10_000 });
      const payee = await openAccount(t, { nameKana: 'ｳｹﾄﾘ ﾀﾛｳ' });
      const q = {
        bankCode: t.config.BANK_CODE,
        branchCode: '002',
        accountType: '1',
        accountNumber: payee.accountNumber,
      };
      const shown = await http().post('/api/banking/payees/check').set(auth(c.token)).send(q).expect(200);
      expect(shown.body.nameKana).toBe('ｳｹﾄﾘ ﾀﾛｳ');
      // A transfer to the checked payee withdraws that strike.
      await transfer(c.token, { ...q, debitAccountId: c.accountId, amountYen: 1 });
      for (let i = 0; i < 9; i++) {
        const res = await http()
          .post('/api/banking/payees/check')
          .set(auth(c.token))
          .send({ ...q, accountNumber: '0000002' });
        expect(res.body.error.code).toBe('PAYEE_NOT_FOUND');
      }
      const other = await http()
        .post('/api/banking/payees/check')
        .set(auth(c.token))
        .send({ bankCode: '0001', branchCode: '001', accountType: '1', accountNumber: '7654321' });
      expect(other.status).toBe(200); // the 10th strike is answered, then the function locks
      const locked = await http().post('/api/banking/payees/check').set(auth(c.token)).send(q);
      expect(locked.body.error.code).toBe('PAYEE_CHECK_LOCKED');
      expect(
        (await transfer(c.token, { ...q, debitAccountId: c.accountId, amountYen: 1 })).body.error.code,
      ).toBe('PAYEE_CHECK_LOCKED');
      await t.app.get(ContractsService).unlock(c.contractId, { login: false, payeeCheck: true }, 'test');
      await http().post('/api/banking/payees/check').set(auth(c.token)).send(q).expect(200);
    });
  });

  describe('back office (staff role operations)', () => {
    it('opens and funds accounts, resolves a 組戻し case with its fee, and reports the ledger', async () => {
      const staff = await createStaff(t, [StaffRole.OPERATIONS]);
      const s = auth(staff.token);
      const opened = await http()
        .post('/api/banking/back-office/accounts')
        .set(s)
        .send({ branchCode: '002', accountType: '1', nameKanji: '窓口 花子', nameKana: 'ﾏﾄﾞｸﾞﾁ ﾊﾅｺ' })
        .expect(201);
      await http()
        .post(`/api/banking/back-office/accounts/${opened.body.id}/cash`)
        .set(s)
        .send({ direction: 'deposit', amountYen: 3000 })
        .expect(200);
      const w = await http()
        .post(`/api/banking/back-office/accounts/${opened.body.id}/cash`)
        .set(s)
        .send({ direction: 'withdrawal', amountYen: 3001 });
      expect(w.body.error.code).toBe('INSUFFICIENT_FUNDS');
      const notEmpty = await http().post(`/api/banking/back-office/accounts/${opened.body.id}/close`).set(s);
      expect(notEmpty.body.error.code).toBe('ACCOUNT_NOT_EMPTY');
      const badBranch = await http()
        .post('/api/banking/back-office/accounts')
        .set(s)
        .send({ branchCode: '999', accountType: '1', nameKanji: 'x', nameKana: 'ｴｯｸｽ' });
      expect(badBranch.body.error.code).toBe('INVALID_BRANCH');

      const c = await createBankingCustomer(t, { balanceYen: 100_000 });
      const r = await transfer(c.token, {
        debitAccountId: c.accountId,
        bankCode: '0005',
        branchCode: '001',
        accountType: '1',
        accountNumber: '1234567',
        amountYen: 10_000,
      });
      await confirm(c.token, r.body.id, mail.code(c.email, r.body.id)).expect(200);
      const opened2 = await http()
        .post(`/api/banking/transfers/${r.body.id}/cases`)
        .set(auth(c.token))
        .send({ kind: 'recall', reason: '口座番号の誤り' })
        .expect(201);
      expect(opened2.body).toMatchObject({ status: 'open', feeYen: 880 });
      const resolved = await http()
        .post(`/api/banking/back-office/cases/${opened2.body.id}/resolve`)
        .set(s)
        .send({ outcome: 'done', note: '先方了承' })
        .expect(200);
      expect(resolved.body.status).toBe('done');
      expect(await balance(c.accountId)).toBe(100_000 - 275 - 880);
      const twice = await http()
        .post(`/api/banking/back-office/cases/${opened2.body.id}/resolve`)
        .set(s)
        .send({ outcome: 'done', note: 'x' });
      expect(twice.body.error.code).toBe('CASE_ALREADY_RESOLVED');
      const scheduledCase = await http()
        .post(`/api/banking/transfers/${r.body.id}/cases`)
        .set(auth(c.token))
        .send({ kind: 'correction', reason: 'x' });
      expect(scheduledCase.body.error.code).toBe('CASE_NOT_ALLOWED');
      const check = await http().get('/api/banking/back-office/ledger/check').set(s).expect(200);
      expect(check.body).toMatchObject({ ok: true, findings: [] });
      // Customers are not staff.
      await http().get('/api/banking/back-office/ledger/check').set(auth(c.token)).expect(401);
    });
  });
});
