import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { ArchivedOriginalEntity } from '../../src/archive/archive.entities';
import { AccountEntity } from '../../src/identity/account.entity';
import { ChangeAccountStatus } from '../../src/identity/change-account-status.usecase';
import { ReissueCredentials } from '../../src/identity/reissue-credentials.usecase';
import { Principal, StaffRole } from '../../src/identity/auth/principal';
import { CertificateAuthority } from '../../src/pki/certificate-authority.service';
import { IssueSubscriberCertificate } from '../../src/pki/issue-subscriber-certificate.usecase';
import { CreateSigningIdentity } from '../../src/pki/signing-identities.usecase';
import { AuditLog } from '../../src/platform/audit/audit-log';
import { auth, fixturePdf, PDF_FIXTURES, postContract } from '../helpers/contracts';
import { ContractSigningGateway } from '../../src/contracts/contract-signing.gateway';
import { PadesValidator } from '../../src/pades/domain/pades-validator';
import { simpleReport } from '../../src/pades/domain/validation-report';
import { createStaff, createSubscriber, loginWithOtp, TestPerson } from '../helpers/identity';
import { createTestApp, destroyTestApp } from '../helpers/test-app';
import { TestSmtpServer } from '../helpers/test-smtp-server';
import { sharedPath } from '../helpers/shared-paths';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Every personal login URL (…/login/<key>) in a mail text. */
function loginUrlsIn(text: string): string[] {
  return text.match(/https?:\/\/\S+\/login\/[A-Za-z0-9_-]+/g) ?? [];
}

function run(
  cmd: string,
  args: string[],
  _opts: unknown,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8' }, (err, stdout, stderr) =>
      resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const VERIFY = sharedPath('verify/verify-signed-pdf');
const DEBTOR_PIN = '482913';
const GUARANTOR_PIN = '519374';
const BANK_PIN = '735194';

/**
 * The whole workflow over HTTP with mail over real SMTP: the loan officer registers, the bank
 * signs (EC-06), the debtor and the guarantor sign in order from their e-mail (EC-05, EC-07), each
 * signature is validated (EC-08), the original is B-LTA and checked by independent tools.
 */
describe('contracts: the whole flow (e2e, SMTP)', () => {
  const smtp = new TestSmtpServer();
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let officer: TestPerson;
  let bankSigner: TestPerson;
  let auditor: TestPerson;
  let debtor: TestPerson;
  let guarantor: TestPerson;
  let stranger: TestPerson;
  let identityId: string;
  let archived: { bytes: Buffer; rootPem: string } | undefined;
  const server = () => t.app.getHttpServer();

  beforeAll(async () => {
    const url = await smtp.start();
    // Served on a known port so the certificates' OCSP/CRL URLs answer when pdfsig asks them.
    const port = await freePort();
    t = await createTestApp({
      env: { SMTP_URL: url, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
    });
    await t.app.listen(port, '127.0.0.1');
    officer = await createStaff(t, [StaffRole.LOAN_OFFICER], { smtp, name: '融資 担当' });
    bankSigner = await createStaff(t, [StaffRole.BANK_SIGNER], { smtp, name: '本部 署名担当' });
    auditor = await createStaff(t, [StaffRole.AUDITOR], { smtp });
    debtor = await createSubscriber(t, { smtp, name: '電子 太郎' });
    guarantor = await createSubscriber(t, { smtp, name: '保証 次郎' });
    stranger = await createSubscriber(t, { smtp, name: '無関係 三郎' });
    const issue = t.app.get(IssueSubscriberCertificate);
    await issue.execute({ subscriberId: debtor.id, pin: DEBTOR_PIN, actor: 'test' });
    await issue.execute({ subscriberId: guarantor.id, pin: GUARANTOR_PIN, actor: 'test' });
    await issue.execute({ subscriberId: stranger.id, pin: DEBTOR_PIN, actor: 'test' });
    identityId = (
      await t.app.get(CreateSigningIdentity).execute({
        branchName: '本店営業部',
        title: '支店長',
        personName: '山田 一郎',
        pin: BANK_PIN,
        actor: 'test',
      })
    ).id;
  });
  afterAll(async () => {
    await destroyTestApp(t);
    await smtp.stop();
  });

  async function state(id: string) {
    const r = await request(server()).get(`/api/contracts/${id}`).set(auth(officer.token)).expect(200);
    return {
      status: r.body.status as string,
      currentSignerOrder: r.body.currentSignerOrder as number | null,
      currentVersion: r.body.currentVersion as number,
    };
  }

  async function registerAndBankSign(signerIds: string[]): Promise<string> {
    const created = await postContract(server(), officer.token, { signerIds }).expect(201);
    const id = created.body.id as string;
    await request(server())
      .post(`/api/contracts/${id}/bank-signature`)
      .set(auth(bankSigner.token))
      .send({ signingIdentityId: identityId, pin: BANK_PIN })
      .expect(200);
    return id;
  }

  const sign = (who: TestPerson, id: string, pin: string, agreed = true) =>
    request(server()).post(`/api/contracts/${id}/signature`).set(auth(who.token)).send({ pin, agreed });

  it('runs from upload to the archived B-LTA original', async () => {
    const created = await postContract(server(), officer.token, {
      signerIds: [debtor.id, guarantor.id],
      title: '金銭消費貸借契約証書',
    }).expect(201);
    const id = created.body.id as string;

    // The bank signer sees it in the queue; a wrong bank PIN changes nothing.
    const wrong = await request(server())
      .post(`/api/contracts/${id}/bank-signature`)
      .set(auth(bankSigner.token))
      .send({ signingIdentityId: identityId, pin: '000000' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('PIN_INCORRECT');
    expect(await state(id)).toEqual({ status: 'draft', currentSignerOrder: null, currentVersion: 1 });
    const byOfficer = await request(server())
      .post(`/api/contracts/${id}/bank-signature`)
      .set(auth(officer.token))
      .send({ signingIdentityId: identityId, pin: BANK_PIN });
    expect(byOfficer.status).toBe(403);

    let mark = smtp.messages.length;
    const bank = await request(server())
      .post(`/api/contracts/${id}/bank-signature`)
      .set(auth(bankSigner.token))
      .send({ signingIdentityId: identityId, pin: BANK_PIN })
      .expect(200);
    expect(bank.body).toMatchObject({ status: 'awaiting_signature', currentSignerOrder: 1 });

    // EC-07 (seed 000 §12(2)): the debtor is told, with the title and their own personal login
    // URL (and no one else's); no password, PIN or file.
    const invite = await smtp.nextTo(debtor.email, mark);
    expect(invite.subject).toContain('ご署名のお願い');
    expect(invite.text).toContain('金銭消費貸借契約証書');
    expect(loginUrlsIn(invite.text)).toEqual([`${t.config.publicUrl}/login/${debtor.loginKey}`]);
    expect(invite.text).toContain(`${t.config.publicUrl}/my/contracts`);
    expect(invite.text).not.toContain(debtor.password);
    expect(invite.raw).not.toMatch(/application\/pdf/i);
    expect(smtp.messages.slice(mark).some((m) => m.to.includes(guarantor.email))).toBe(false);
    // Following the URL: its page answers and its key (with ID, password and OTP) logs the debtor in.
    const followed = new URL(loginUrlsIn(invite.text)[0]);
    await request(server()).get(followed.pathname).expect(200);
    const viaMail = await loginWithOtp(server(), smtp, {
      loginKey: followed.pathname.split('/').pop()!,
      loginId: debtor.loginId,
      password: debtor.password,
      email: debtor.email,
    });
    expect(viaMail.user.id).toBe(debtor.id);

    // The audit log names the staff member who operated the branch manager's key.
    const audit = await t.app
      .get(AuditLog)
      .list({ subject: `contract:${id}`, action: 'contract.bank_signed' });
    expect(audit[0].actor).toBe(`staff:${bankSigner.id}`);

    // Refusals on the way, none of which changes anything.
    const before = await state(id);
    const outOfOrder = await sign(guarantor, id, GUARANTOR_PIN);
    expect([outOfOrder.status, outOfOrder.body.error.code]).toEqual([409, 'NOT_YOUR_TURN']);
    const third = await sign(stranger, id, DEBTOR_PIN);
    expect([third.status, third.body.error.code]).toEqual([403, 'NOT_A_PARTY']);
    const notAgreed = await sign(debtor, id, DEBTOR_PIN, false);
    expect([notAgreed.status, notAgreed.body.error.code]).toEqual([400, 'AGREEMENT_REQUIRED']);
    const wrongPin = await sign(debtor, id, '999999');
    expect([wrongPin.status, wrongPin.body.error.code]).toEqual([403, 'PIN_INCORRECT']);
    expect(await state(id)).toEqual(before);

    mark = smtp.messages.length;
    const first = await sign(debtor, id, DEBTOR_PIN).expect(200);
    expect(first.body).toMatchObject({ status: 'awaiting_signature', currentSignerOrder: 2 });
    const second = await smtp.nextTo(guarantor.email, mark);
    expect(second.subject).toContain('ご署名のお願い');
    expect(loginUrlsIn(second.text)).toEqual([`${t.config.publicUrl}/login/${guarantor.loginKey}`]);
    const again = await sign(debtor, id, DEBTOR_PIN);
    expect(again.body.error.code).toBe('CONTRACT_INVALID_STATE');

    mark = smtp.messages.length;
    const last = await sign(guarantor, id, GUARANTOR_PIN).expect(200);
    expect(last.body).toMatchObject({ status: 'completed', currentSignerOrder: null });
    for (const who of [debtor, guarantor]) {
      const done = await smtp.nextTo(who.email, mark);
      expect(done.subject).toContain('締結');
    }
    // The loan officer's copy of the completion notice carries nobody's personal login URL.
    const officerDone = await smtp.nextTo(officer.email, mark);
    expect(loginUrlsIn(officerDone.text)).toEqual([]);

    const detail = await request(server()).get(`/api/contracts/${id}`).set(auth(officer.token)).expect(200);
    expect(
      (detail.body.documents as { kind: string; validation: string }[]).map((d) => [d.kind, d.validation]),
    ).toEqual([
      ['uploaded', null],
      ['bank_signature', 'TOTAL-PASSED'],
      ['party_signature', 'TOTAL-PASSED'],
      ['party_signature', 'TOTAL-PASSED'],
      ['archival', 'TOTAL-PASSED'],
    ]);
    expect(detail.body.originalVersion).toBe(5);
    const types = (detail.body.events as { type: string }[]).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'created',
        'bank_signed',
        'signature_requested',
        'signed',
        'validated',
        'archived',
        'completed',
      ]),
    );

    // The original: a party gets a copy (audited), the auditor the same bytes.
    const copy = await request(server())
      .get(`/api/contracts/${id}/original`)
      .set(auth(debtor.token))
      .expect(200);
    const original = await request(server())
      .get(`/api/contracts/${id}/original`)
      .set(auth(auditor.token))
      .expect(200);
    const bytes = original.body as Buffer;
    expect(Buffer.compare(copy.body as Buffer, bytes)).toBe(0);
    expect(original.headers['x-content-sha256']).toBe(detail.body.originalSha256);
    const third2 = await request(server()).get(`/api/contracts/${id}/original`).set(auth(stranger.token));
    expect(third2.status).toBe(404);
    const downloads = await t.app
      .get(AuditLog)
      .list({ subject: `contract:${id}`, action: 'contract.copy_downloaded' });
    expect(downloads.map((d) => d.actor)).toEqual([`subscriber:${debtor.id}`]);
    // A download never changes the original.
    const after = await request(server()).get(`/api/contracts/${id}`).set(auth(officer.token));
    expect(after.body.originalSha256).toBe(detail.body.originalSha256);

    // The project's own validator agrees.
    const v = detail.body.documents[4].validationReport as {
      indication: string;
      signatures: { type: string }[];
    };
    expect(v.indication).toBe('TOTAL-PASSED');
    expect(v.signatures.filter((s) => s.type === 'signature')).toHaveLength(3);
    expect(v.signatures.filter((s) => s.type === 'document-timestamp')).toHaveLength(1);
    archived = { bytes, rootPem: await t.app.get(CertificateAuthority).trustAnchorsPem() };
    // Handed over to the archive module at once (seed 000 §13), as the same bytes.
    const inArchive = await t.app
      .get(DataSource)
      .getRepository(ArchivedOriginalEntity)
      .findOneBy({ contractId: id });
    expect(inArchive).not.toBeNull();
  });

  it('gives an original that independent tools accept (qpdf, pdfsig, openssl; 3 signatures + document timestamp + DSS)', async () => {
    expect(archived).toBeDefined();
    const bytes = archived!.bytes;
    // Independent tools: qpdf, pdfsig, openssl (3 signatures + 1 document timestamp + DSS).
    const dir = mkdtempSync(path.join(tmpdir(), 'contract-original-'));
    const file = path.join(dir, 'original.pdf');
    const root = path.join(dir, 'root.pem');
    writeFileSync(file, bytes);
    writeFileSync(root, archived!.rootPem);
    const upload = path.join(dir, 'upload.pdf');
    writeFileSync(upload, fixturePdf());
    expect(spawnSync('qpdf', ['--check', file]).status).toBe(0);
    // Asynchronously: pdfsig and the verifier ask this very process for OCSP/CRL answers.
    const pdfsig = (await promisify(execFile)('pdfsig', [file], { encoding: 'utf8' })).stdout;
    expect(pdfsig.match(/Signature #\d/g)?.length).toBeGreaterThanOrEqual(3);
    const verify = await run(
      VERIFY,
      [
        '--trust',
        root,
        '--prefix',
        upload,
        '--expect-signatures',
        '3',
        '--expect-doc-timestamps',
        '1',
        '--expect-dss',
        '--json',
        file,
      ],
      { encoding: 'utf8' },
    );
    if (verify.status !== 0) process.stderr.write(verify.stdout + verify.stderr);
    expect(verify.status).toBe(0);
  });

  it('mails the new personal login URL after a reissue, and the generic wording to an account without a sealed key', async () => {
    const party = await createSubscriber(t, { smtp, name: '再発行 五郎' });
    let mark = smtp.messages.length;
    const reissued = await t.app
      .get(ReissueCredentials)
      .execute(`staff:${officer.id}`, 'subscriber', party.id);
    expect(reissued.loginUrl).not.toBe(`${t.config.publicUrl}/login/${party.loginKey}`);
    let id = await registerAndBankSign([party.id]);
    const invite = await smtp.nextTo(party.email, mark);
    expect(invite.subject).toContain('ご署名のお願い');
    expect(loginUrlsIn(invite.text)).toEqual([reissued.loginUrl]);
    expect(invite.text).not.toContain(party.loginKey);
    expect(invite.text).not.toContain(reissued.temporaryPassword);

    // An account registered before the key was kept sealed: the mail says to use the URL given at
    // registration, as it did before.
    await t.app
      .get(DataSource)
      .getRepository(AccountEntity)
      .update({ id: party.id }, { loginKeySealed: null });
    await request(server())
      .post(`/api/contracts/${id}/cancel`)
      .set(auth(officer.token))
      .send({ reason: '再作成' })
      .expect(200);
    mark = smtp.messages.length;
    id = await registerAndBankSign([party.id]);
    const legacy = await smtp.nextTo(party.email, mark);
    expect(legacy.subject).toContain('ご署名のお願い');
    expect(loginUrlsIn(legacy.text)).toEqual([]);
    expect(legacy.text).toContain('ご登録時にお知らせした「お客さま専用ログインURL」');
  });

  it('lets a restricted or suspended party not sign; the contract waits (EC-18)', async () => {
    const id = await registerAndBankSign([debtor.id]);
    const before = await state(id);
    const ra: Principal = {
      kind: 'staff',
      id: officer.id,
      loginId: officer.loginId,
      name: 'RA',
      email: officer.email,
      roles: [StaffRole.RA_OFFICER],
      sessionId: 'test',
    };
    await t.app
      .get(ChangeAccountStatus)
      .execute(ra, 'subscriber', debtor.id, 'restrict', '反社会的勢力の確認中');
    const refused = await sign(debtor, id, DEBTOR_PIN);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('SIGNER_NOT_ELIGIBLE');
    expect(await state(id)).toEqual(before);
    await t.app.get(ChangeAccountStatus).execute(ra, 'subscriber', debtor.id, 'reactivate', '確認完了');
    // Suspension ends the sessions as well: the request is refused before it reaches the contract.
    await t.app
      .get(ChangeAccountStatus)
      .execute(ra, 'subscriber', debtor.id, 'suspend', '届出による利用停止');
    const suspended = await sign(debtor, id, DEBTOR_PIN);
    expect([401, 403]).toContain(suspended.status);
    expect(await state(id)).toEqual(before);
    await t.app.get(ChangeAccountStatus).execute(ra, 'subscriber', debtor.id, 'reactivate', '再開');
    const session = await loginWithOtp(server(), smtp, { ...debtor, email: debtor.email });
    debtor = { ...debtor, token: session.token };
    const ok = await sign(debtor, id, DEBTOR_PIN).expect(200);
    expect(ok.body.status).toBe('completed');
  });

  it('refuses signatures on a cancelled or expired contract', async () => {
    const id = await registerAndBankSign([guarantor.id]);
    await request(server())
      .post(`/api/contracts/${id}/cancel`)
      .set(auth(officer.token))
      .send({ reason: '取下げ' })
      .expect(200);
    const r = await sign(guarantor, id, GUARANTOR_PIN);
    expect([r.status, r.body.error.code]).toEqual([409, 'CONTRACT_CANCELLED']);
    expect((await state(id)).status).toBe('cancelled');

    const created = await postContract(server(), officer.token, {
      signerIds: [guarantor.id],
      deadline: new Date(t.clock.now().getTime() + 10 * 60_000).toISOString(),
    }).expect(201);
    await request(server())
      .post(`/api/contracts/${created.body.id}/bank-signature`)
      .set(auth(bankSigner.token))
      .send({ signingIdentityId: identityId, pin: BANK_PIN })
      .expect(200);
    // Past the deadline but within the session's idle limit.
    t.clock.advance(15 * 60_000);
    const late = await sign(guarantor, created.body.id as string, GUARANTOR_PIN);
    expect([late.status, late.body.error.code]).toEqual([409, 'CONTRACT_EXPIRED']);
  });
  it('stops the workflow and alerts the loan officer when a signature does not validate (EC-08)', async () => {
    // The validator is the real one, but given a trust list that lacks the service's root (as if the
    // trust store were misconfigured): the debtor's new signature cannot be chained, so it is not
    // TOTAL-PASSED and the contract must stop instead of moving on to the guarantor.
    const gateway = t.app.get(ContractSigningGateway);
    const foreignRoot = new X509Certificate(readFileSync(path.join(PDF_FIXTURES, 'other-software-root.pem')))
      .raw;
    const id = await registerAndBankSign([debtor.id, guarantor.id]);
    const spy = jest.spyOn(gateway, 'validate').mockImplementation(async (pdf: Uint8Array) => {
      const report = await PadesValidator.validate(pdf, { trustAnchors: [foreignRoot], at: t.clock.now() });
      return {
        indication: report.indication,
        signatureCount: report.entries.length,
        documentTimestampCount: 0,
        report: simpleReport(report) as unknown as Record<string, unknown>,
      };
    });
    try {
      const mark = smtp.messages.length;
      const r = await sign(debtor, id, DEBTOR_PIN).expect(200);
      expect(r.body.status).toBe('halted');
      const alert = await smtp.nextTo(officer.email, mark);
      expect(alert.subject).toContain('署名検証に失敗');
      expect(alert.text).toContain(id);
      expect(smtp.messages.slice(mark).some((m) => m.to.includes(guarantor.email))).toBe(false);
      const detail = await request(server()).get(`/api/contracts/${id}`).set(auth(officer.token)).expect(200);
      expect(detail.body.haltReason).toMatch(/INDETERMINATE|TOTAL-FAILED/);
      expect((detail.body.events as { type: string }[]).map((e) => e.type)).toContain('validation_failed');
      const next = await sign(guarantor, id, GUARANTOR_PIN);
      expect([next.status, next.body.error.code]).toEqual([409, 'CONTRACT_HALTED']);
    } finally {
      spy.mockRestore();
    }
  });
  it('locks the PIN after the configured number of wrong entries; the contract is unchanged', async () => {
    const locked = await createSubscriber(t, { smtp, name: '施錠 四郎' });
    await t.app
      .get(IssueSubscriberCertificate)
      .execute({ subscriberId: locked.id, pin: DEBTOR_PIN, actor: 'test' });
    const id = await registerAndBankSign([locked.id]);
    const before = await state(id);
    const codes: string[] = [];
    for (let i = 0; i < t.config.PIN_MAX_FAILURES; i++)
      codes.push((await sign(locked, id, '999999')).body.error.code as string);
    expect(codes.slice(0, -1).every((c) => c === 'PIN_INCORRECT')).toBe(true);
    expect(codes[codes.length - 1]).toBe('PIN_LOCKED');
    const right = await sign(locked, id, DEBTOR_PIN);
    expect([right.status, right.body.error.code]).toEqual([423, 'PIN_LOCKED']);
    expect(await state(id)).toEqual(before);
  });
});
