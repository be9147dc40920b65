import { randomBytes } from 'node:crypto';
import { AccountsService } from '../src/banking/accounts/accounts.service';
import { ContractsService } from '../src/banking/customers/contracts.service';
import { CustomerPrincipal } from '../src/banking/customers/customer-auth.service';
import { LedgerService } from '../src/banking/ledger/ledger.service';
import { TransfersService } from '../src/banking/transfers/transfers.service';
import { SettableClock } from '../src/platform/clock/clock';
import { BenchMail, bootBenchApp, figure, percentile } from './bench-util';

/**
 * `npm run bench -- banking [seconds=10] [clients=8] [accounts=64]`: transfers posted per second
 * through the real use cases (request → emailed code → confirm → posting under the debit row lock,
 * audit entries, idempotency key) by concurrent clients between random own-bank accounts, with
 * p50/p99 latency of request+confirm, then the ledger check. PostgreSQL by default
 * (BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres, in a fresh schema dropped
 * afterwards); `sqlite` as the 4th argument uses a temporary SQLite file instead.
 */
export async function run(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 10);
  const clients = Number(args[1] ?? 8);
  const nAccounts = Number(args[2] ?? 64);
  const sqlite = args[3] === 'sqlite';
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  // A business day at 10:00 JST, ticking: every transfer is immediate.
  const clock = new SettableClock(new Date('2026-11-20T01:00:00Z'), true);
  // Keeps only the latest confirmation code per transfer id, in memory.
  const mail = new BenchMail((m) => {
    const code = /確認コードは (\d+) です/.exec(m.text)?.[1];
    const id = /受付番号: ([0-9a-f-]{36})/.exec(m.text)?.[1];
    return code && id ? [id, code] : undefined;
  });
  const { app, config, close } = await bootBenchApp({
    name: 'banking',
    inheritEnv: false,
    database: sqlite ? 'sqlite' : { postgres: url },
    env: { RATE_LIMIT_PER_MINUTE: '1000000', BANKING_BANK_LIMIT_PER_DAY_YEN: '1000000000000' },
    overrides: { clock, mail },
  });
  try {
    const accounts = app.get(AccountsService);
    const contracts = app.get(ContractsService);
    const transfers = app.get(TransfersService);
    const parties: { principal: CustomerPrincipal; accountId: string; number: string }[] = [];
    for (let i = 0; i < nAccounts; i++) {
      const kana = `ﾍﾞﾝﾁ ${String.fromCharCode(0xff71 + (i % 40))}${i}`;
      const cu = await contracts.registerCustomer(
        { nameKanji: `試験 ${i}`, nameKana: kana, birthDate: '1980-01-01', email: `bench${i}@example.jp` },
        'bench',
      );
      const a = await accounts.open(
        { branchCode: '002', accountType: '1', nameKanji: `試験 ${i}`, nameKana: kana, customerId: cu.id },
        'bench',
      );
      await accounts.cash(a.id, 'deposit', 1_000_000_000, 'bench');
      const c = await contracts.registerContract(
        {
          customerId: cu.id,
          representativeAccountId: a.id,
          loginId: `bench${i}x${randomBytes(2).toString('hex')}`,
          password: 'bench-password-1',
        },
        'bench',
      );
      parties.push({
        principal: { sessionId: 'bench', contractId: c.id, customerId: cu.id, via: 'bearer' },
        accountId: a.id,
        number: a.accountNumber,
      });
    }
    const latencies: number[] = [];
    let refused = 0;
    const deadline = Date.now() + seconds * 1000;
    let seq = 0;
    const worker = async () => {
      while (Date.now() < deadline) {
        const from = parties[Math.floor(Math.random() * parties.length)];
        let to = parties[Math.floor(Math.random() * parties.length)];
        while (to === from) to = parties[Math.floor(Math.random() * parties.length)];
        const started = process.hrtime.bigint();
        try {
          const t = await transfers.request(
            from.principal,
            {
              debitAccountId: from.accountId,
              bankCode: config.BANK_CODE,
              branchCode: '002',
              accountType: '1',
              accountNumber: to.number,
              amountYen: 1 + Math.floor(Math.random() * 10_000),
            },
            `bench-${process.pid}-${seq++}`,
          );
          await transfers.confirm(from.principal, t.id, mail.captured.get(t.id)!);
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
        } catch (e) {
          refused++;
          if (refused < 5) process.stderr.write(`refused: ${e instanceof Error ? e.message : String(e)}\n`);
        }
      }
    };
    const t0 = Date.now();
    // CPU time of this process (use cases, driver, the bench's clients) per transfer: much less
    // disturbed than the rate by whatever else the machine runs.
    const cpu0 = process.cpuUsage();
    await Promise.all(Array.from({ length: clients }, worker));
    const elapsed = (Date.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuMsEach = (cpu.user + cpu.system) / 1000 / Math.max(1, latencies.length);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => percentile(latencies, p)?.toFixed(1);
    // Phase 2: the posting step alone (confirm → limit and balance checks under the row lock →
    // journal + postings + audit), on requests prepared beforehand between random accounts, as in
    // phase 1. (Consecutive pairs i → i+1, confirmed in order, made every concurrent confirmation
    // share an account with the next one: a lock convoy of the bench's making, not the posting cost.)
    const prepared: { p: CustomerPrincipal; id: string }[] = [];
    for (let i = 0; i < clients * 50; i++) {
      const from = parties[Math.floor(Math.random() * parties.length)];
      let to = parties[Math.floor(Math.random() * parties.length)];
      while (to === from) to = parties[Math.floor(Math.random() * parties.length)];
      const t = await transfers.request(from.principal, {
        debitAccountId: from.accountId,
        bankCode: config.BANK_CODE,
        branchCode: '002',
        accountType: '1',
        accountNumber: to.number,
        amountYen: 100,
      });
      prepared.push({ p: from.principal, id: t.id });
    }
    const postLat: number[] = [];
    const t1 = Date.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let job = prepared.pop(); job; job = prepared.pop()) {
          const s0 = process.hrtime.bigint();
          await transfers.confirm(job.p, job.id, mail.captured.get(job.id)!);
          postLat.push(Number(process.hrtime.bigint() - s0) / 1e6);
        }
      }),
    );
    const postElapsed = (Date.now() - t1) / 1000;
    postLat.sort((a, b) => a - b);
    const pp = (p: number) => percentile(postLat, p)?.toFixed(1);
    const checkStart = Date.now();
    const check = await app.get(LedgerService).check();
    figure(
      [
        `database: ${sqlite ? 'SQLite' : 'PostgreSQL'}; ${clients} clients, ${nAccounts} accounts, ${elapsed.toFixed(1)} s`,
        `transfers posted: ${latencies.length} (${(latencies.length / elapsed).toFixed(0)}/s), refused: ${refused}; application CPU ${cpuMsEach.toFixed(2)} ms per transfer`,
        `latency request+confirm: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`,
        `posting step alone (confirm): ${postLat.length} in ${postElapsed.toFixed(1)} s = ${(postLat.length / postElapsed).toFixed(0)}/s, p50 ${pp(50)} ms, p99 ${pp(99)} ms`,
        `ledger check: ${check.ok ? 'OK' : 'BROKEN'} (${check.postings} postings, ${check.journals} journals, ${((Date.now() - checkStart) / 1000).toFixed(2)} s)`,
      ].join('\n'),
    );
    if (!check.ok) process.exitCode = 1;
  } finally {
    await close();
  }
}
