import * as asn1js from 'asn1js';
import { constants, createHash, KeyObject, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import { bytesEqual, der, parseDer } from './asn1.util';
import { digestFromOid, DigestAlgorithm, OID } from './oids';

/** The CMS could not be parsed or does not have the shape PAdES requires. */
export class CmsFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CmsFormatError';
  }
}

export interface ParsedCms {
  signedData: pkijs.SignedData;
  signerInfo: pkijs.SignerInfo;
  /** Every certificate carried in SignedData.certificates (DER). */
  certificates: Uint8Array[];
  /** The certificate the SignerInfo's sid points to, when present. */
  signerCertificate?: Uint8Array;
  digestAlgorithm?: DigestAlgorithm | 'sha1';
  eContentType: string;
  eContent?: Uint8Array;
  signatureValue: Uint8Array;
  /** Tokens from signature-time-stamp unsigned attributes (RFC 3161 Appendix A). */
  signatureTimeStamps: Uint8Array[];
}

export function parseCms(bytes: Uint8Array): ParsedCms {
  let signedData: pkijs.SignedData;
  try {
    const ci = new pkijs.ContentInfo({ schema: parseDer(bytes, 'CMS') });
    if (ci.contentType !== OID.signedData) throw new CmsFormatError('the CMS is not SignedData');
    signedData = new pkijs.SignedData({ schema: ci.content });
  } catch (e) {
    if (e instanceof CmsFormatError) throw e;
    throw new CmsFormatError(`the CMS cannot be parsed: ${e instanceof Error ? e.message : String(e)}`);
  }
  // ETSI EN 319 142-1 §6.3 a): exactly one SignerInfo.
  if (signedData.signerInfos.length !== 1)
    throw new CmsFormatError(
      `the CMS holds ${signedData.signerInfos.length} SignerInfos; exactly one is required`,
    );
  const signerInfo = signedData.signerInfos[0];
  const certificates = (signedData.certificates ?? [])
    .filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate)
    .map((c) => der(c));
  const signerCertificate = certificates.find((c) => matchesSid(c, signerInfo.sid));
  const eContent = signedData.encapContentInfo.eContent?.getValue();
  const signatureTimeStamps: Uint8Array[] = [];
  for (const attr of signerInfo.unsignedAttrs?.attributes ?? []) {
    if (attr.type !== OID.signatureTimeStamp) continue;
    for (const v of attr.values as asn1js.AsnType[]) signatureTimeStamps.push(new Uint8Array(v.toBER(false)));
  }
  return {
    signedData,
    signerInfo,
    certificates,
    signerCertificate,
    digestAlgorithm: digestFromOid(signerInfo.digestAlgorithm.algorithmId),
    eContentType: signedData.encapContentInfo.eContentType,
    eContent: eContent ? new Uint8Array(eContent) : undefined,
    signatureValue: new Uint8Array(signerInfo.signature.valueBlock.valueHexView),
    signatureTimeStamps,
  };
}

function matchesSid(certDer: Uint8Array, sid: pkijs.SignerInfo['sid']): boolean {
  const cert = new pkijs.Certificate({ schema: parseDer(certDer, 'certificate') });
  if (sid instanceof pkijs.IssuerAndSerialNumber)
    return cert.issuer.isEqual(sid.issuer) && cert.serialNumber.isEqual(sid.serialNumber);
  // [0] SubjectKeyIdentifier
  const ski = cert.extensions?.find((e) => e.extnID === '2.5.29.14');
  const skiValue = ski?.parsedValue as asn1js.OctetString | undefined;
  const sidValue = (sid as asn1js.Constructed).valueBlock?.value?.[0] as asn1js.OctetString | undefined;
  const want = sidValue?.valueBlock?.valueHexView ?? (sid as asn1js.OctetString).valueBlock?.valueHexView;
  return !!skiValue && !!want && bytesEqual(skiValue.valueBlock.valueHexView, want);
}

export type SigningCertificateCheck = 'v2-match' | 'v1-match' | 'missing' | 'mismatch';

export interface SignerInfoCheck {
  contentType?: string;
  messageDigestMatches: boolean;
  signatureValid: boolean;
  signingCertificate: SigningCertificateCheck;
  hasSigningTimeAttribute: boolean;
  /** Why the signature check failed, when it did. */
  detail?: string;
}

/**
 * Checks a SignerInfo against the digest of the signed content: message-digest attribute,
 * ESS signing-certificate(-v2) binding, and the signature over the DER of the signed attributes.
 */
export function checkSignerInfo(cms: ParsedCms, contentDigest: Uint8Array): SignerInfoCheck {
  const si = cms.signerInfo;
  const attrs = si.signedAttrs?.attributes ?? [];
  const find = (oid: string) => attrs.find((a) => a.type === oid);
  const md = find(OID.messageDigest)?.values[0] as asn1js.OctetString | undefined;
  const ct = find(OID.contentType)?.values[0] as asn1js.ObjectIdentifier | undefined;
  const result: SignerInfoCheck = {
    contentType: ct?.valueBlock.toString(),
    messageDigestMatches: !!md && bytesEqual(md.valueBlock.valueHexView, contentDigest),
    signatureValid: false,
    signingCertificate: 'missing',
    hasSigningTimeAttribute: !!find(OID.signingTime),
  };
  if (!si.signedAttrs) {
    result.detail = 'the SignerInfo has no signed attributes';
    return result;
  }
  if (!cms.signerCertificate) {
    result.detail = 'the signer certificate is not in the CMS';
    return result;
  }
  result.signingCertificate = checkSigningCertificateAttribute(
    find(OID.signingCertificateV2),
    find(OID.signingCertificate),
    cms.signerCertificate,
  );
  // RFC 5652 §5.4: verify over the attributes as received, re-tagged as SET OF.
  const signed = new Uint8Array(si.signedAttrs.encodedValue);
  signed[0] = 0x31;
  const key = new X509Certificate(cms.signerCertificate).publicKey;
  try {
    result.signatureValid = verifySignatureValue(
      key,
      si.signatureAlgorithm,
      cms.digestAlgorithm,
      signed,
      cms.signatureValue,
    );
    if (!result.signatureValid)
      result.detail = 'the signature value does not verify with the signer public key';
  } catch (e) {
    result.detail = `the signature cannot be checked: ${e instanceof Error ? e.message : String(e)}`;
  }
  return result;
}

function checkSigningCertificateAttribute(
  v2: pkijs.Attribute | undefined,
  v1: pkijs.Attribute | undefined,
  certDer: Uint8Array,
): SigningCertificateCheck {
  const attr = v2 ?? v1;
  if (!attr) return 'missing';
  try {
    const seq = attr.values[0] as asn1js.Sequence;
    const certs = seq.valueBlock.value[0] as asn1js.Sequence;
    const first = certs.valueBlock.value[0] as asn1js.Sequence;
    const parts = first.valueBlock.value;
    let hash: string = v2 ? 'sha256' : 'sha1';
    let i = 0;
    if (v2 && parts[0] instanceof asn1js.Sequence) {
      const alg = new pkijs.AlgorithmIdentifier({ schema: parts[0] });
      hash = digestFromOid(alg.algorithmId) ?? 'unknown';
      i = 1;
    }
    if (hash === 'unknown') return 'mismatch';
    const certHash = (parts[i] as asn1js.OctetString).valueBlock.valueHexView;
    const ok = bytesEqual(certHash, createHash(hash).update(certDer).digest());
    if (!ok) return 'mismatch';
    return v2 ? 'v2-match' : 'v1-match';
  } catch {
    return 'mismatch';
  }
}

/** Verifies a raw signature value with node:crypto for the algorithms PAdES signers use. */
export function verifySignatureValue(
  key: KeyObject,
  algorithm: pkijs.AlgorithmIdentifier,
  digest: string | undefined,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const oid = algorithm.algorithmId;
  const rsaHash: Record<string, string> = {
    [OID.sha1WithRSA]: 'sha1',
    [OID.sha256WithRSA]: 'sha256',
    [OID.sha384WithRSA]: 'sha384',
    [OID.sha512WithRSA]: 'sha512',
  };
  const ecHash: Record<string, string> = {
    [OID.ecdsaWithSha256]: 'sha256',
    [OID.ecdsaWithSha384]: 'sha384',
    [OID.ecdsaWithSha512]: 'sha512',
  };
  if (oid === OID.rsaEncryption || rsaHash[oid]) {
    const hash = rsaHash[oid] ?? digest;
    if (!hash) throw new Error('unknown digest algorithm');
    return cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
  }
  if (oid === OID.rsassaPss) {
    const params = new pkijs.RSASSAPSSParams({ schema: algorithm.algorithmParams });
    const hash = digestFromOid(params.hashAlgorithm.algorithmId);
    if (!hash) throw new Error('unknown PSS hash');
    return cryptoVerify(
      hash,
      data,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength },
      signature,
    );
  }
  if (ecHash[oid] || oid === OID.ecPublicKey) {
    const hash = ecHash[oid] ?? digest;
    if (!hash) throw new Error('unknown digest algorithm');
    return cryptoVerify(hash, data, { key, dsaEncoding: 'der' }, signature);
  }
  if (oid === OID.ed25519) return cryptoVerify(null, data, key, signature);
  throw new Error(`unsupported signature algorithm ${oid}`);
}

export interface ParsedTimeStampToken {
  cms: ParsedCms;
  genTime: Date;
  imprintAlgorithm?: DigestAlgorithm | 'sha1';
  imprint: Uint8Array;
  serialNumber: string;
  policy: string;
}

/** Parses an RFC 3161 TimeStampToken (ContentInfo → SignedData over TSTInfo). */
export function parseTimeStampToken(bytes: Uint8Array): ParsedTimeStampToken {
  const cms = parseCms(bytes);
  if (cms.eContentType !== OID.tstInfo || !cms.eContent)
    throw new CmsFormatError('the token does not encapsulate a TSTInfo');
  let tst: pkijs.TSTInfo;
  try {
    tst = new pkijs.TSTInfo({ schema: parseDer(cms.eContent, 'TSTInfo') });
  } catch (e) {
    throw new CmsFormatError(`the TSTInfo cannot be parsed: ${e instanceof Error ? e.message : String(e)}`);
  }
  return {
    cms,
    genTime: tst.genTime,
    imprintAlgorithm: digestFromOid(tst.messageImprint.hashAlgorithm.algorithmId),
    imprint: new Uint8Array(tst.messageImprint.hashedMessage.valueBlock.valueHexView),
    serialNumber: Buffer.from(tst.serialNumber.valueBlock.valueHexView).toString('hex'),
    policy: tst.policy,
  };
}

/**
 * Cryptographic check of a timestamp token over `data`: imprint, content-type, message digest
 * of the TSTInfo and the TSA's signature. The TSA certificate path is checked by the caller.
 */
export function checkTimeStampToken(
  token: ParsedTimeStampToken,
  data: { bytes?: Uint8Array; digest?: (alg: string) => Uint8Array },
): { imprintMatches: boolean; signer: SignerInfoCheck } {
  const alg = token.imprintAlgorithm;
  let imprintMatches = false;
  if (alg) {
    const digest = data.digest
      ? data.digest(alg)
      : createHash(alg)
          .update(data.bytes ?? new Uint8Array())
          .digest();
    imprintMatches = bytesEqual(digest, token.imprint);
  }
  const contentDigest = createHash(token.cms.digestAlgorithm ?? 'sha256')
    .update(token.cms.eContent ?? new Uint8Array())
    .digest();
  const signer = checkSignerInfo(token.cms, contentDigest);
  if (signer.contentType !== OID.tstInfo) signer.messageDigestMatches = false;
  return { imprintMatches, signer };
}
