import * as asn1js from 'asn1js';
import { createHash, createPublicKey, KeyObject, randomBytes, sign } from 'node:crypto';
import * as pkijs from 'pkijs';
import { OID } from './oids';

/**
 * Small, pure X.509 building blocks over pkijs/asn1js. Signing uses node:crypto directly on the
 * TBS bytes (no WebCrypto key import), so any KeyObject works, including one an HSM adapter
 * returns later.
 */

export interface NameAttributes {
  country?: string;
  organization?: string;
  organizationalUnit?: string;
  commonName: string;
  serialNumber?: string;
}

/** RFC 5280 §4.1.2.4: C and serialNumber are PrintableString; the rest UTF8String (kanji allowed). */
export function buildName(a: NameAttributes): pkijs.RelativeDistinguishedNames {
  const attrs: [string, asn1js.BaseBlock][] = [];
  if (a.country) attrs.push([OID.countryName, new asn1js.PrintableString({ value: a.country })]);
  if (a.organization) attrs.push([OID.organizationName, new asn1js.Utf8String({ value: a.organization })]);
  if (a.organizationalUnit)
    attrs.push([OID.organizationalUnitName, new asn1js.Utf8String({ value: a.organizationalUnit })]);
  attrs.push([OID.commonName, new asn1js.Utf8String({ value: a.commonName })]);
  if (a.serialNumber) attrs.push([OID.serialNumber, new asn1js.PrintableString({ value: a.serialNumber })]);
  // One attribute per RDN (pkijs would put them all into one multi-valued RDN): encode by hand
  // and parse back, so the name keeps exactly these bytes.
  const seq = new asn1js.Sequence({
    value: attrs.map(
      ([type, value]) =>
        new asn1js.Set({
          value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: type }), value] })],
        }),
    ),
  });
  return pkijs.RelativeDistinguishedNames.fromBER(seq.toBER(false));
}

/** A readable one-line form of a name (for lists and the audit log), e.g. `C=JP, CN=山田 太郎`. */
export function nameToString(name: pkijs.RelativeDistinguishedNames): string {
  const short: Record<string, string> = {
    [OID.countryName]: 'C',
    [OID.organizationName]: 'O',
    [OID.organizationalUnitName]: 'OU',
    [OID.commonName]: 'CN',
    [OID.serialNumber]: 'serialNumber',
  };
  return name.typesAndValues
    .map((tv) => `${short[tv.type] ?? tv.type}=${String(tv.value.valueBlock.value)}`)
    .join(', ');
}

/** A positive 128-bit random serial (CA/B BR §7.1 asks ≥64 bits of CSPRNG output). */
export function randomSerial(): Buffer {
  const b = randomBytes(16);
  b[0] = (b[0] & 0x7f) | 0x01; // positive, and no leading zero byte to strip
  return b;
}

export function serialHex(serial: Uint8Array): string {
  return Buffer.from(serial)
    .toString('hex')
    .replace(/^(00)+(?=.)/, '');
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
export function x509Time(d: Date): pkijs.Time {
  return new pkijs.Time({ type: d.getUTCFullYear() >= 2050 ? 1 : 0, value: d });
}

export function spkiOf(key: KeyObject): Buffer {
  return (key.type === 'private' ? createPublicKey(key) : key).export({ format: 'der', type: 'spki' });
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING value. */
export function keyIdentifier(spkiDer: Uint8Array): Buffer {
  const info = pkijs.PublicKeyInfo.fromBER(Uint8Array.from(spkiDer));
  return createHash('sha1').update(Buffer.from(info.subjectPublicKey.valueBlock.valueHexView)).digest();
}

export interface SignatureSpec {
  algorithm: pkijs.AlgorithmIdentifier;
  digest: 'sha256' | 'sha384';
}

/** The signature algorithm a CA key uses: ECDSA with a digest matching its curve, or RSA PKCS#1 v1.5. */
export function signatureSpecFor(key: KeyObject): SignatureSpec {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec') {
    const p384 = details.namedCurve === 'secp384r1' || details.namedCurve === 'P-384';
    return {
      algorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: p384 ? OID.ecdsaWithSha384 : OID.ecdsaWithSha256,
      }),
      digest: p384 ? 'sha384' : 'sha256',
    };
  }
  if (key.asymmetricKeyType === 'rsa') {
    return {
      algorithm: new pkijs.AlgorithmIdentifier({
        algorithmId: OID.sha256WithRsa,
        algorithmParams: new asn1js.Null(),
      }),
      digest: 'sha256',
    };
  }
  throw new Error(`unsupported CA key type ${String(key.asymmetricKeyType)}`);
}

export function signBytes(key: KeyObject, spec: SignatureSpec, data: Uint8Array): Buffer {
  return sign(spec.digest, data, { key, dsaEncoding: 'der' });
}

/** DER NamedBitList (X.690 §11.2.2: trailing zero bits removed). */
export function namedBits(bits: number[]): asn1js.BitString {
  const max = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(max / 8) + 1);
  for (const b of bits) bytes[b >> 3] |= 0x80 >> (b & 7);
  return new asn1js.BitString({ valueHex: bytes, unusedBits: 7 - (max & 7) });
}

export const KeyUsageBit = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

export function extension(
  extnID: string,
  critical: boolean,
  value: { toSchema(): asn1js.BaseBlock } | asn1js.BaseBlock,
): pkijs.Extension {
  const block = 'toSchema' in value && typeof value.toSchema === 'function' ? value.toSchema() : value;
  return new pkijs.Extension({
    extnID,
    critical,
    extnValue: (block as asn1js.BaseBlock).toBER(false),
  });
}

export function uriName(uri: string): pkijs.GeneralName {
  return new pkijs.GeneralName({ type: 6, value: uri });
}

export interface CertificateSpec {
  serial: Uint8Array;
  subject: pkijs.RelativeDistinguishedNames;
  subjectSpki: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  /** Absent for a self-signed certificate. */
  issuer?: { certificate: pkijs.Certificate; key: KeyObject };
  /** The self-signed root signs with its own key. */
  selfKey?: KeyObject;
  extensions: pkijs.Extension[];
}

/** Assembles and signs a v3 certificate; adds SKI and (for non-self-signed) AKI. */
export function buildCertificate(spec: CertificateSpec): Buffer {
  const signer = spec.issuer?.key ?? spec.selfKey;
  if (!signer) throw new Error('a certificate needs an issuer or a self-signing key');
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: spec.serial });
  cert.subject = spec.subject;
  cert.issuer = spec.issuer ? spec.issuer.certificate.subject : spec.subject;
  cert.notBefore = x509Time(spec.notBefore);
  cert.notAfter = x509Time(spec.notAfter);
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(Uint8Array.from(spec.subjectSpki));
  const ski = keyIdentifier(spec.subjectSpki);
  const issuerKeyId = spec.issuer
    ? keyIdentifier(new Uint8Array(spec.issuer.certificate.subjectPublicKeyInfo.toSchema().toBER(false)))
    : ski;
  cert.extensions = [
    ...spec.extensions,
    extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: ski })),
    extension(
      OID.authorityKeyIdentifier,
      false,
      new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: issuerKeyId }) }),
    ),
  ];
  const sig = signatureSpecFor(signer);
  cert.signature = sig.algorithm;
  cert.signatureAlgorithm = sig.algorithm;
  const tbs = cert.encodeTBS().toBER(false);
  cert.signatureValue = new asn1js.BitString({ valueHex: signBytes(signer, sig, new Uint8Array(tbs)) });
  return Buffer.from(cert.toSchema(true).toBER(false));
}

export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(Uint8Array.from(der));
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.replace(/\n$/, '')}\n-----END ${label}-----\n`;
}

export function fromPem(pem: string): Buffer {
  const m = /-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END [A-Z0-9 ]+-----/.exec(pem);
  if (!m) throw new Error('not a PEM block');
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}
