import * as path from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { BankSignContract } from '../src/contracts/bank-sign-contract.usecase';
import { CreateContract } from '../src/contracts/create-contract.usecase';
import { demoContractPdf } from '../src/contracts/demo/demo-pdf';
import { SignContract } from '../src/contracts/sign-contract.usecase';
import { Principal, StaffRole } from '../src/identity/auth/principal';
import { RegisterStaff } from '../src/identity/register-staff.usecase';
import { IssueSubscriberCertificate } from '../src/pki/issue-subscriber-certificate.usecase';
import { CreateSigningIdentity } from '../src/pki/signing-identities.usecase';
import { RegisterSubscriber } from '../src/ra/register-subscriber.usecase';
import { BenchMail, bootBenchApp, figure, pool } from './bench-util';

// The shared fixtures live beside the repository (compiled: dist/bench → ../../../shared).
const FIXTURE = path.resolve(
  process.env.SHARED_DIR ?? path.resolve(__dirname, '..', '..', '..', 'shared'),
  'fixtures/pdf/loan-libreoffice.pdf',
);

/**
 * `npm run bench -- contracts [contracts] [concurrency]`: the signing pipeline through the real use
 * cases (no HTTP): registration with the upload check, the bank's certification signature (B-T),
 * the debtor's approval signature (B-T + validation) and the guarantor's, which also adds the DSS
 * and document timestamp (B-LTA) and validates the original. In-process TSA, SQLite unless
 * DATABASE_URL is set; CONTRACT_MAX_CONCURRENT_SIGNINGS (EC-16) caps the parallel signing work.
 */
export async function run(args: string[]): Promise<void> {
  const n = Number(args[0] ?? 20);
  const concurrency = Number(args[1] ?? 4);
  const { app, config, close } = await bootBenchApp({
    name: 'contracts',
    env: { CONTRACT_MAX_QUEUED_SIGNINGS: '10000' },
    overrides: { mail: new BenchMail() },
  });
  try {
    const pdf = existsSync(FIXTURE) ? readFileSync(FIXTURE) : demoContractPdf(['Loan Agreement (bench)']);
    const staff = async (roles: StaffRole[], loginId: string): Promise<Principal> => {
      const r = await app
        .get(RegisterStaff)
        .execute('bench', { name: loginId, email: `${loginId}@bench.localhost`, roles, loginId });
      return {
        kind: 'staff',
        id: r.id,
        loginId,
        name: loginId,
        email: `${loginId}@bench.localhost`,
        roles,
        sessionId: 'bench',
      };
    };
    const ra = await staff([StaffRole.RA_OFFICER], 'bench-ra');
    const officer = await staff([StaffRole.LOAN_OFFICER], 'bench-officer');
    const signer = await staff([StaffRole.BANK_SIGNER], 'bench-signer');
    const identity = await app.get(CreateSigningIdentity).execute({
      branchName: '本店営業部',
      title: '支店長',
      personName: '山田 一郎',
      pin: '735194',
      actor: 'bench',
    });
    const subscriber = async (i: number, role: string): Promise<Principal> => {
      const email = `${role}-${i}@bench.localhost`;
      const r = await app.get(RegisterSubscriber).execute(ra, {
        kind: 'individual',
        name: `${role} ${i}`,
        nameKana: 'ベンチ タロウ',
        email,
        birthDate: '1980-01-01',
        identityVerification: {
          documentType: 'drivers_license',
          documentNumberLast4: '1234',
          verifiedAt: new Date(Date.now() - 60_000).toISOString(),
        },
      });
      await app
        .get(IssueSubscriberCertificate)
        .execute({ subscriberId: r.id, pin: '482913', actor: 'bench' });
      return {
        kind: 'subscriber',
        id: r.id,
        loginId: r.loginId,
        name: `${role} ${i}`,
        email,
        subscriberKind: 'individual',
        status: 'active',
        sessionId: 'bench',
      };
    };
    const parties = [];
    for (let i = 0; i < n; i++)
      parties.push({
        debtor: await subscriber(i, 'debtor'),
        guarantor: await subscriber(i, 'guarantor'),
        id: '',
      });

    const report = (label: string, ms: number) =>
      figure(
        `${label.padEnd(50)} ${n} in ${(ms / 1000).toFixed(2)} s  = ${((n * 1000) / ms).toFixed(1)}/s  (wall ${(ms / n).toFixed(0)} ms per contract)`,
      );
    figure(
      `contracts: ${n}, concurrency ${concurrency}, max concurrent signings ${config.CONTRACT_MAX_CONCURRENT_SIGNINGS}, PDF ${pdf.length} bytes, ${config.database.type}`,
    );
    report(
      'register (upload check + store)',
      await pool(parties, concurrency, async (p) => {
        p.id = (
          await app.get(CreateContract).execute({
            operator: officer,
            title: 'bench',
            loanType: 'housing',
            amountYen: 1_000_000,
            counterparty: p.debtor.name,
            contractDate: '2026-04-01',
            signerIds: [p.debtor.id, p.guarantor.id],
            pdf,
          })
        ).id;
      }),
    );
    report(
      'bank signature (PIN, B-T certification, validate)',
      await pool(parties, concurrency, async (p) => {
        await app
          .get(BankSignContract)
          .execute({ contractId: p.id, signingIdentityId: identity.id, pin: '735194', operator: signer });
      }),
    );
    report(
      'debtor signature (PIN, B-T approval, validate)',
      await pool(parties, concurrency, async (p) => {
        await app
          .get(SignContract)
          .execute({ contractId: p.id, subscriber: p.debtor, pin: '482913', agreed: true });
      }),
    );
    report(
      'guarantor signature + B-LTA + validate original',
      await pool(parties, concurrency, async (p) => {
        const c = await app
          .get(SignContract)
          .execute({ contractId: p.id, subscriber: p.guarantor, pin: '482913', agreed: true });
        if (c.status !== 'completed') throw new Error(`contract ${p.id} ended ${c.status}`);
      }),
    );
  } finally {
    await close();
  }
}
