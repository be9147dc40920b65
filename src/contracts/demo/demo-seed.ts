import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppError } from '../../common/errors/app-error';
import { tokyoDate } from '../../common/time/tokyo-time';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AccountEntity } from '../../identity/account.entity';
import { Principal, StaffRole } from '../../identity/auth/principal';
import { RegisterStaff } from '../../identity/register-staff.usecase';
import { IssueSubscriberCertificate } from '../../pki/issue-subscriber-certificate.usecase';
import { CreateSigningIdentity } from '../../pki/signing-identities.usecase';
import { Clock } from '../../platform/clock/clock';
import { RegisterSubscriber } from '../../ra/register-subscriber.usecase';
import { CreateContract } from '../create-contract.usecase';
import { demoContractPdf } from './demo-pdf';

export interface DemoPerson {
  role: string;
  name: string;
  loginId: string;
  temporaryPassword: string;
  loginUrl: string;
  email: string;
  pin?: string;
}

export interface DemoSeed {
  people: DemoPerson[];
  bankIdentity: { id: string; label: string; pin: string };
  contractId: string;
}

/** Demo PINs: printed once by the seed; the PIN policy refuses trivial ones like 123456. */
const PINS = { bank: '735194', debtor: '482913', guarantor: '519374' };

/**
 * `cli demo seed`: the people, certificates and a contract a newcomer needs to walk the whole
 * flow in the browser. Only ever run on request (never at start), and refused if it already ran.
 * Goes through the real use cases, so everything is audited like any other registration.
 */
export async function seedDemo(app: INestApplicationContext): Promise<DemoSeed> {
  const config = app.get<AppConfig>(APP_CONFIG);
  const ds = app.get(DataSource);
  if (await ds.getRepository(AccountEntity).existsBy({ loginId: 'demo-officer' })) {
    throw AppError.conflict(
      'DEMO_ALREADY_SEEDED',
      'デモデータは既に作成されています（demo-officer が存在します）。',
    );
  }
  const actor = 'demo-seed';
  const staff = app.get(RegisterStaff);
  const people: DemoPerson[] = [];
  const addStaff = async (loginId: string, name: string, roles: StaffRole[], label: string) => {
    const email = `${loginId}@econtract.localhost`;
    const r = await staff.execute(actor, { name, email, roles, loginId });
    people.push({
      role: label,
      name,
      loginId: r.loginId,
      temporaryPassword: r.temporaryPassword,
      loginUrl: r.loginUrl,
      email,
    });
    return { ...r, name, email, roles };
  };
  const ra = await addStaff('demo-ra', '登録 太郎', [StaffRole.RA_OFFICER], '登録担当（RA）');
  const officer = await addStaff(
    'demo-officer',
    '融資 花子',
    [StaffRole.LOAN_OFFICER],
    '融資担当（契約書の登録）',
  );
  await addStaff('demo-signer', '本部 署名', [StaffRole.BANK_SIGNER], '本部署名担当（当金庫の署名）');
  await addStaff('demo-auditor', '監査 次郎', [StaffRole.AUDITOR], '監査担当（原本の検証）');

  const asPrincipal = (p: {
    id: string;
    loginId: string;
    name: string;
    email: string;
    roles: StaffRole[];
  }): Principal => ({
    kind: 'staff',
    id: p.id,
    loginId: p.loginId,
    name: p.name,
    email: p.email,
    roles: p.roles,
    sessionId: 'demo-seed',
  });
  const verifiedAt = new Date(app.get(Clock).now().getTime() - 60_000).toISOString();
  const register = app.get(RegisterSubscriber);
  const issue = app.get(IssueSubscriberCertificate);
  const subscriber = async (loginId: string, name: string, nameKana: string, pin: string, label: string) => {
    const email = `${loginId}@econtract.localhost`;
    const r = await register.execute(asPrincipal(ra), {
      kind: 'individual',
      name,
      nameKana,
      email,
      birthDate: '1980-04-01',
      phone: '024-000-0000',
      identityVerification: { documentType: 'drivers_license', documentNumberLast4: '1234', verifiedAt },
      loginId,
    });
    await issue.execute({ subscriberId: r.id, pin, actor });
    people.push({
      role: label,
      name,
      loginId: r.loginId,
      temporaryPassword: r.temporaryPassword,
      loginUrl: r.loginUrl,
      email,
      pin,
    });
    return r;
  };
  const debtor = await subscriber(
    'demo-debtor',
    '電子 一郎',
    'デンシ イチロウ',
    PINS.debtor,
    '債務者（1人目の署名者）',
  );
  const guarantor = await subscriber(
    'demo-guarantor',
    '保証 二郎',
    'ホショウ ジロウ',
    PINS.guarantor,
    '保証人（2人目の署名者）',
  );

  const identity = await app.get(CreateSigningIdentity).execute({
    branchName: '本店営業部',
    title: '支店長',
    personName: '山田 一郎',
    pin: PINS.bank,
    actor,
  });

  const contract = await app.get(CreateContract).execute({
    operator: asPrincipal(officer),
    title: '金銭消費貸借契約証書（デモ）',
    loanType: 'housing',
    amountYen: 25_000_000,
    counterparty: '電子 一郎',
    contractDate: tokyoDate(app.get(Clock).now()),
    signerIds: [debtor.id, guarantor.id],
    pdf: demoContractPdf([
      'Loan Agreement (DEMO - not a real contract)',
      `Lender: ${config.BANK_CODE} shinkin bank, head office`,
      'Borrower: Denshi Ichiro      Guarantor: Hosho Jiro',
      'Amount: JPY 25,000,000      Term: 35 years (420 monthly payments)',
      'Purpose: purchase of a home',
      'The parties agree to the terms above and sign this agreement electronically.',
    ]),
  });
  return {
    people,
    bankIdentity: { id: identity.id, label: '本店営業部 支店長 山田 一郎', pin: PINS.bank },
    contractId: contract.id,
  };
}

export function describeDemo(seed: DemoSeed, publicUrl: string): string {
  const lines = [
    'デモデータを作成しました（初回ログイン時に仮パスワードの変更を求められます）。',
    'OTP などのメールは /dev/mailbox で読めます: ' + `${publicUrl}/dev/mailbox`,
    '',
  ];
  for (const p of seed.people) {
    lines.push(`■ ${p.role}: ${p.name}`);
    lines.push(`  ログインURL: ${p.loginUrl}`);
    lines.push(`  ログインID: ${p.loginId}   仮パスワード: ${p.temporaryPassword}`);
    if (p.pin) lines.push(`  署名用電子証明書の暗証コード（PIN）: ${p.pin}`);
  }
  lines.push('');
  lines.push(`■ 支店長の署名名義: ${seed.bankIdentity.label}   暗証コード（PIN）: ${seed.bankIdentity.pin}`);
  lines.push(`■ 当金庫の署名待ちの契約書: ${publicUrl}/contracts/${seed.contractId}`);
  return lines.join('\n') + '\n';
}
