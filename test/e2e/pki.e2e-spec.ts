import { KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import { Principal, StaffRole } from '../../src/identity/auth/principal';
import { ChangeAccountStatus } from '../../src/identity/change-account-status.usecase';
import { UpdateSubscriber } from '../../src/ra/update-subscriber.usecase';
import { AccountEntity } from '../../src/identity/account.entity';
import { AuditLog } from '../../src/platform/audit/audit-log';
import { RevokeCertificate } from '../../src/pki/revoke-certificate.usecase';
import { UnlockSigningKey } from '../../src/pki/unlock-signing-key.usecase';
import { CertificateAuthority } from '../../src/pki/certificate-authority.service';
import { loadOrCreateHierarchy } from '../../src/pki/ca-hierarchy';
import { PassphraseKeyVault } from '../../src/platform/key-vault/key-vault';
import { fromPem, toPem } from '../../src/pki/domain/x509';
import { createStaff, createSubscriber } from '../helpers/identity';
import {
  applyForCertificate,
  createSigningIdentity,
  createSubscriberWithCertificate,
  openssl,
  opensslAsync,
  TEST_PIN,
  unlockBankKey,
  unlockSubscriberKey,
} from '../helpers/pki';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

type T = Awaited<ReturnType<typeof createTestApp>>;

const expectAppError = async (p: Promise<unknown>, code: string, status?: number) => {
  await expect(p).rejects.toMatchObject(status ? { code, status } : { code });
};

describe('PKI (e2e)', () => {
  let t: T;
  let server: App;
  let work: string;
  let baseUrl: string;
  let rootPem: string;
  let issuingPem: string;

  beforeAll(async () => {
    t = await createTestApp({ listen: true });
    server = t.app.getHttpServer();
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    work = mkdtempSync(path.join(tmpdir(), 'pki-e2e-'));
    rootPem = path.join(work, 'root.pem');
    issuingPem = path.join(work, 'issuing.pem');
    writeFileSync(rootPem, (await request(server).get('/pki/root.pem').expect(200)).text);
    writeFileSync(issuingPem, (await request(server).get('/pki/issuing-ca.pem').expect(200)).text);
  });
  afterAll(async () => {
    rmSync(work, { recursive: true, force: true });
    await destroyTestApp(t);
  });

  const file = (name: string, data: string | Buffer) => {
    const p = path.join(work, `${Date.now()}-${Math.random().toString(16).slice(2)}-${name}`);
    writeFileSync(p, data);
    return p;
  };
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const ocspStatus = (certPem: string) =>
    opensslAsync([
      'ocsp',
      '-issuer',
      issuingPem,
      '-cert',
      file('c.pem', certPem),
      '-url',
      `${baseUrl}/pki/ocsp`,
      '-CAfile',
      rootPem,
    ]);
  const crlText = async () => {
    const crl = await request(server).get('/pki/crl/issuing.crl').buffer(true).parse(binary).expect(200);
    expect(crl.headers['content-type']).toBe('application/pkix-crl');
    return openssl([
      'crl',
      '-inform',
      'DER',
      '-in',
      file('i.crl', crl.body as Buffer),
      '-noout',
      '-text',
      '-CAfile',
      issuingPem,
    ]);
  };

  it('publishes the hierarchy: root (self-signed) and issuing CA as DER and PEM, and their CRLs', async () => {
    const root = await request(server).get('/pki/root.crt').buffer(true).parse(binary).expect(200);
    expect(root.headers['content-type']).toBe('application/pkix-cert');
    expect(toPem(root.body as Buffer)).toBe(readFileSync(rootPem, 'utf8'));
    const rootText = openssl(['x509', '-in', rootPem, '-noout', '-text']).out;
    expect(rootText).toContain('ecdsa-with-SHA384');
    expect(rootText).toContain('NIST CURVE: P-384');
    expect(rootText).toMatch(/CA:TRUE/);
    expect(openssl(['verify', '-CAfile', rootPem, issuingPem]).out).toContain('OK');
    const issuingText = openssl(['x509', '-in', issuingPem, '-noout', '-text']).out;
    expect(issuingText).toContain(`URI:${t.config.publicUrl}/pki/crl/root.crl`);
    const rootCrl = await request(server).get('/pki/crl/root.crl').buffer(true).parse(binary).expect(200);
    expect(
      openssl([
        'crl',
        '-inform',
        'DER',
        '-in',
        file('r.crl', rootCrl.body as Buffer),
        '-noout',
        '-CAfile',
        rootPem,
      ]).out,
    ).toContain('verify OK');
    // The vault passphrase file is private; the CA keys on disk are sealed.
    expect(statSync(path.join(t.config.certsDir, 'ca-passphrase')).mode & 0o777).toBe(0o600);
    expect(await t.app.get(CertificateAuthority).trustAnchorsPem()).toBe(readFileSync(rootPem, 'utf8'));
  });

  it('issues a certificate on application with the PIN, verifiable by openssl, and refuses a second one', async () => {
    const person = await createSubscriber(t, { name: '山田 太郎', email: `taro-${Date.now()}@example.jp` });
    const res = await request(server)
      .post('/api/me/certificate')
      .set(bearer(person.token))
      .send({ pin: TEST_PIN, pinConfirmation: TEST_PIN })
      .expect(201);
    expect(res.body).toMatchObject({
      serialNumber: expect.stringMatching(/^[0-9a-f]+$/),
      status: 'active',
      kind: 'subscriber',
    });
    const days = (Date.parse(res.body.notAfter) - Date.parse(res.body.notBefore)) / 86_400_000;
    expect(days).toBe(730);
    const certFile = file('sub.pem', res.body.certificatePem);
    expect(openssl(['verify', '-CAfile', rootPem, '-untrusted', issuingPem, certFile]).out).toContain(': OK');
    const text = openssl(['x509', '-in', certFile, '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus']).out;
    expect(text).toContain(`Subject: C=JP,CN=山田 太郎,serialNumber=SUB-${person.id}`);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(text).toContain(`Policy: ${t.config.CERT_POLICY_OID}`);
    expect(text).toContain(`OCSP - URI:${t.config.publicUrl}/pki/ocsp`);
    expect(text).toContain(`CA Issuers - URI:${t.config.publicUrl}/pki/issuing-ca.crt`);
    expect(text).toContain(`email:${person.email}`);
    expect(text).toContain('prime256v1');

    const again = await request(server)
      .post('/api/me/certificate')
      .set(bearer(person.token))
      .send({ pin: '739164' })
      .expect(409);
    expect(again.body.error.code).toBe('ACTIVE_CERTIFICATE_EXISTS');

    const mine = await request(server).get('/api/me/certificate').set(bearer(person.token)).expect(200);
    expect(mine.body.current).toMatchObject({
      serialNumber: res.body.serialNumber,
      failedPinAttempts: 0,
      locked: false,
    });
    expect(mine.body.current.pinSetAt).toBeTruthy();
    // Setting the PIN is recorded as the receipt acknowledgement (EC-04), without the PIN.
    const [ack] = await t.app
      .get(AuditLog)
      .list({ action: 'pki.pin.set', subject: `certificate:${res.body.id}` });
    expect(ack).toMatchObject({ actor: `subscriber:${person.id}`, details: { receiptAcknowledged: true } });
    expect(JSON.stringify(ack.details)).not.toContain(TEST_PIN);
  });

  it('puts the corporation in O for a corporate officer', async () => {
    const { certificate } = await createSubscriberWithCertificate(t, {
      subscriber: {
        kind: 'corporate',
        name: '佐藤 次郎',
        corporationName: '株式会社あぶくま製作所',
        officerTitle: '代表取締役',
      } as never,
    });
    const text = openssl([
      'x509',
      '-in',
      file('corp.pem', certificate.certificatePem),
      '-noout',
      '-subject',
      '-nameopt',
      'utf8,sep_comma_plus',
    ]).out;
    expect(text).toContain('C=JP,O=株式会社あぶくま製作所,CN=佐藤 次郎');
  });

  it('refuses weak PINs, a mismatched confirmation, unauthenticated and staff callers', async () => {
    const person = await createSubscriber(t, { birthDate: '1980-04-15' });
    for (const [pin, problem] of [
      ['12945', 'TOO_SHORT'],
      ['777777', 'REPEATED'],
      ['123456', 'SEQUENCE'],
      ['19800415', 'BIRTH_DATE'],
    ]) {
      const res = await request(server)
        .post('/api/me/certificate')
        .set(bearer(person.token))
        .send({ pin })
        .expect(400);
      expect(res.body.error).toMatchObject({
        code: 'PIN_POLICY_VIOLATION',
        details: { problems: [problem] },
      });
    }
    const mismatch = await request(server)
      .post('/api/me/certificate')
      .set(bearer(person.token))
      .send({ pin: '482915', pinConfirmation: '482916' })
      .expect(400);
    expect(mismatch.body.error.code).toBe('PIN_MISMATCH');
    const missing = await request(server)
      .post('/api/me/certificate')
      .set(bearer(person.token))
      .send({})
      .expect(400);
    expect(missing.body.error.code).toBe('VALIDATION_FAILED');
    await request(server).post('/api/me/certificate').send({ pin: '482915' }).expect(401);
    const staff = await createStaff(t, [StaffRole.RA_OFFICER]);
    await request(server)
      .post('/api/me/certificate')
      .set(bearer(staff.token))
      .send({ pin: '482915' })
      .expect(403);
    // Nothing was issued.
    const mine = await request(server).get('/api/me/certificate').set(bearer(person.token)).expect(200);
    expect(mine.body).toEqual({ current: null, history: [] });
  });

  it('refuses a subscriber whose registration is not active', async () => {
    const person = await createSubscriber(t);
    await t.app
      .get(DataSource)
      .getRepository(AccountEntity)
      .update({ id: person.id }, { status: 'restricted' });
    const res = await request(server)
      .post('/api/me/certificate')
      .set(bearer(person.token))
      .send({ pin: '482915' });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toMatch(/SUBSCRIBER_NOT_ACTIVE|ACCOUNT/);
  });

  it('issues only one certificate when two applications race', async () => {
    const person = await createSubscriber(t);
    const results = await Promise.all(
      [0, 1, 2].map(() =>
        request(server).post('/api/me/certificate').set(bearer(person.token)).send({ pin: '482915' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const mine = await request(server).get('/api/me/certificate').set(bearer(person.token)).expect(200);
    expect(mine.body.history).toHaveLength(1);
  });

  it('unlocks with the right PIN, counts wrong ones, and locks at the limit', async () => {
    const { person, certificate } = await createSubscriberWithCertificate(t);
    const unlock = t.app.get(UnlockSigningKey);
    const ok = await unlockSubscriberKey(t, person.id);
    expect(ok.serialNumber).toBe(certificate.serialNumber);
    expect(ok.chain).toHaveLength(2);
    expect(Buffer.from(ok.chain[0]).equals(fromPem(readFileSync(issuingPem, 'utf8')))).toBe(true);
    // The opened key matches the certificate.
    const { createPublicKey, createSign, createVerify } = await import('node:crypto');
    const sig = createSign('sha256').update('contract').sign(ok.privateKey);
    const pub = createPublicKey(certificate.certificatePem);
    expect(createVerify('sha256').update('contract').verify(pub, sig)).toBe(true);

    for (let i = 1; i <= 9; i++) {
      await expect(
        unlock.unlock({ subscriberId: person.id, pin: '000000', actor: 'test' }),
      ).rejects.toMatchObject({
        code: 'PIN_INCORRECT',
        status: 403,
        details: { remainingAttempts: 10 - i },
      });
    }
    // A correct PIN resets the count (the limit is on *consecutive* failures).
    await unlockSubscriberKey(t, person.id);
    for (let i = 1; i <= 9; i++)
      await expectAppError(
        unlock.unlock({ subscriberId: person.id, pin: '000000', actor: 'test' }),
        'PIN_INCORRECT',
      );
    await expectAppError(
      unlock.unlock({ subscriberId: person.id, pin: '000000', actor: 'test' }),
      'PIN_LOCKED',
      423,
    );
    // Locked: even the right PIN no longer opens it.
    await expectAppError(unlockSubscriberKey(t, person.id), 'PIN_LOCKED', 423);
    const mine = await request(server).get('/api/me/certificate').set(bearer(person.token)).expect(200);
    expect(mine.body.current).toMatchObject({ status: 'locked', locked: true, failedPinAttempts: 10 });
    expect(
      await t.app.get(AuditLog).list({ action: 'pki.key.locked', subject: `certificate:${certificate.id}` }),
    ).toHaveLength(1);
    // Re-applying is refused until the RA revokes; then it works.
    const again = await request(server)
      .post('/api/me/certificate')
      .set(bearer(person.token))
      .send({ pin: '739164' })
      .expect(409);
    expect(again.body.error.code).toBe('ACTIVE_CERTIFICATE_EXISTS');
    await t.app
      .get(RevokeCertificate)
      .revokeForSubscriber(person.id, 'keyCompromise', { channel: 'counter', actor: 'test' });
    await applyForCertificate(t, person, '739164');
  });

  it('never lets parallel wrong guesses exceed the limit', async () => {
    const { person } = await createSubscriberWithCertificate(t);
    const unlock = t.app.get(UnlockSigningKey);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 14 }, () =>
        unlock.unlock({ subscriberId: person.id, pin: '000000', actor: 'test' }),
      ),
    );
    const codes = outcomes.map((o) =>
      o.status === 'rejected' ? ((o.reason as { code?: string }).code ?? String(o.reason)) : 'OK',
    );
    expect(codes.filter((c) => c === 'PIN_INCORRECT').length).toBe(9);
    expect(codes.filter((c) => c === 'PIN_LOCKED').length).toBe(5);
    await expectAppError(unlockSubscriberKey(t, person.id), 'PIN_LOCKED');
  });

  it('changes the PIN only with the current one', async () => {
    const { person } = await createSubscriberWithCertificate(t);
    const wrong = await request(server)
      .post('/api/me/certificate/pin')
      .set(bearer(person.token))
      .send({ currentPin: '000000', newPin: '739164' })
      .expect(403);
    expect(wrong.body.error).toMatchObject({ code: 'PIN_INCORRECT', details: { remainingAttempts: 9 } });
    const same = await request(server)
      .post('/api/me/certificate/pin')
      .set(bearer(person.token))
      .send({ currentPin: TEST_PIN, newPin: TEST_PIN })
      .expect(400);
    expect(same.body.error.code).toBe('PIN_UNCHANGED');
    const weak = await request(server)
      .post('/api/me/certificate/pin')
      .set(bearer(person.token))
      .send({ currentPin: TEST_PIN, newPin: '111111' })
      .expect(400);
    expect(weak.body.error.code).toBe('PIN_POLICY_VIOLATION');
    await request(server)
      .post('/api/me/certificate/pin')
      .set(bearer(person.token))
      .send({ currentPin: TEST_PIN, newPin: '739164' })
      .expect(200, { changed: true });
    await expectAppError(unlockSubscriberKey(t, person.id, TEST_PIN), 'PIN_INCORRECT');
    expect((await unlockSubscriberKey(t, person.id, '739164')).certificateId).toBeTruthy();
  });

  it('RA revocation: refused to others and for bad input; then CRL and OCSP show it at once', async () => {
    const { person, certificate } = await createSubscriberWithCertificate(t);
    const ra = await createStaff(t, [StaffRole.RA_OFFICER]);
    const loan = await createStaff(t, [StaffRole.LOAN_OFFICER]);
    const url = `/api/ra/subscribers/${person.id}/certificate/revoke`;

    const good = await ocspStatus(certificate.certificatePem);
    expect(good.out).toMatch(/Response verify OK/);
    expect(good.out).toMatch(/: good/);

    const byPhone = { reason: 'keyCompromise', channel: 'phone' };
    const revoke = (token: string | undefined, body: object, path = url) => {
      const req = request(server).post(path);
      return (token ? req.set(bearer(token)) : req).send(body);
    };
    await revoke(undefined, byPhone).expect(401);
    await revoke(loan.token, byPhone).expect(403);
    await revoke(person.token, byPhone).expect(403);
    const badReason = await revoke(ra.token, { reason: 'lostIt', channel: 'phone' }).expect(400);
    expect(badReason.body.error.code).toBe('VALIDATION_FAILED');
    await revoke(ra.token, { reason: 'keyCompromise', channel: 'fax' }).expect(400);
    await revoke(ra.token, byPhone, '/api/ra/subscribers/not-a-uuid/certificate/revoke').expect(400);

    const res = await revoke(ra.token, byPhone).expect(200);
    expect(res.body.revoked).toHaveLength(1);
    expect(res.body.revoked[0]).toMatchObject({
      serialNumber: certificate.serialNumber,
      status: 'revoked',
      revocationReason: 'keyCompromise',
      revocationChannel: 'phone',
    });

    const crl = await crlText();
    expect(crl.out).toContain('verify OK');
    expect(crl.out.toLowerCase()).toContain(certificate.serialNumber.toLowerCase());
    expect(crl.out).toMatch(/Key Compromise/);

    const revoked = await ocspStatus(certificate.certificatePem);
    expect(revoked.out).toMatch(/Response verify OK/);
    expect(revoked.out).toMatch(/: revoked/);
    expect(revoked.out).toMatch(/Reason: keyCompromise/);

    // Nothing left to revoke: a clear 404; the key can no longer be used.
    const none = await revoke(ra.token, byPhone).expect(404);
    expect(none.body.error.code).toBe('NO_ACTIVE_CERTIFICATE');
    await expectAppError(
      t.app.get(UnlockSigningKey).unlock({ certificateId: certificate.id, pin: TEST_PIN, actor: 'test' }),
      'CERTIFICATE_REVOKED',
    );
    // The certificate is kept (EC-13): still listed, with its history.
    const list = await request(server)
      .get(`/api/ra/subscribers/${person.id}/certificates`)
      .set(bearer(ra.token))
      .expect(200);
    expect(list.body.history[0]).toMatchObject({ id: certificate.id, status: 'revoked' });
    const [audit] = await t.app
      .get(AuditLog)
      .list({ action: 'pki.certificate.revoked', subject: `certificate:${certificate.id}` });
    expect(audit).toMatchObject({
      actor: `staff:${ra.id}`,
      details: { reason: 'keyCompromise', channel: 'phone' },
    });
  });

  it('supersedes the old certificate when the subscriber re-applies after a name change', async () => {
    const { person, certificate } = await createSubscriberWithCertificate(t);
    await t.app.get(DataSource).getRepository(AccountEntity).update({ id: person.id }, { name: '新姓 花子' });
    const next = await applyForCertificate(t, person, '739164');
    expect(next.subject).toContain('CN=新姓 花子');
    const mine = await request(server).get('/api/me/certificate').set(bearer(person.token)).expect(200);
    expect(mine.body.current.id).toBe(next.id);
    const history = mine.body.history as { id: string }[];
    expect(history.find((c) => c.id === certificate.id)).toMatchObject({
      status: 'revoked',
      revocationReason: 'superseded',
    });
    expect((await ocspStatus(certificate.certificatePem)).out).toMatch(/Reason: superseded/);
    expect((await ocspStatus(next.certificatePem)).out).toMatch(/: good/);
  });

  it('revokes with cessationOfOperation when identity/RA deletes a subscriber (in their transaction)', async () => {
    const { person, certificate } = await createSubscriberWithCertificate(t);
    const revocation = t.app.get(RevokeCertificate);
    await t.app.get(DataSource).transaction(async (m) => {
      const revoked = await revocation.revokeForSubscriber(
        person.id,
        'cessationOfOperation',
        { channel: 'counter', actor: 'staff:test' },
        m,
      );
      expect(revoked.map((c) => c.id)).toEqual([certificate.id]);
    });
    expect((await ocspStatus(certificate.certificatePem)).out).toMatch(/Reason: cessationOfOperation/);
    // Deleting someone without a certificate is not an error.
    const nobody = await createSubscriber(t);
    expect(
      await revocation.revokeForSubscriber(nobody.id, 'cessationOfOperation', {
        channel: 'counter',
        actor: 'test',
      }),
    ).toEqual([]);
    await expectAppError(
      revocation.revokeForSubscriber(nobody.id, 'badReason' as never, { channel: 'counter', actor: 'test' }),
      'INVALID_REVOCATION_REASON',
    );
  });

  it('revokes through the account lifecycle: e-mail change (affiliationChanged) and deletion (cessationOfOperation)', async () => {
    const ra = await createStaff(t, [StaffRole.RA_OFFICER]);
    const officer: Principal = {
      kind: 'staff',
      id: ra.id,
      loginId: ra.loginId,
      name: '登録 担当',
      email: ra.email,
      roles: [StaffRole.RA_OFFICER],
      sessionId: 'test',
    };
    const changed = await createSubscriberWithCertificate(t);
    // A change that does not touch the certificate's contents revokes nothing.
    await t.app.get(UpdateSubscriber).execute(officer, changed.person.id, { phone: '024-111-2222' });
    expect((await ocspStatus(changed.certificate.certificatePem)).out).toMatch(/: good/);
    await t.app
      .get(UpdateSubscriber)
      .execute(officer, changed.person.id, { email: `new-${Date.now()}@example.jp` });
    expect((await ocspStatus(changed.certificate.certificatePem)).out).toMatch(/Reason: affiliationChanged/);
    // The subscriber re-applies (EC-12) and gets a certificate with the new address.
    const renewed = await applyForCertificate(t, changed.person, '739164');
    expect(renewed.status).toBe('active');

    const leaving = await createSubscriberWithCertificate(t);
    await t.app.get(ChangeAccountStatus).execute(officer, 'subscriber', leaving.person.id, 'delete', '退会');
    expect((await ocspStatus(leaving.certificate.certificatePem)).out).toMatch(
      /Reason: cessationOfOperation/,
    );
    const [entry] = await t.app
      .get(AuditLog)
      .list({ action: 'pki.certificate.revoked', subject: `certificate:${leaving.certificate.id}` });
    expect(entry.actor).toBe(`staff:${ra.id}`);
  });

  it('answers OCSP by GET, unknown for a serial it never issued, malformedRequest for garbage', async () => {
    const { certificate } = await createSubscriberWithCertificate(t);
    const reqFile = file('req.der', '');
    openssl([
      'ocsp',
      '-issuer',
      issuingPem,
      '-cert',
      file('c.pem', certificate.certificatePem),
      '-no_nonce',
      '-reqout',
      reqFile,
    ]);
    const b64 = readFileSync(reqFile).toString('base64');
    const get = await request(server)
      .get(`/pki/ocsp/${encodeURIComponent(b64)}`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect(get.headers['content-type']).toBe('application/ocsp-response');
    const text = openssl([
      'ocsp',
      '-respin',
      file('r.der', get.body as Buffer),
      '-resp_text',
      '-CAfile',
      rootPem,
      '-reqin',
      reqFile,
      '-no_nonce',
    ]).out;
    expect(text).toMatch(/Cert Status: good/);
    expect(text).toMatch(/Response verify OK/);

    const unknown = await opensslAsync([
      'ocsp',
      '-issuer',
      issuingPem,
      '-serial',
      '0x7fedcba987654321',
      '-url',
      `${baseUrl}/pki/ocsp`,
      '-CAfile',
      rootPem,
    ]);
    expect(unknown.out).toMatch(/: unknown/);

    for (const body of [
      Buffer.from('not der at all'),
      Buffer.alloc(0),
      Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]),
    ]) {
      const bad = await request(server)
        .post('/pki/ocsp')
        .set('Content-Type', 'application/ocsp-request')
        .send(body)
        .buffer(true)
        .parse(binary)
        .expect(200);
      // OCSPResponse { responseStatus malformedRequest(1) } = 30 03 0a 01 01
      expect((bad.body as Buffer).toString('hex')).toBe('30030a0101');
    }
    const badGet = await request(server).get('/pki/ocsp/not*base64!').buffer(true).parse(binary);
    expect(badGet.status).toBe(200);
    expect((badGet.body as Buffer).toString('hex')).toBe('30030a0101');
    // A request about another CA's certificate: unauthorized(6).
    const foreign = Buffer.from(
      '3041303f303d303b3039300906052b0e03021a05000414' +
        '00'.repeat(20) +
        '0414' +
        '11'.repeat(20) +
        '020101',
      'hex',
    );
    const f = await request(server)
      .post('/pki/ocsp')
      .set('Content-Type', 'application/ocsp-request')
      .send(foreign)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect((f.body as Buffer).toString('hex')).toBe('30030a0106');
  });

  it('gives PAdES the revocation info of our certificates (fresh OCSP + current CRL)', async () => {
    const { certificate } = await createSubscriberWithCertificate(t);
    const ca = t.app.get(CertificateAuthority);
    const info = await ca.revocationInfo(fromPem(certificate.certificatePem));
    expect(info.ocsp && info.crl).toBeTruthy();
    const text = openssl([
      'ocsp',
      '-respin',
      file('ri.der', Buffer.from(info.ocsp!)),
      '-resp_text',
      '-noverify',
    ]).out;
    expect(text).toMatch(/Cert Status: good/);
    expect(
      openssl([
        'crl',
        '-inform',
        'DER',
        '-in',
        file('ri.crl', Buffer.from(info.crl!)),
        '-noout',
        '-CAfile',
        issuingPem,
      ]).out,
    ).toContain('verify OK');
    expect(await ca.revocationInfo(Buffer.from('not a certificate'))).toEqual({});
  });

  it('issues TSA certificates from the root with only a critical id-kp-timeStamping, recorded and revocable', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const ca = t.app.get(CertificateAuthority);
    const now = t.clock.now();
    const issued = await ca.issueTsaCertificate({
      commonName: 'テスト TSA',
      publicKeySpki: publicKey.export({ format: 'der', type: 'spki' }),
      notBefore: now,
      notAfter: new Date(now.getTime() + 5 * 365 * 86_400_000),
    });
    expect(issued.chain.map((c) => Buffer.from(c).toString('base64'))).toEqual([
      fromPem(readFileSync(rootPem, 'utf8')).toString('base64'),
    ]);
    const p = file('tsa.pem', toPem(issued.certificate));
    expect(openssl(['verify', '-purpose', 'timestampsign', '-CAfile', rootPem, p]).out).toContain(': OK');
    expect(openssl(['x509', '-in', p, '-noout', '-ext', 'extendedKeyUsage,keyUsage']).out).toMatch(
      /Key Usage: critical\s+Digital Signature, Non Repudiation[\s\S]*Extended Key Usage: critical\s+Time Stamping/,
    );
    const info = await ca.revocationInfo(issued.certificate);
    const text = openssl([
      'ocsp',
      '-respin',
      file('tsa-ocsp.der', Buffer.from(info.ocsp!)),
      '-resp_text',
      '-CAfile',
      rootPem,
      '-issuer',
      rootPem,
    ]).out;
    expect(text).toMatch(/Cert Status: good/);
  });

  it('bank signing identities: admin creates, bank_signer unlocks with the PIN for a contract, audited', async () => {
    const admin = await createStaff(t, [StaffRole.ADMIN]);
    const signer = await createStaff(t, [StaffRole.BANK_SIGNER]);
    const loan = await createStaff(t, [StaffRole.LOAN_OFFICER]);
    const body = { branchName: '本店営業部', title: '支店長', personName: '阿武隈 一郎', pin: '582039' };
    await request(server)
      .post('/api/admin/signing-identities')
      .set(bearer(loan.token))
      .send(body)
      .expect(403);
    const weak = await request(server)
      .post('/api/admin/signing-identities')
      .set(bearer(admin.token))
      .send({ ...body, pin: '000000' })
      .expect(400);
    expect(weak.body.error.code).toBe('PIN_POLICY_VIOLATION');
    const created = await request(server)
      .post('/api/admin/signing-identities')
      .set(bearer(admin.token))
      .send(body)
      .expect(201);
    expect(created.body).toMatchObject({ displayName: '本店営業部 支店長 阿武隈 一郎', status: 'active' });
    const subject = openssl([
      'x509',
      '-in',
      file('bank.pem', created.body.certificate.certificatePem),
      '-noout',
      '-subject',
      '-nameopt',
      'utf8,sep_comma_plus',
    ]).out;
    expect(subject).toContain(`C=JP,O=${t.config.BANK_NAME},CN=本店営業部 支店長 阿武隈 一郎`);
    const list = await request(server)
      .get('/api/admin/signing-identities')
      .set(bearer(signer.token))
      .expect(200);
    expect((list.body.items as { id: string }[]).map((i) => i.id)).toContain(created.body.id);

    const unlock = t.app.get(UnlockSigningKey);
    await expectAppError(
      unlock.unlockBankSigningIdentity({
        signingIdentityId: created.body.id,
        pin: '582039',
        operator: { id: loan.id, roles: [StaffRole.LOAN_OFFICER] },
        contractId: 'c-1',
      }),
      'NOT_A_BANK_SIGNER',
      403,
    );
    await expectAppError(
      unlock.unlockBankSigningIdentity({
        signingIdentityId: created.body.id,
        pin: '582039',
        operator: { id: signer.id, roles: [StaffRole.BANK_SIGNER] },
        contractId: '',
      }),
      'CONTRACT_REQUIRED',
    );
    await expectAppError(unlockBankKey(t, created.body.id, signer.id, 'c-1', '999999'), 'PIN_INCORRECT');
    const opened = await unlockBankKey(t, created.body.id, signer.id, 'contract-42', '582039');
    expect(opened.subject).toContain('本店営業部 支店長 阿武隈 一郎');
    const [used] = await t.app
      .get(AuditLog)
      .list({ action: 'pki.key.unlocked', subject: `certificate:${opened.certificateId}` });
    expect(used).toMatchObject({
      actor: `staff:${signer.id}`,
      details: { contractId: 'contract-42', signingIdentityId: created.body.id },
    });

    await request(server)
      .post(`/api/admin/signing-identities/${created.body.id}/revoke`)
      .set(bearer(signer.token))
      .send({})
      .expect(403);
    const revoked = await request(server)
      .post(`/api/admin/signing-identities/${created.body.id}/revoke`)
      .set(bearer(admin.token))
      .send({})
      .expect(200);
    expect(revoked.body).toMatchObject({
      status: 'revoked',
      certificate: { status: 'revoked', revocationReason: 'cessationOfOperation' },
    });
    await request(server)
      .post(`/api/admin/signing-identities/${created.body.id}/revoke`)
      .set(bearer(admin.token))
      .send({})
      .expect(409);
    await expectAppError(
      unlockBankKey(t, created.body.id, signer.id, 'c-2', '582039'),
      'SIGNING_IDENTITY_REVOKED',
    );
    const helper = await createSigningIdentity(t);
    expect((await unlockBankKey(t, helper.identity.id, signer.id, 'c-3')).serialNumber).toBe(
      helper.identity.certificate!.serialNumber,
    );
  });

  it('stores no private key in clear: database, storage/ and certs/ scanned for PEM and raw PKCS#8', async () => {
    const { person } = await createSubscriberWithCertificate(t);
    const bank = await createSigningIdentity(t);
    const signer = await createStaff(t, [StaffRole.BANK_SIGNER]);
    // The CA keys as the service holds them in memory, and the signer keys as unlocked.
    const h = await t.app.get(CertificateAuthority).ready();
    const keys: KeyObject[] = [
      (await unlockSubscriberKey(t, person.id)).privateKey,
      (await unlockBankKey(t, bank.identity.id, signer.id, 'c')).privateKey,
      h.root.key,
      h.issuing.key,
    ];
    const needles = keys.flatMap((k) => {
      const der = k.export({ format: 'der', type: 'pkcs8' });
      // The private scalar / exponent itself, raw, base64 and hex, and the whole PKCS#8 DER.
      const d = Buffer.from(k.export({ format: 'jwk' }).d!, 'base64url');
      return [
        der,
        Buffer.from(der.toString('base64').slice(0, 60)),
        d,
        Buffer.from(d.toString('base64')),
        Buffer.from(d.toString('hex')),
      ];
    });

    const blobs: { where: string; data: Buffer }[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else blobs.push({ where: p, data: readFileSync(p) });
      }
    };
    walk(t.config.storageDir);
    walk(t.config.certsDir);
    const ds = t.app.get(DataSource);
    for (const table of [
      'pki_certificates',
      'pki_signing_keys',
      'pki_crls',
      'pki_signing_identities',
      'audit_entries',
    ]) {
      const rows: unknown[] = await ds.query(`SELECT * FROM ${table}`);
      blobs.push({ where: `db:${table}`, data: Buffer.from(JSON.stringify(rows)) });
    }
    expect(blobs.some((b) => b.where.startsWith('db:pki_signing_keys') && b.data.includes('kv1$pin$'))).toBe(
      true,
    );
    for (const b of blobs) {
      const text = b.data.toString('latin1');
      expect({ where: b.where, clearPem: /-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(text) }).toEqual({
        where: b.where,
        clearPem: false,
      });
      for (const n of needles)
        expect({ where: b.where, found: b.data.includes(n) }).toEqual({ where: b.where, found: false });
    }
  });
});

describe('PKI with a moving clock (e2e)', () => {
  let t: T;
  beforeAll(async () => {
    t = await createTestApp({ env: { SUBSCRIBER_CERT_VALIDITY_DAYS: '30', CRL_NEXT_UPDATE_HOURS: '6' } });
  });
  afterAll(async () => destroyTestApp(t));

  it('expires certificates by the clock, allows re-application, keeps the CRL fresh', async () => {
    const server = t.app.getHttpServer() as App;
    const { person, certificate } = await createSubscriberWithCertificate(t);
    expect((Date.parse(certificate.notAfter) - Date.parse(certificate.notBefore)) / 86_400_000).toBe(30);
    const crlBefore = await request(server)
      .get('/pki/crl/issuing.crl')
      .buffer(true)
      .parse(binary)
      .expect(200);
    t.clock.advance(31 * 86_400_000);
    await expectAppError(unlockSubscriberKey(t, person.id), 'CERTIFICATE_EXPIRED', 403);
    const mine = await request(server)
      .get('/api/me/certificate')
      .set('Authorization', `Bearer ${person.token}`);
    if (mine.status === 200) {
      expect(mine.body.current).toBeNull();
      expect(mine.body.history[0]).toMatchObject({ id: certificate.id, status: 'expired' });
      const next = await applyForCertificate(t, person, '739164');
      expect(next.id).not.toBe(certificate.id);
      // An expired certificate is not revoked by re-issuance.
      const again = await request(server)
        .get('/api/me/certificate')
        .set('Authorization', `Bearer ${person.token}`)
        .expect(200);
      const history = again.body.history as { id: string; status: string }[];
      expect(history.find((c) => c.id === certificate.id)?.status).toBe('expired');
    }
    // The CRL was stale after the jump: a new one (higher number, fresh nextUpdate) is served.
    const crlAfter = await request(server).get('/pki/crl/issuing.crl').buffer(true).parse(binary).expect(200);
    const num = (b: Buffer) =>
      /CRL Number:\s+(\d+)/.exec(openssl(['crl', '-inform', 'DER', '-noout', '-text'], b).out)![1];
    expect(Number(num(crlAfter.body as Buffer))).toBeGreaterThan(Number(num(crlBefore.body as Buffer)));
    // The root CRL had gone stale too: the scheduled refresh re-issues it, then nothing is due.
    expect(await t.app.get(CertificateAuthority).refreshCrls()).toBe(1);
    expect(await t.app.get(CertificateAuthority).refreshCrls()).toBe(0);
    // Past half of nextUpdate (6 h): both are renewed.
    t.clock.advance(4 * 3_600_000);
    expect(await t.app.get(CertificateAuthority).refreshCrls()).toBe(2);
  });

  it('refuses to unlock a certificate not yet valid (clock moved back)', async () => {
    const { person } = await createSubscriberWithCertificate(t);
    t.clock.advance(-86_400_000);
    await expectAppError(unlockSubscriberKey(t, person.id), 'CERTIFICATE_NOT_YET_VALID');
    t.clock.advance(86_400_000);
  });
});

describe('PKI start-up (e2e)', () => {
  it('creates one hierarchy when two instances start on the same folders, and reloads it on restart', async () => {
    const a = await createTestApp();
    try {
      const rootA = await a.app.get(CertificateAuthority).rootCertificate();
      const b = await createTestApp({ reuse: { dir: a.dir, env: a.env } });
      try {
        expect(
          Buffer.from(await b.app.get(CertificateAuthority).rootCertificate()).equals(Buffer.from(rootA)),
        ).toBe(true);
      } finally {
        await b.close();
      }
    } finally {
      await destroyTestApp(a);
    }
  });

  it('two processes creating the hierarchy at the same moment end up with one root', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pki-race-'));
    try {
      const spec = {
        certsDir: dir,
        now: new Date(),
        names: { root: 'root', issuing: 'issuing', organization: 'bank' },
        rootYears: 20,
        issuingYears: 10,
        rootUrls: { crl: 'http://x/c', caIssuers: 'http://x/r' },
      };
      const vault = new PassphraseKeyVault('a-shared-passphrase-0001');
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => loadOrCreateHierarchy(vault, spec)));
      expect(a.root.der.equals(b.root.der) && b.root.der.equals(c.root.der)).toBe(true);
      expect(a.issuing.der.equals(c.issuing.der)).toBe(true);
      expect(readdirSync(dir).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to open the CA with a wrong CA_KEY_PASSPHRASE, and the embedded passphrase file is not used then', async () => {
    const a = await createTestApp({ env: { CA_KEY_PASSPHRASE: 'the-first-passphrase-1234' } });
    try {
      const rootA = Buffer.from(await a.app.get(CertificateAuthority).rootCertificate());
      // No embedded passphrase file when the passphrase is supplied.
      expect(existsSync(path.join(a.config.certsDir, 'ca-passphrase'))).toBe(false);
      const spec = {
        certsDir: a.config.certsDir,
        now: new Date(),
        names: { root: 'x', issuing: 'y', organization: 'z' },
        rootYears: 20,
        issuingYears: 10,
        rootUrls: { crl: 'http://x/c', caIssuers: 'http://x/r' },
      };
      // Same start-up path as the service (loadOrCreateHierarchy), with another passphrase.
      await expect(
        loadOrCreateHierarchy(new PassphraseKeyVault('another-passphrase-56789'), spec),
      ).rejects.toThrow(/CA_KEY_PASSPHRASE/);
      const again = await loadOrCreateHierarchy(new PassphraseKeyVault('the-first-passphrase-1234'), spec);
      expect(again.root.der.equals(rootA)).toBe(true);
    } finally {
      await destroyTestApp(a);
    }
  });
});

/** supertest parser that keeps the body as bytes (DER certificates, CRLs, OCSP responses). */
function binary(res: request.Response, cb: (err: Error | null, body: Buffer) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
}
