import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import {
  ocspResponderCertificate,
  rootCaCertificate,
  signerCertificate,
  subordinateCaCertificate,
  tsaCertificate,
} from './certificate-profiles';
import { buildCrl } from './crl';
import { buildOcspResponse, MalformedOcspRequest, OcspAuthority, parseOcspRequest } from './ocsp';
import { parseCertificate, randomSerial, serialHex, spkiOf, toPem } from './x509';

/** Builds the hierarchy with the pure domain functions and lets OpenSSL judge the result. */
describe('CA domain (checked with OpenSSL)', () => {
  let dir: string;
  const ec = (curve: string) => generateKeyPairSync('ec', { namedCurve: curve }).privateKey;
  const now = new Date('2026-04-01T00:00:00Z');
  const days = (n: number) => new Date(now.getTime() + n * 86_400_000);
  let rootKey: KeyObject, issKey: KeyObject, ocspKey: KeyObject;
  let root: pkijs.Certificate, issuing: pkijs.Certificate, responder: pkijs.Certificate;
  const urls = {
    crl: 'http://127.0.0.1:9/pki/crl/issuing.crl',
    ocsp: 'http://127.0.0.1:9/pki/ocsp',
    caIssuers: 'http://127.0.0.1:9/pki/issuing-ca.crt',
  };
  const write = (name: string, data: string | Buffer) => {
    const p = path.join(dir, name);
    writeFileSync(p, data);
    return p;
  };
  const openssl = (...args: string[]) => {
    const r = spawnSync('openssl', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${r.stderr}`);
    return r.stdout + r.stderr;
  };
  /** `openssl verify` of a subscriber certificate file through the issuing CA up to the root, a minute after issuance. */
  const verifyUnderIssuingCa = (certFile: string) =>
    openssl(
      'verify',
      '-attime',
      String(now.getTime() / 1000 + 60),
      '-CAfile',
      path.join(dir, 'root.pem'),
      '-untrusted',
      path.join(dir, 'issuing.pem'),
      certFile,
    );

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ca-domain-'));
    rootKey = ec('P-384');
    issKey = ec('P-384');
    ocspKey = ec('P-256');
    root = parseCertificate(
      rootCaCertificate({
        serial: randomSerial(),
        subjectSpki: spkiOf(rootKey),
        notBefore: now,
        notAfter: days(7300),
        subject: { country: 'JP', organization: 'あぶくま信用金庫', commonName: 'テスト ルートCA' },
        key: rootKey,
      }),
    );
    issuing = parseCertificate(
      subordinateCaCertificate({
        serial: randomSerial(),
        subjectSpki: spkiOf(issKey),
        notBefore: now,
        notAfter: days(3650),
        subject: { country: 'JP', organization: 'あぶくま信用金庫', commonName: 'テスト 発行CA' },
        issuer: { certificate: root, key: rootKey },
        urls: { crl: 'http://127.0.0.1:9/pki/crl/root.crl', caIssuers: 'http://127.0.0.1:9/pki/root.crt' },
      }),
    );
    responder = parseCertificate(
      ocspResponderCertificate({
        serial: randomSerial(),
        subjectSpki: spkiOf(ocspKey),
        notBefore: now,
        notAfter: days(365),
        subject: { country: 'JP', commonName: 'OCSP' },
        issuer: { certificate: issuing, key: issKey },
      }),
    );
    write('root.pem', toPem(Buffer.from(root.toSchema().toBER(false))));
    write('issuing.pem', toPem(Buffer.from(issuing.toSchema().toBER(false))));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function subscriber(keyType: 'ec' | 'rsa') {
    const key =
      keyType === 'ec' ? ec('P-256') : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const serial = randomSerial();
    const cert = signerCertificate({
      serial,
      subjectSpki: spkiOf(key),
      notBefore: now,
      notAfter: days(730),
      subject: {
        country: 'JP',
        organization: '株式会社みらい',
        commonName: '山田 太郎',
        serialNumber: 'SUB-0001',
      },
      issuer: { certificate: issuing, key: issKey },
      urls,
      policyOid: '1.3.6.1.4.1.55555.1.1.1',
      email: 'taro@example.jp',
    });
    return { cert, serial, key };
  }

  it('issues a subscriber certificate that openssl verifies, with the profile of EC-03', () => {
    const { cert } = subscriber('ec');
    const p = write('sub.pem', toPem(cert));
    expect(verifyUnderIssuingCa(p)).toContain('OK');
    const text = openssl('x509', '-in', p, '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus');
    expect(text).toMatch(/Subject: C=JP,O=株式会社みらい,CN=山田 太郎,serialNumber=SUB-0001\n/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation/);
    expect(text).toContain('Policy: 1.3.6.1.4.1.55555.1.1.1');
    expect(text).toContain('URI:http://127.0.0.1:9/pki/crl/issuing.crl');
    expect(text).toContain('OCSP - URI:http://127.0.0.1:9/pki/ocsp');
    expect(text).toContain('email:taro@example.jp');
    expect(text).toContain('ecdsa-with-SHA384');
  });

  it('issues an RSA subscriber certificate too', () => {
    const { cert } = subscriber('rsa');
    const p = write('rsa.pem', toPem(cert));
    expect(verifyUnderIssuingCa(p)).toContain('OK');
  });

  it('issues a TSA certificate with only a critical id-kp-timeStamping', () => {
    const key = ec('P-256');
    const cert = tsaCertificate({
      serial: randomSerial(),
      subjectSpki: spkiOf(key),
      notBefore: now,
      notAfter: days(365),
      subject: { country: 'JP', commonName: 'TSA' },
      issuer: { certificate: root, key: rootKey },
      urls: { crl: 'http://x/pki/crl/root.crl', caIssuers: 'http://x/pki/root.crt' },
    });
    const p = write('tsa.pem', toPem(cert));
    const out = openssl(
      'verify',
      '-attime',
      String(now.getTime() / 1000 + 60),
      '-purpose',
      'timestampsign',
      '-CAfile',
      path.join(dir, 'root.pem'),
      p,
    );
    expect(out).toContain('OK');
    expect(openssl('x509', '-in', p, '-noout', '-ext', 'extendedKeyUsage')).toMatch(
      /critical\s+Time Stamping\s*$/,
    );
  });

  it('signs a CRL that openssl verifies and that lists the revoked serial with its reason', () => {
    const a = subscriber('ec');
    const crl = buildCrl({
      issuer: { certificate: issuing, key: issKey },
      crlNumber: 7,
      thisUpdate: now,
      nextUpdate: days(1),
      revoked: [
        { serialHex: serialHex(a.serial), revokedAt: now, reason: 'keyCompromise' },
        { serialHex: '0badc0de', revokedAt: now, reason: 'unspecified' },
      ],
    });
    const p = write('issuing.crl', crl);
    const out = openssl(
      'crl',
      '-inform',
      'DER',
      '-in',
      p,
      '-noout',
      '-text',
      '-CAfile',
      path.join(dir, 'issuing.pem'),
    );
    expect(out).toContain('verify OK');
    expect(out.toUpperCase()).toContain(serialHex(a.serial).toUpperCase());
    expect(out).toContain('Key Compromise');
    expect(out).toMatch(/X509v3 CRL Number:\s+7/);
  });

  it('answers an openssl OCSP request: good, revoked, unknown, nonce echoed, verified', () => {
    const good = subscriber('ec');
    const revoked = subscriber('ec');
    const goodPem = write('good.pem', toPem(good.cert));
    const revPem = write('rev.pem', toPem(revoked.cert));
    const reqFile = path.join(dir, 'req.der');
    openssl(
      'ocsp',
      '-issuer',
      path.join(dir, 'issuing.pem'),
      '-cert',
      goodPem,
      '-cert',
      revPem,
      '-serial',
      '0x0abc',
      '-reqout',
      reqFile,
    );
    const { readFileSync } = jest.requireActual<typeof import('node:fs')>('node:fs');
    const authority: OcspAuthority = {
      name: 'issuing',
      issuer: issuing,
      signer: {
        key: ocspKey,
        certificate: responder,
        certificates: [responder, issuing].map((c) => new Uint8Array(c.toSchema().toBER(false))),
      },
    };
    const parsed = parseOcspRequest(readFileSync(reqFile), [authority]);
    expect(parsed.items.map((i) => i.authority?.name)).toEqual(['issuing', 'issuing', 'issuing']);
    expect(parsed.nonce).toBeDefined();
    const res = buildOcspResponse({
      signer: authority.signer,
      producedAt: now,
      nextUpdate: days(1),
      nonce: parsed.nonce,
      answers: parsed.items.map((i) => ({
        certId: i.certId,
        status:
          i.serialHex === serialHex(good.serial)
            ? { status: 'good' as const }
            : i.serialHex === serialHex(revoked.serial)
              ? { status: 'revoked' as const, revokedAt: now, reason: 'keyCompromise' as const }
              : { status: 'unknown' as const },
      })),
    });
    const resFile = write('res.der', res);
    // Only -reqin: adding -cert here would make openssl build a new request with a new nonce.
    const out = openssl(
      'ocsp',
      '-respin',
      resFile,
      '-reqin',
      reqFile,
      '-CAfile',
      path.join(dir, 'root.pem'),
      '-attime',
      String(now.getTime() / 1000 + 60),
      '-resp_text',
    );
    expect(out).toContain('Response verify OK');
    expect([...out.matchAll(/Cert Status: (\w+)/g)].map((m) => m[1])).toEqual(['good', 'revoked', 'unknown']);
    expect(out).toContain('Revocation Reason: keyCompromise');
    expect(out).toContain('OCSP Nonce');
  });

  it('refuses garbage as a malformed request', () => {
    expect(() => parseOcspRequest(Buffer.from('hello'), [])).toThrow(MalformedOcspRequest);
    expect(() => parseOcspRequest(new asn1js.Sequence().toBER(false) as unknown as Uint8Array, [])).toThrow(
      MalformedOcspRequest,
    );
  });
});
