import { createPrivateKey, KeyObject, X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import { PadesError, PadesErrorCode } from '../pades.errors';
import { certificateFromDer, der, ensurePkijsEngine, parseDer, toArrayBuffer } from './asn1.util';

export interface Pkcs12Contents {
  key: KeyObject;
  /** The certificate matching the key. */
  certificate: Uint8Array;
  /** The other certificates in the file (issuers), nearest first where it can be told. */
  chain: Uint8Array[];
}

const OID_PKCS8_SHROUDED = '1.2.840.113549.1.12.10.1.2';
const OID_KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const OID_CERT_BAG = '1.2.840.113549.1.12.10.1.3';

/**
 * Reads a PKCS#12 file (RFC 7292) with pkijs: the MAC is checked, then the encrypted safes
 * (PBES2 with AES and PBKDF2-HMAC-SHA256, OpenSSL 3's default, and the legacy PBE schemes pkijs
 * supports) are decrypted with the password. A wrong password or a damaged file is one error.
 */
export async function readPkcs12(bytes: Uint8Array, password: string): Promise<Pkcs12Contents> {
  ensurePkijsEngine();
  const pw = toArrayBuffer(Buffer.from(password, 'utf8'));
  const keys: KeyObject[] = [];
  const certs: Uint8Array[] = [];
  try {
    const pfx = new pkijs.PFX({ schema: parseDer(bytes, 'PKCS#12') });
    await pfx.parseInternalValues({ password: pw, checkIntegrity: true });
    const safe = pfx.parsedValue?.authenticatedSafe;
    if (!safe) throw new Error('no authenticated safe');
    const n = safe.safeContents.length;
    await safe.parseInternalValues({ safeContents: Array.from({ length: n }, () => ({ password: pw })) });
    const parsedSafes = (safe.parsedValue as { safeContents?: { value: pkijs.SafeContents }[] } | undefined)
      ?.safeContents;
    for (const contents of parsedSafes ?? []) {
      for (const bag of contents.value.safeBags) {
        if (bag.bagId === OID_PKCS8_SHROUDED) {
          const shrouded = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
          // Declared protected in pkijs' typings, but it is the documented way to decrypt the bag.
          await (
            shrouded as unknown as { parseInternalValues(p: { password: ArrayBuffer }): Promise<void> }
          ).parseInternalValues({ password: pw });
          const info = shrouded.parsedValue;
          if (!info) throw new Error('cannot decrypt the key bag');
          keys.push(createPrivateKey({ key: Buffer.from(der(info)), format: 'der', type: 'pkcs8' }));
        } else if (bag.bagId === OID_KEY_BAG) {
          keys.push(
            createPrivateKey({
              key: Buffer.from(der(bag.bagValue as pkijs.PrivateKeyInfo)),
              format: 'der',
              type: 'pkcs8',
            }),
          );
        } else if (bag.bagId === OID_CERT_BAG) {
          const certBag = bag.bagValue as pkijs.CertBag;
          if (certBag.parsedValue instanceof pkijs.Certificate) certs.push(der(certBag.parsedValue));
          else
            certs.push(
              new Uint8Array((certBag.certValue as { toBER(sizeOnly?: boolean): ArrayBuffer }).toBER(false)),
            );
        }
      }
    }
  } catch (e) {
    throw new PadesError(
      PadesErrorCode.PKCS12_INVALID,
      'the PKCS#12 file cannot be opened (wrong password or damaged file)',
      { cause: e instanceof Error ? e.message : String(e) },
    );
  }
  if (keys.length !== 1)
    throw new PadesError(
      PadesErrorCode.PKCS12_INVALID,
      `the PKCS#12 file holds ${keys.length} private keys; exactly one is required`,
    );
  const key = keys[0];
  const certificate = certs.find((c) => new X509Certificate(c).checkPrivateKey(key));
  if (!certificate)
    throw new PadesError(
      PadesErrorCode.PKCS12_INVALID,
      'no certificate in the PKCS#12 file matches its private key',
    );
  // Order the rest from the leaf upwards.
  const rest = certs.filter((c) => c !== certificate);
  const chain: Uint8Array[] = [];
  let current = new X509Certificate(certificate);
  while (rest.length) {
    const i = rest.findIndex((c) => {
      const x = new X509Certificate(c);
      return current.checkIssued(x) && current.verify(x.publicKey);
    });
    if (i < 0) break;
    const [next] = rest.splice(i, 1);
    chain.push(next);
    current = new X509Certificate(next);
  }
  chain.push(...rest);
  certificateFromDer(certificate); // pkijs must be able to read it for the CMS
  return { key, certificate, chain };
}
