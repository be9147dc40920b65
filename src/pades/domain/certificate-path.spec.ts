import { X509Certificate } from 'node:crypto';
import { TestPki } from '../../../test/helpers/pades';
import { CertificatePool, certificateOf, parseCertificate, signedBy } from './certificate-path';

describe('certificate-path memo (parsed certificates, issuer signatures)', () => {
  const notBefore = new Date('2026-01-01T00:00:00Z');
  let rootA: TestPki;
  let rootB: TestPki;
  let leaf: Uint8Array;

  beforeAll(async () => {
    // Two roots with the same name (a key rollover): only the signature tells them apart.
    rootA = await TestPki.create({ notBefore, name: 'Same Name Root' });
    rootB = await TestPki.create({ notBefore, name: 'Same Name Root' });
    leaf = (await rootA.issue({ cn: 'Signer', notBefore, notAfter: new Date('2027-01-01T00:00:00Z') })).cert;
  });

  it('parses each DER once and refuses bytes that are not a certificate', () => {
    const a = parseCertificate(leaf);
    expect(a).toBeInstanceOf(X509Certificate);
    expect(parseCertificate(new Uint8Array(leaf))).toBe(a);
    expect(parseCertificate(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x00]))).toBeUndefined();
    expect(() => certificateOf(new Uint8Array([1, 2, 3]))).toThrow();
  });

  it('remembers each (issuer, subject) verdict separately, true and false, on repeated calls', () => {
    const subject = certificateOf(leaf);
    const a = certificateOf(rootA.root.cert);
    const b = certificateOf(rootB.root.cert);
    for (let i = 0; i < 2; i++) {
      expect(signedBy(subject, a)).toBe(true);
      expect(signedBy(subject, b)).toBe(false);
      expect(signedBy(a, a)).toBe(true);
      expect(signedBy(a, b)).toBe(false);
    }
  });

  it('still finds the issuer that signed, not the same-named one, on every call', () => {
    const pool = new CertificatePool();
    pool.add(rootB.root.cert, rootA.root.cert);
    for (let i = 0; i < 2; i++) {
      const issuer = CertificatePool.findIssuer(certificateOf(leaf), pool.all());
      expect(issuer?.fingerprint256).toBe(certificateOf(rootA.root.cert).fingerprint256);
      expect(pool.buildPath(leaf, [certificateOf(rootB.root.cert)])).toBeUndefined();
      expect(pool.buildPath(leaf, [certificateOf(rootA.root.cert)])?.certificates).toHaveLength(2);
    }
  });
});
