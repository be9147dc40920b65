import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { opensslTsVerify, TestCa, TestTsaCredential } from '../../../test/helpers/tsa';
import { Tag, algorithmId, children, integer, octetString, oid, readOne, seq, tlv } from './der';
import { HASHES, OID, hashByName } from './oids';
import {
  encodeTimeStampRequest,
  parseTimeStampRequest,
  PkiFailureInfo,
  TimeStampRequestRejected,
} from './time-stamp-request';
import { encodeRejection, parseTimeStampResponse } from './time-stamp-response';
import { generateTsaKey } from './tsa-key';
import { TstSigner } from './tst-signer';
import { TimeStampSubIndication, verifyTimeStampToken } from './verify-time-stamp-token';

const POLICY = '1.2.392.200091.1.1';
const OTHER_POLICY = '1.2.392.200091.1.2';

describe('TstSigner and verifyTimeStampToken', () => {
  let ca: TestCa;
  let cred: TestTsaCredential;
  let signer: TstSigner;
  let dir: string;
  const data = Buffer.from('契約書 PDF の内容');
  const digest = createHash('sha256').update(data).digest();

  beforeAll(async () => {
    ca = await TestCa.create();
    cred = await ca.tsaCredential();
    signer = new TstSigner(cred, { policy: POLICY, acceptedPolicies: [OTHER_POLICY], accuracySeconds: 1 });
    dir = mkdtempSync(path.join(tmpdir(), 'tsa-unit-'));
    writeFileSync(path.join(dir, 'root.pem'), ca.rootPem);
    writeFileSync(path.join(dir, 'data.bin'), data);
    writeFileSync(path.join(dir, 'other.bin'), Buffer.from('other data'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const request = (over: Partial<Parameters<typeof encodeTimeStampRequest>[0]> = {}) =>
    parseTimeStampRequest(
      encodeTimeStampRequest({
        hash: hashByName('SHA-256'),
        digest,
        nonce: 12345678901234n,
        certReq: true,
        ...over,
      }),
    );

  it('issues a token that our verifier accepts, with every field as requested', async () => {
    // A minute ago, on a whole second plus 120 ms (the fraction must survive the encoding); inside
    // the fixture credential's validity, which starts an hour before the test runs.
    const genTime = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000 + 120);
    const issued = signer.issue(request(), 42n, genTime);
    const resp = parseTimeStampResponse(issued.response);
    expect(resp).toMatchObject({ status: 0, failInfo: [] });
    expect(resp.token!.equals(issued.token)).toBe(true);
    const v = await verifyTimeStampToken(issued.token, {
      digest,
      hashAlgorithm: 'SHA-256',
      trustAnchors: [ca.rootDer],
      nonce: 12345678901234n,
    });
    expect(v).toMatchObject({ valid: true, indication: 'PASSED' });
    expect(v.checks.every((c) => c.passed)).toBe(true);
    expect(v.checks.map((c) => c.name)).toEqual([
      'format',
      'imprint',
      'nonce',
      'messageDigest',
      'signingCertificate',
      'signature',
      'extendedKeyUsage',
      'validityAtGenTime',
      'chain',
    ]);
    expect(v.info).toMatchObject({
      genTime,
      serialNumber: '42',
      policy: POLICY,
      hashAlgorithm: 'SHA-256',
      nonce: 12345678901234n,
      accuracy: { seconds: 1, millis: 0, micros: 0 },
    });
    expect(Buffer.from(v.info!.signerCertificate!).equals(Buffer.from(cred.certificate))).toBe(true);
    expect(v.info!.chain).toHaveLength(2);
  });

  it('is accepted by openssl ts -verify and refused by it for other data', () => {
    const issued = signer.issue(request(), 43n, new Date());
    const resp = path.join(dir, 'resp.der');
    writeFileSync(resp, issued.response);
    const ok = opensslTsVerify(resp, { data: path.join(dir, 'data.bin') }, path.join(dir, 'root.pem'));
    expect(ok.stdout.toString()).toContain('Verification: OK');
    expect(ok.status).toBe(0);
    const bad = opensslTsVerify(resp, { data: path.join(dir, 'other.bin') }, path.join(dir, 'root.pem'));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr.toString()).toMatch(/message imprint mismatch/);
  });

  it('answers an openssl-made query (SHA-384 and SHA-512 too) so that openssl verifies it against the query', () => {
    for (const alg of ['sha256', 'sha384', 'sha512']) {
      const q = path.join(dir, `${alg}.tsq`);
      execFileSync('openssl', [
        'ts',
        '-query',
        '-data',
        path.join(dir, 'data.bin'),
        `-${alg}`,
        '-cert',
        '-out',
        q,
      ]);
      const req = parseTimeStampRequest(readFileSync(q));
      expect(req.hash.node).toBe(alg);
      expect(req.certReq).toBe(true);
      const resp = path.join(dir, `${alg}.tsr`);
      writeFileSync(resp, signer.issue(req, 44n, new Date()).response);
      const out = opensslTsVerify(resp, { query: q }, path.join(dir, 'root.pem'));
      expect(out.stdout.toString()).toContain('Verification: OK');
      const text = execFileSync('openssl', ['ts', '-reply', '-in', resp, '-text']).toString();
      expect(text).toContain('Status: Granted.');
      expect(text).toContain(`Policy OID: ${POLICY}`);
      expect(text).toContain('Serial number: 0x2C');
      expect(text).toContain('Accuracy: 0x01 seconds');
      expect(text).toMatch(/Nonce: 0x[0-9A-F]+/);
      expect(text).toContain('TSA: DirName:');
    }
  });

  it.each(['ecdsa-p384', 'rsa-3072'] as const)(
    'signs with a %s key so that openssl and our verifier accept it',
    async (type) => {
      const key = await generateTsaKey(type);
      const certificate = await ca.issue({
        commonName: `TSA ${type}`,
        publicKeySpki: key.spkiDer,
        notBefore: new Date(Date.now() - 3_600_000),
        notAfter: new Date(Date.now() + 86_400_000),
      });
      const s = new TstSigner(
        { privateKey: key.privateKey, certificate, chain: [ca.rootDer] },
        { policy: POLICY, accuracySeconds: 1 },
      );
      const issued = s.issue(request(), 60n, new Date());
      const v = await verifyTimeStampToken(issued.token, {
        digest,
        hashAlgorithm: 'SHA-256',
        trustAnchors: [ca.rootDer],
      });
      expect(v.valid).toBe(true);
      const resp = path.join(dir, `${type}.tsr`);
      writeFileSync(resp, issued.response);
      const out = opensslTsVerify(resp, { data: path.join(dir, 'data.bin') }, path.join(dir, 'root.pem'));
      expect(out.stdout.toString()).toContain('Verification: OK');
    },
  );

  it('honours an offered reqPolicy and refuses an unknown one with unacceptedPolicy', () => {
    expect(signer.issue(request({ policy: OTHER_POLICY }), 45n, new Date()).policy).toBe(OTHER_POLICY);
    expect(() => signer.issue(request({ policy: '1.2.3.4' }), 46n, new Date())).toThrow(
      expect.objectContaining({ failInfo: PkiFailureInfo.unacceptedPolicy }),
    );
  });

  it('leaves certificates out without certReq; verification then needs them supplied', async () => {
    const issued = signer.issue(request({ certReq: false }), 47n, new Date());
    const base = { digest, hashAlgorithm: 'SHA-256' as const, trustAnchors: [ca.rootDer] };
    const without = await verifyTimeStampToken(issued.token, base);
    expect(without).toMatchObject({
      valid: false,
      indication: 'INDETERMINATE',
      subIndication: TimeStampSubIndication.NO_SIGNING_CERTIFICATE_FOUND,
    });
    const withCert = await verifyTimeStampToken(issued.token, { ...base, certificates: [cred.certificate] });
    expect(withCert.valid).toBe(true);
  });

  it('refuses other data, a wrong hash algorithm and a wrong nonce', async () => {
    const issued = signer.issue(request(), 48n, new Date());
    const base = { digest, hashAlgorithm: 'SHA-256' as const, trustAnchors: [ca.rootDer] };
    const other = await verifyTimeStampToken(issued.token, {
      ...base,
      digest: createHash('sha256').update('x').digest(),
    });
    expect(other.subIndication).toBe(TimeStampSubIndication.IMPRINT_MISMATCH);
    const alg = await verifyTimeStampToken(issued.token, {
      ...base,
      hashAlgorithm: 'SHA-384',
      digest: Buffer.alloc(48),
    });
    expect(alg.subIndication).toBe(TimeStampSubIndication.IMPRINT_MISMATCH);
    const nonce = await verifyTimeStampToken(issued.token, { ...base, nonce: 1n });
    expect(nonce).toMatchObject({
      valid: false,
      indication: 'FAILED',
      subIndication: TimeStampSubIndication.NONCE_MISMATCH,
    });
  });

  it('refuses a token whose signature or content was altered', async () => {
    const issued = signer.issue(request(), 49n, new Date());
    const base = { digest, hashAlgorithm: 'SHA-256' as const, trustAnchors: [ca.rootDer] };
    // Flip a bit in the last byte of the signature value.
    const sig = Buffer.from(issued.token);
    sig[sig.length - 1] ^= 0x01;
    const badSig = await verifyTimeStampToken(sig, base);
    expect(badSig.subIndication).toBe(TimeStampSubIndication.SIG_CRYPTO_FAILURE);
    // Change the serial number inside TSTInfo: the message-digest attribute no longer matches.
    const serialAt = issued.token.indexOf(Buffer.from([0x02, 0x01, 49]));
    const content = Buffer.from(issued.token);
    content[serialAt + 2] = 50;
    const badContent = await verifyTimeStampToken(content, base);
    expect(badContent.subIndication).toBe(TimeStampSubIndication.HASH_FAILURE);
    const garbage = await verifyTimeStampToken(Buffer.from('not a token'), base);
    expect(garbage).toMatchObject({ valid: false, subIndication: TimeStampSubIndication.FORMAT_FAILURE });
  });

  it.each(['non-critical', 'absent', 'extra-purpose'] as const)(
    'refuses a TSA certificate whose extendedKeyUsage is %s',
    async (eku) => {
      const weak = new TstSigner(await ca.tsaCredential({ eku }), { policy: POLICY, accuracySeconds: 1 });
      const issued = weak.issue(request(), 1n, new Date());
      const v = await verifyTimeStampToken(issued.token, {
        digest,
        hashAlgorithm: 'SHA-256',
        trustAnchors: [ca.rootDer],
      });
      expect(v).toMatchObject({
        valid: false,
        subIndication: TimeStampSubIndication.NOT_TIMESTAMPING_CERTIFICATE,
      });
    },
  );

  it('refuses a TSA that does not chain to a trust anchor, and one with no anchors at all', async () => {
    const stranger = await TestCa.create('Stranger CA');
    const issued = signer.issue(request(), 50n, new Date());
    const v = await verifyTimeStampToken(issued.token, {
      digest,
      hashAlgorithm: 'SHA-256',
      trustAnchors: [stranger.rootDer],
    });
    expect(v).toMatchObject({
      valid: false,
      indication: 'INDETERMINATE',
      subIndication: TimeStampSubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    });
    const none = await verifyTimeStampToken(issued.token, {
      digest,
      hashAlgorithm: 'SHA-256',
      trustAnchors: [],
    });
    expect(none.subIndication).toBe(TimeStampSubIndication.NO_CERTIFICATE_CHAIN_FOUND);
  });

  it('checks the chain at the requested time: an old token stays valid at its genTime, not years later', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z');
    const oldCa = await TestCa.create('Old Root', new Date('2025-01-01T00:00:00Z'));
    const shortLived = await oldCa.tsaCredential({
      notBefore: t0,
      notAfter: new Date('2027-01-01T00:00:00Z'),
    });
    const s = new TstSigner(shortLived, { policy: POLICY, accuracySeconds: 0 });
    const issued = s.issue(request(), 1n, new Date('2026-06-01T00:00:00Z'));
    const base = { digest, hashAlgorithm: 'SHA-256' as const, trustAnchors: [oldCa.rootDer] };
    expect((await verifyTimeStampToken(issued.token, base)).valid).toBe(true);
    const later = await verifyTimeStampToken(issued.token, { ...base, at: new Date('2030-01-01T00:00:00Z') });
    expect(later.subIndication).toBe(TimeStampSubIndication.NO_CERTIFICATE_CHAIN_FOUND);
    // And the TSA refuses to stamp outside its certificate's validity.
    expect(() => s.issue(request(), 2n, new Date('2027-06-01T00:00:00Z'))).toThrow(
      expect.objectContaining({ failInfo: PkiFailureInfo.timeNotAvailable }),
    );
  });

  it('refuses a token whose ESSCertIDv2 names another certificate', async () => {
    // Same key, second certificate: the signature verifies but the token binds the first certificate.
    const otherCert = await ca.issue({
      commonName: 'Test TSA',
      publicKeySpki: new Uint8Array(
        createPublicKey(cred.privateKey).export({ type: 'spki', format: 'der' }) as Buffer,
      ),
      notBefore: new Date(Date.now() - 3_600_000),
      notAfter: new Date(Date.now() + 86_400_000),
    });
    const issued = signer.issue(request({ certReq: false }), 51n, new Date());
    const v = await verifyTimeStampToken(issued.token, {
      digest,
      hashAlgorithm: 'SHA-256',
      trustAnchors: [ca.rootDer],
      certificates: [otherCert],
    });
    // The other certificate has a different serial, so it is not even selected as the signer.
    expect(v.valid).toBe(false);
    expect([
      TimeStampSubIndication.NO_SIGNING_CERTIFICATE_FOUND,
      TimeStampSubIndication.SIGNING_CERTIFICATE_MISMATCH,
    ]).toContain(v.subIndication);
  });
});

describe('parseTimeStampRequest', () => {
  const imprint = (algOid: string, len: number) =>
    seq(algorithmId(algOid), octetString(Buffer.alloc(len, 7)));
  const rejected = (der: Uint8Array): PkiFailureInfo => {
    try {
      parseTimeStampRequest(der);
    } catch (e) {
      if (e instanceof TimeStampRequestRejected) return e.failInfo;
      throw e;
    }
    throw new Error('request was accepted');
  };

  it('accepts SHA-256/384/512 with absent or NULL parameters', () => {
    for (const h of HASHES) {
      expect(parseTimeStampRequest(seq(integer(1), imprint(h.oid, h.length))).hash.name).toBe(h.name);
      const withNull = seq(integer(1), seq(algorithmId(h.oid, true), octetString(Buffer.alloc(h.length))));
      expect(parseTimeStampRequest(withNull).certReq).toBe(false);
    }
  });

  it('refuses SHA-1 and MD5 with badAlg', () => {
    expect(rejected(seq(integer(1), imprint(OID.sha1, 20)))).toBe(PkiFailureInfo.badAlg);
    expect(rejected(seq(integer(1), imprint(OID.md5, 16)))).toBe(PkiFailureInfo.badAlg);
    expect(rejected(seq(integer(1), imprint('1.2.3.4', 32)))).toBe(PkiFailureInfo.badAlg);
  });

  it('refuses a wrong version with badRequest and malformed data with badDataFormat', () => {
    expect(rejected(seq(integer(2), imprint(OID.sha256, 32)))).toBe(PkiFailureInfo.badRequest);
    expect(rejected(Buffer.from('hello'))).toBe(PkiFailureInfo.badDataFormat);
    expect(rejected(Buffer.alloc(0))).toBe(PkiFailureInfo.badDataFormat);
    expect(rejected(seq(integer(1), imprint(OID.sha256, 31)))).toBe(PkiFailureInfo.badDataFormat);
    const good = seq(integer(1), imprint(OID.sha256, 32));
    expect(rejected(Buffer.concat([good, Buffer.from([0])]))).toBe(PkiFailureInfo.badDataFormat);
    // Indefinite length (BER, not DER).
    expect(rejected(Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00]))).toBe(
      PkiFailureInfo.badDataFormat,
    );
    // Non-minimal length octets.
    const nonMinimal = Buffer.concat([Buffer.from([0x30, 0x81, good.length - 2]), good.subarray(2)]);
    expect(rejected(nonMinimal)).toBe(PkiFailureInfo.badDataFormat);
    // Fields in the wrong order (certReq before nonce).
    expect(rejected(seq(integer(1), imprint(OID.sha256, 32), Buffer.from([1, 1, 0xff]), integer(5)))).toBe(
      PkiFailureInfo.badDataFormat,
    );
  });

  it('refuses request extensions with unacceptedExtension', () => {
    const ext = tlv(0xa0, seq(oid('1.2.3.4'), octetString(Buffer.from([1]))));
    expect(rejected(seq(integer(1), imprint(OID.sha256, 32), ext))).toBe(PkiFailureInfo.unacceptedExtension);
  });

  it('keeps the nonce exactly as sent (large and with a leading zero octet)', () => {
    const big = (1n << 127n) + 5n;
    const req = parseTimeStampRequest(
      encodeTimeStampRequest({ hash: hashByName('SHA-256'), digest: Buffer.alloc(32), nonce: big }),
    );
    expect(req.nonce).toBe(big);
    expect(req.nonceContent![0]).toBe(0);
  });
});

describe('TimeStampResp rejection', () => {
  it('encodes a PKIStatusInfo that openssl reads and our parser round-trips', () => {
    const der = encodeRejection(PkiFailureInfo.badAlg, 'SHA-1 is not accepted');
    expect(parseTimeStampResponse(der)).toEqual({
      status: 2,
      statusText: ['SHA-1 is not accepted'],
      failInfo: ['badAlg'],
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'tsa-rej-'));
    try {
      writeFileSync(path.join(dir, 'r.der'), der);
      const text = execFileSync('openssl', [
        'ts',
        '-reply',
        '-in',
        path.join(dir, 'r.der'),
        '-text',
      ]).toString();
      expect(text).toContain('Status: Rejected');
      expect(text).toContain('unrecognized or unsupported algorithm identifier');
      for (const f of [
        PkiFailureInfo.badDataFormat,
        PkiFailureInfo.unacceptedPolicy,
        PkiFailureInfo.systemFailure,
      ]) {
        const r = parseTimeStampResponse(encodeRejection(f, 'x'));
        expect(r.failInfo).toEqual([PkiFailureInfo[f]]);
        expect(children(readOne(encodeRejection(f, 'x'), Tag.SEQUENCE))).toHaveLength(1);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
