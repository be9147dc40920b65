import { Command, InvalidArgumentError } from 'commander';
import type { AppContextFactory } from '../cli';
import { AppError } from '../common/errors/app-error';
import { randomToken } from '../common/crypto/secrets';
import { AccountType } from './accounts/account.entity';
import { AccountsService } from './accounts/accounts.service';
import { BankingErrorCode } from './banking.errors';
import { ContractsService } from './customers/contracts.service';
import { LedgerService } from './ledger/ledger.service';
import { TransferExecutionService } from './transfers/transfer-execution.service';

const ACTOR = 'cli:operator';

const yen = (v: string) => {
  if (!/^\d+$/.test(v)) throw new InvalidArgumentError('an integer number of yen');
  return Number(v);
};

/** `branch-type-number`, e.g. `002-1-1000001`. */
async function accountByRef(accounts: AccountsService, ref: string) {
  const m = /^(\d{3})-([124])-(\d{7})$/.exec(ref);
  if (!m)
    throw AppError.badRequest(
      BankingErrorCode.ACCOUNT_NOT_FOUND,
      `account reference must be BRANCH-TYPE-NUMBER (e.g. 002-1-1000001), got ${ref}`,
    );
  const a = await accounts.findByNumber(m[1], m[2], m[3]);
  if (!a) throw AppError.notFound(BankingErrorCode.ACCOUNT_NOT_FOUND, `no account ${ref}`);
  return a;
}

const print = (v: unknown) => process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);

/** Back-office commands for operators and the demo (`npm run cli -- banking …`, `ledger check`). */
export function registerBankingCommands(program: Command, context: AppContextFactory): void {
  const ledger = program.command('ledger').description('the banking ledger');
  ledger
    .command('check')
    .description(
      'prove balances = sum of postings and that every journal and the books balance (exit 1 if not)',
    )
    .option('--json', 'print the full result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const r = await (await context()).get(LedgerService).check();
      if (opts.json) print(r);
      else if (r.ok)
        process.stdout.write(
          `ledger OK: ${r.depositAccounts} deposit accounts, ${r.journals} journals, ${r.postings} postings balance\n`,
        );
      else {
        process.stdout.write(`ledger BROKEN: ${r.findings.length} finding(s)\n`);
        for (const f of r.findings)
          process.stdout.write(`  ${f.kind} ${f.subject} expected ${f.expectedYen} actual ${f.actualYen}\n`);
      }
      process.exitCode = r.ok ? 0 : 1;
    });

  const bk = program.command('banking').description('banking back office');
  const account = bk.command('account').description('deposit accounts');
  account
    .command('open')
    .requiredOption('--branch <code>', 'branch code (3 digits)')
    .option('--type <type>', '1 普通, 2 当座, 4 貯蓄', '1')
    .requiredOption('--name <kanji>', 'account name (kanji)')
    .requiredOption('--kana <kana>', 'account name (kana)')
    .option('--number <number>', '7-digit account number (default: next free)')
    .option('--customer <id>', 'customer id')
    .option('--overdraft <yen>', 'overdraft limit', yen)
    .action(
      async (o: {
        branch: string;
        type: string;
        name: string;
        kana: string;
        number?: string;
        customer?: string;
        overdraft?: number;
      }) => {
        const accounts = (await context()).get(AccountsService);
        const a = await accounts.open(
          {
            branchCode: o.branch,
            accountType: o.type as AccountType,
            nameKanji: o.name,
            nameKana: o.kana,
            accountNumber: o.number,
            customerId: o.customer,
            overdraftLimitYen: o.overdraft,
          },
          ACTOR,
        );
        print(accounts.view(a));
      },
    );
  account
    .command('show <ref>')
    .description('show an account (BRANCH-TYPE-NUMBER)')
    .action(async (ref: string) => {
      const accounts = (await context()).get(AccountsService);
      print(accounts.view(await accountByRef(accounts, ref)));
    });
  for (const direction of ['deposit', 'withdrawal'] as const) {
    account
      .command(`${direction === 'deposit' ? 'deposit' : 'withdraw'} <ref> <yen>`)
      .description(direction === 'deposit' ? 'post a cash deposit' : 'post a cash withdrawal')
      .action(async (ref: string, amount: string) => {
        const accounts = (await context()).get(AccountsService);
        const a = await accountByRef(accounts, ref);
        await accounts.cash(a.id, direction, yen(amount), ACTOR);
        print(accounts.view(await accounts.get(a.id)));
      });
  }
  account
    .command('flags <ref>')
    .option('--payment-stop <on|off>')
    .option('--garnishment <on|off>')
    .action(async (ref: string, o: { paymentStop?: string; garnishment?: string }) => {
      const accounts = (await context()).get(AccountsService);
      const a = await accountByRef(accounts, ref);
      const flag = (v?: string) => (v === undefined ? undefined : v === 'on');
      print(
        accounts.view(
          await accounts.setFlags(
            a.id,
            { paymentStopped: flag(o.paymentStop), garnished: flag(o.garnishment) },
            ACTOR,
          ),
        ),
      );
    });
  account.command('close <ref>').action(async (ref: string) => {
    const accounts = (await context()).get(AccountsService);
    print(accounts.view(await accounts.close((await accountByRef(accounts, ref)).id, ACTOR)));
  });

  const contract = bk.command('contract').description('personal internet-banking contracts');
  contract
    .command('register')
    .description(
      'register a customer, open nothing, and contract the given accounts (the first is the representative)',
    )
    .requiredOption('--name <kanji>')
    .requiredOption('--kana <kana>')
    .requiredOption('--birth <YYYY-MM-DD>')
    .requiredOption('--email <email>')
    .requiredOption('--login-id <id>')
    .option('--password <password>', 'initial login password (default: a random one, printed once)')
    .requiredOption(
      '--account <ref...>',
      'BRANCH-TYPE-NUMBER of the representative account, then service accounts',
    )
    .action(
      async (o: {
        name: string;
        kana: string;
        birth: string;
        email: string;
        loginId: string;
        password?: string;
        account: string[];
      }) => {
        const password = o.password ?? randomToken(12);
        const app = await context();
        const accounts = app.get(AccountsService);
        const contracts = app.get(ContractsService);
        const refs = await Promise.all(o.account.map((r) => accountByRef(accounts, r)));
        const customer = await contracts.registerCustomer(
          { nameKanji: o.name, nameKana: o.kana, birthDate: o.birth, email: o.email },
          ACTOR,
        );
        // Accounts opened before the customer existed are attached to them now (same name required).
        for (const a of refs) {
          if (a.customerId && a.customerId !== customer.id)
            throw AppError.conflict(
              BankingErrorCode.SERVICE_ACCOUNT_NOT_ELIGIBLE,
              `account ${a.accountNumber} belongs to another customer`,
            );
          if (!a.customerId) await accounts.assignCustomer(a.id, customer.id, ACTOR);
        }
        const c = await contracts.registerContract(
          {
            customerId: customer.id,
            representativeAccountId: refs[0].id,
            serviceAccountIds: refs.slice(1).map((a) => a.id),
            loginId: o.loginId,
            password,
          },
          ACTOR,
        );
        print({
          customerId: customer.id,
          contractId: c.id,
          loginId: c.loginId,
          termEnd: c.termEnd,
          ...(o.password ? {} : { initialPassword: password }),
        });
      },
    );
  contract
    .command('unlock <loginId>')
    .option('--payee-check', 'also reset the payee-check lock')
    .action(async (loginId: string, o: { payeeCheck?: boolean }) => {
      const contracts = (await context()).get(ContractsService);
      const c = await contracts.byLoginId(loginId);
      await contracts.unlock(c.id, { login: true, payeeCheck: Boolean(o.payeeCheck) }, ACTOR);
      print({ contractId: c.id, unlocked: true });
    });
  contract
    .command('status <loginId> <status>')
    .description('active | suspended | terminated')
    .option('--force', 'forced termination by the bank (unprocessed reservations are cancelled)')
    .action(async (loginId: string, status: string, o: { force?: boolean }) => {
      if (!['active', 'suspended', 'terminated'].includes(status))
        throw new InvalidArgumentError('active | suspended | terminated');
      const contracts = (await context()).get(ContractsService);
      const c = await contracts.byLoginId(loginId);
      print(
        await contracts
          .setStatus(c.id, status as 'active', ACTOR, undefined, Boolean(o.force))
          .then((x) => ({ contractId: x.id, status: x.status })),
      );
    });

  bk.command('run-jobs')
    .description(
      'run the transfer job now: expire unconfirmed requests, execute reservations due, book clearing returns',
    )
    .action(async () => {
      print(await (await context()).get(TransferExecutionService).runDue());
    });
}
