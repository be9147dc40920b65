import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createPadesFixture } from '../../../test/helpers/pades';
import { CmsSignatureBuilder, signatureTimeStampAttribute } from './cms-builder';
import { verifyTimeStampToken } from '../../tsa/domain/verify-time-stamp-token';
import { checkSignerInfo, parseCms, parseTimeStampToken } from './cms-reader';
import { OID } from './oids';
import { KeyObjectSigner } from './signer';

describe('CMS signature builder', () => {
  let fx: Awaited<ReturnType<typeof createPadesFixture>>;
  let dir: string;
  beforeAll(async () => {
    fx = await createPadesFixture();
    dir = mkdtempSync(path.join(tmpdir(), 'cms-spec-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const content = Buffer.from('the signed byte ranges of a contract');
  const digest = createHash('sha256').update(content).digest();

  function opensslVerify(cms: Uint8Array, data: Buffer): boolean {
    writeFileSync(path.join(dir, 'sig.der'), cms);
    writeFileSync(path.join(dir, 'data.bin'), data);
    writeFileSync(path.join(dir, 'root.pem'), fx.pki.root.pem);
    try {
      execFileSync(
        'openssl',
        [
          'cms',
          '-verify',
          '-inform',
          'DER',
          '-in',
          path.join(dir, 'sig.der'),
          '-binary',
          '-content',
          path.join(dir, 'data.bin'),
          '-purpose',
          'any',
          '-out',
          '/dev/null',
          '-CAfile',
          path.join(dir, 'root.pem'),
        ],
        { stdio: 'pipe' },
      );
      return true;
    } catch {
      return false;
    }
  }

  it.each([
    ['ECDSA P-256', () => new KeyObjectSigner(fx.signer.key, fx.signer.cert, [fx.pki.root.cert])],
    ['RSA PKCS#1 v1.5', () => new KeyObjectSigner(fx.rsaSigner.key, fx.rsaSigner.cert, [fx.pki.root.cert])],
    [
      'RSA-PSS',
      () =>
        new KeyObjectSigner(fx.rsaSigner.key, fx.rsaSigner.cert, [fx.pki.root.cert], { rsaPadding: 'pss' }),
    ],
  ])('builds a PAdES CMS that OpenSSL and our reader accept (%s)', async (_name, make) => {
    const signer = make();
    const { der, signature } = await new CmsSignatureBuilder(signer, digest).sign();
    expect(signature.length).toBeLessThanOrEqual(signer.maxSignatureLength);
    expect(opensslVerify(der, content)).toBe(true);
    expect(opensslVerify(der, Buffer.concat([content, Buffer.from('x')]))).toBe(false);

    const parsed = parseCms(der);
    expect(parsed.eContentType).toBe(OID.data);
    expect(parsed.eContent).toBeUndefined();
    const attrs = [...parsed.signedAttributes.keys()].sort();
    // content-type, message-digest, signing-certificate-v2; never signing-time.
    expect(attrs).toEqual([OID.contentType, OID.messageDigest, OID.signingCertificateV2].sort());
    const check = checkSignerInfo(parsed, digest);
    expect(check).toMatchObject({
      messageDigestMatches: true,
      signatureValid: true,
      signingCertificate: 'v2-match',
      hasSigningTimeAttribute: false,
      contentType: OID.data,
    });
    expect(checkSignerInfo(parsed, createHash('sha256').update('other').digest()).messageDigestMatches).toBe(
      false,
    );
  });

  it('detects a tampered signature value', async () => {
    const signer = new KeyObjectSigner(fx.signer.key, fx.signer.cert);
    const builder = new CmsSignatureBuilder(signer, digest);
    const sig = await signer.sign(builder.toBeSigned);
    const bad = Uint8Array.from(sig);
    bad[bad.length - 3] ^= 0x01;
    const check = checkSignerInfo(parseCms(builder.assemble(bad)), digest);
    expect(check.messageDigestMatches).toBe(true);
    expect(check.signatureValid).toBe(false);
  });

  it('embeds a signature-time-stamp over the signature value that OpenSSL ts accepts', async () => {
    const signer = new KeyObjectSigner(fx.signer.key, fx.signer.cert, [fx.pki.root.cert]);
    const builder = new CmsSignatureBuilder(signer, digest);
    const signature = await signer.sign(builder.toBeSigned);
    const imprint = createHash('sha256').update(signature).digest();
    const token = await fx.tsa.timestamp({ digest: imprint, hashAlgorithm: 'SHA-256', certReq: true });
    const der = builder.assemble(signature, [signatureTimeStampAttribute(token.der)]);
    expect(opensslVerify(der, content)).toBe(true);
    const parsed = parseCms(der);
    expect(parsed.signatureTimeStamps).toHaveLength(1);
    const tst = parseTimeStampToken(parsed.signatureTimeStamps[0]);
    expect(tst.genTime.toISOString()).toBe(fx.clock().toISOString());
    const ok = await verifyTimeStampToken(parsed.signatureTimeStamps[0], {
      digest: imprint,
      hashAlgorithm: 'SHA-256',
      trustAnchors: [fx.pki.root.cert],
    });
    expect(ok).toMatchObject({ valid: true, indication: 'PASSED' });
    const other = await verifyTimeStampToken(parsed.signatureTimeStamps[0], {
      digest: createHash('sha256').update(content).digest(),
      hashAlgorithm: 'SHA-256',
      trustAnchors: [fx.pki.root.cert],
    });
    expect(other).toMatchObject({ valid: false, subIndication: 'IMPRINT_MISMATCH' });
    writeFileSync(path.join(dir, 'tok.der'), token.der);
    const out = execFileSync('openssl', [
      'ts',
      '-verify',
      '-token_in',
      '-in',
      path.join(dir, 'tok.der'),
      '-digest',
      imprint.toString('hex'),
      '-CAfile',
      path.join(dir, 'root.pem'),
    ]).toString();
    expect(out).toContain('Verification: OK');
  });

  it('refuses a key that does not match the certificate', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => new KeyObjectSigner(privateKey, fx.signer.cert)).toThrow(/does not match/);
  });
});
