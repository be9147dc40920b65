import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { AccountType } from '../../src/banking/accounts/account.entity';
import { AccountsService } from '../../src/banking/accounts/accounts.service';
import { ContractsService } from '../../src/banking/customers/contracts.service';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Clock } from '../../src/platform/clock/clock';
import { MailMessage, SentMail } from '../../src/platform/mail/mail-sender';
import { OutboxMailSender } from '../../src/platform/mail/outbox-mail-sender';

/**
 * The real outbox sender (so identity's helpers can read staff OTPs from it) that also keeps every
 * message in memory, so tests can read the emailed confirmation codes.
 */
export class CapturingMailSender extends OutboxMailSender {
  readonly messages: MailMessage[] = [];
  constructor(clock: Clock) {
    super(mkdtempSync(path.join(tmpdir(), 'bk-outbox-')), 'test <test@example.jp>', clock);
  }
  override send(message: MailMessage): Promise<SentMail> {
    this.messages.push(message);
    return super.send(message);
  }
  /** The latest confirmation code sent to `to` (optionally for one transfer id). */
  code(to: string, transferId?: string): string {
    const m = [...this.messages]
      .reverse()
      .find(
        (x) =>
          x.to === to && x.tag === 'banking-transfer-code' && (!transferId || x.text.includes(transferId)),
      );
    const code = m && /確認コードは (\d+) です/.exec(m.text)?.[1];
    if (!code) throw new Error(`no confirmation code mailed to ${to}`);
    return code;
  }
  tagged(to: string, tag: string): MailMessage[] {
    return this.messages.filter((m) => m.to === to && m.tag === tag);
  }
}

interface AppLike {
  app: INestApplication;
}

/**
 * A transfer order (the body of POST /api/banking/transfers) to an ordinary account (type 1) of
 * this bank, at branch 002 unless `more` says otherwise; `more` adds the amount, a date, etc.
 */
export function ownBankTransfer(
  t: { config: { BANK_CODE: string } },
  debitAccountId: string,
  accountNumber: string,
  more: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    debitAccountId,
    bankCode: t.config.BANK_CODE,
    branchCode: '002',
    accountType: '1',
    accountNumber,
    ...more,
  };
}

export function uniqueLoginId(): string {
  return `bk${randomBytes(5).toString('hex')}`;
}

export const TEST_PASSWORD = 'Kawasemi-2026-pass';

export interface BankingCustomer {
  customerId: string;
  contractId: string;
  loginId: string;
  password: string;
  email: string;
  accountId: string;
  branchCode: string;
  accountNumber: string;
  nameKana: string;
  /** A Bearer token from the real login. */
  token: string;
}

/** Opens an account (optionally funded with a cash deposit) through the real back-office service. */
export async function openAccount(
  t: AppLike,
  o: {
    branchCode?: string;
    accountType?: AccountType;
    nameKanji?: string;
    nameKana?: string;
    customerId?: string;
    balanceYen?: number;
    overdraftLimitYen?: number;
    accountNumber?: string;
  } = {},
) {
  const accounts = t.app.get(AccountsService);
  const a = await accounts.open(
    {
      branchCode: o.branchCode ?? '002',
      accountType: o.accountType ?? '1',
      nameKanji: o.nameKanji ?? '試験 口座',
      nameKana: o.nameKana ?? `ｼｹﾝ ${randomKana()}`,
      customerId: o.customerId ?? null,
      overdraftLimitYen: o.overdraftLimitYen,
      accountNumber: o.accountNumber,
    },
    'test',
  );
  if (o.balanceYen) await accounts.cash(a.id, 'deposit', o.balanceYen, 'test');
  return accounts.get(a.id);
}

function randomKana(): string {
  const k = 'ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓ';
  return Array.from(randomBytes(6), (b) => k[b % k.length]).join('');
}

/** A customer with an IB contract whose representative account holds `balanceYen`, logged in. */
export async function createBankingCustomer(
  t: AppLike,
  o: { balanceYen?: number; branchCode?: string; overdraftLimitYen?: number; extraAccounts?: number } = {},
): Promise<BankingCustomer & { serviceAccountIds: string[] }> {
  const contracts = t.app.get(ContractsService);
  const nameKana = `ｼﾝｷﾝ ${randomKana()}`;
  const email = `bk-${randomBytes(5).toString('hex')}@example.jp`;
  const customer = await contracts.registerCustomer(
    { nameKanji: '信金 太郎', nameKana, birthDate: '1980-04-01', email },
    'test',
  );
  const branchCode = o.branchCode ?? '002';
  const acct = await openAccount(t, {
    branchCode,
    nameKana,
    customerId: customer.id,
    balanceYen: o.balanceYen,
    overdraftLimitYen: o.overdraftLimitYen,
  });
  const extra = [];
  for (let i = 0; i < (o.extraAccounts ?? 0); i++)
    extra.push(await openAccount(t, { branchCode, nameKana, customerId: customer.id, accountType: '4' }));
  const loginId = uniqueLoginId();
  const contract = await contracts.registerContract(
    {
      customerId: customer.id,
      representativeAccountId: acct.id,
      serviceAccountIds: extra.map((a) => a.id),
      loginId,
      password: TEST_PASSWORD,
    },
    'test',
  );
  const token = await loginBearer(t, loginId, TEST_PASSWORD);
  return {
    customerId: customer.id,
    contractId: contract.id,
    loginId,
    password: TEST_PASSWORD,
    email,
    accountId: acct.id,
    branchCode,
    accountNumber: acct.accountNumber,
    nameKana,
    token,
    serviceAccountIds: extra.map((a) => a.id),
  };
}

export async function loginBearer(t: AppLike, loginId: string, password: string): Promise<string> {
  const res = await request(t.app.getHttpServer())
    .post('/api/banking/session')
    .send({ loginId, password, mode: 'bearer' });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.token as string;
}
