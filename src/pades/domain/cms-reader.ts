import { constants, createHash, KeyObject, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import { children, ctx, expectTag, type Node, readNode, readOid, readOne, Tag } from '../../tsa/domain/der';
import { parseCertificateParts } from '../../tsa/domain/tst-signer';
import { bytesEqual } from './asn1.util';
import { digestFromOid, DigestAlgorithm, OID } from './oids';

/**
 * Reading CMS SignedData (RFC 5652) and RFC 3161 tokens for validation, with the TSA module's
 * strict DER reader: the bytes that were signed are kept exactly as received (never re-encoded),
 * and reading stays far cheaper than the signature checks it feeds.
 */

/** The CMS could not be parsed or does not have the shape PAdES requires. */
export class CmsFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CmsFormatError';
  }
}

export interface AlgorithmIdentifier {
  oid: string;
  /** DER of the parameters, when present. */
  params?: Buffer;
}

export interface ParsedCms {
  /** Every certificate carried in SignedData.certificates (DER). */
  certificates: Uint8Array[];
  /** The certificate the SignerInfo's sid points to, when present. */
  signerCertificate?: Uint8Array;
  digestAlgorithm?: DigestAlgorithm | 'sha1';
  signatureAlgorithm: AlgorithmIdentifier;
  eContentType: string;
  eContent?: Uint8Array;
  signatureValue: Uint8Array;
  /** The signed attributes re-tagged as SET OF: the bytes the signature covers (§5.4). */
  signedAttributesDer?: Uint8Array;
  /** Signed attributes by type: the DER of each value. */
  signedAttributes: Map<string, Buffer[]>;
  /** Tokens from signature-time-stamp unsigned attributes (RFC 3161 Appendix A). */
  signatureTimeStamps: Uint8Array[];
}

export function parseCms(bytes: Uint8Array): ParsedCms {
  try {
    return readCms(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    if (e instanceof CmsFormatError) throw e;
    throw new CmsFormatError(`the CMS cannot be parsed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function readCms(buf: Buffer): ParsedCms {
  // Foreign producers sometimes leave bytes after the ContentInfo: read the first element only.
  const top = readNode(buf, 0);
  if (top.tag !== Tag.SEQUENCE) throw new CmsFormatError('the CMS is not a ContentInfo');
  const ci = children(top);
  if (readOid(expectTag(ci[0], Tag.OID, 'contentType')) !== OID.signedData)
    throw new CmsFormatError('the CMS is not SignedData');
  const sd = children(
    expectTag(children(expectTag(ci[1], ctx(0), 'content'))[0], Tag.SEQUENCE, 'SignedData'),
  );
  let i = 2; // version, digestAlgorithms
  const encap = children(expectTag(sd[i++], Tag.SEQUENCE, 'encapContentInfo'));
  const eContentType = readOid(encap[0]);
  let eContent: Buffer | undefined;
  if (encap[1]) {
    const inner = children(expectTag(encap[1], ctx(0), 'eContent'))[0];
    eContent = inner.tag === Tag.OCTET_STRING ? inner.content : undefined;
    if (inner.tag === (Tag.OCTET_STRING | 0x20))
      eContent = Buffer.concat(children(inner).map((c) => c.content));
  }
  const certificates: Uint8Array[] = [];
  if (sd[i]?.tag === ctx(0)) {
    for (const c of children(sd[i++])) if (c.tag === Tag.SEQUENCE) certificates.push(Buffer.from(c.raw));
  }
  if (sd[i]?.tag === ctx(1)) i++; // crls
  const infos = children(expectTag(sd[i], Tag.SET, 'signerInfos'));
  // ETSI EN 319 142-1 §6.3 a): exactly one SignerInfo.
  if (infos.length !== 1)
    throw new CmsFormatError(`the CMS holds ${infos.length} SignerInfos; exactly one is required`);
  const si = children(expectTag(infos[0], Tag.SEQUENCE, 'SignerInfo'));
  let j = 1;
  const sid = si[j++];
  const digestAlgorithm = digestFromOid(
    readOid(children(expectTag(si[j++], Tag.SEQUENCE, 'digestAlgorithm'))[0]),
  );
  let signedAttributesDer: Buffer | undefined;
  const signedAttributes = new Map<string, Buffer[]>();
  if (si[j]?.tag === ctx(0)) {
    const node = si[j++];
    signedAttributesDer = Buffer.from(node.raw);
    signedAttributesDer[0] = Tag.SET;
    readAttributes(node, signedAttributes);
  }
  const signatureAlgorithm = readAlgorithm(expectTag(si[j++], Tag.SEQUENCE, 'signatureAlgorithm'));
  const signatureValue = expectTag(si[j++], Tag.OCTET_STRING, 'signature').content;
  const signatureTimeStamps: Uint8Array[] = [];
  if (si[j]?.tag === ctx(1)) {
    const unsigned = new Map<string, Buffer[]>();
    readAttributes(si[j], unsigned);
    signatureTimeStamps.push(...(unsigned.get(OID.signatureTimeStamp) ?? []));
  }
  return {
    certificates,
    signerCertificate: certificates.find((c) => matchesSid(c, sid)),
    digestAlgorithm,
    signatureAlgorithm,
    eContentType,
    eContent,
    signatureValue,
    signedAttributesDer,
    signedAttributes,
    signatureTimeStamps,
  };
}

function readAttributes(node: Node, into: Map<string, Buffer[]>): void {
  for (const a of children(node)) {
    const [type, values] = children(a);
    const list = into.get(readOid(type)) ?? [];
    for (const v of children(expectTag(values, Tag.SET, 'attribute values'))) list.push(v.raw);
    into.set(readOid(type), list);
  }
}

function readAlgorithm(node: Node): AlgorithmIdentifier {
  const parts = children(node);
  return { oid: readOid(parts[0]), params: parts[1]?.raw };
}

function matchesSid(certDer: Uint8Array, sid: Node): boolean {
  try {
    if (sid.tag === Tag.SEQUENCE) {
      const [issuer, serial] = children(sid);
      const parts = parseCertificateParts(certDer);
      return parts.issuer.equals(issuer.raw) && parts.serial.equals(serial.raw);
    }
    // [0] SubjectKeyIdentifier
    const ski = subjectKeyIdentifier(certDer);
    return !!ski && ski.equals(sid.content);
  } catch {
    return false;
  }
}

function subjectKeyIdentifier(certDer: Uint8Array): Buffer | undefined {
  const cert = readOne(Buffer.from(certDer), Tag.SEQUENCE);
  const tbs = children(children(cert)[0]);
  const ext = tbs.find((n) => n.tag === ctx(3));
  if (!ext) return undefined;
  for (const e of children(children(ext)[0])) {
    const parts = children(e);
    if (readOid(parts[0]) !== '2.5.29.14') continue;
    return readOne(parts[parts.length - 1].content, Tag.OCTET_STRING).content;
  }
  return undefined;
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
  const attrs = cms.signedAttributes;
  const md = attrs.get(OID.messageDigest)?.[0];
  const ct = attrs.get(OID.contentType)?.[0];
  let contentType: string | undefined;
  try {
    contentType = ct ? readOid(readOne(ct, Tag.OID)) : undefined;
  } catch {
    contentType = undefined;
  }
  let mdValue: Buffer | undefined;
  try {
    mdValue = md ? readOne(md, Tag.OCTET_STRING).content : undefined;
  } catch {
    mdValue = undefined;
  }
  const result: SignerInfoCheck = {
    contentType,
    messageDigestMatches: !!mdValue && bytesEqual(mdValue, contentDigest),
    signatureValid: false,
    signingCertificate: 'missing',
    hasSigningTimeAttribute: attrs.has(OID.signingTime),
  };
  if (!cms.signedAttributesDer) {
    result.detail = 'the SignerInfo has no signed attributes';
    return result;
  }
  if (!cms.signerCertificate) {
    result.detail = 'the signer certificate is not in the CMS';
    return result;
  }
  result.signingCertificate = checkSigningCertificateAttribute(
    attrs.get(OID.signingCertificateV2)?.[0],
    attrs.get(OID.signingCertificate)?.[0],
    cms.signerCertificate,
  );
  try {
    const key = new X509Certificate(cms.signerCertificate).publicKey;
    result.signatureValid = verifySignatureValue(
      key,
      cms.signatureAlgorithm,
      cms.digestAlgorithm,
      cms.signedAttributesDer,
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
  v2: Buffer | undefined,
  v1: Buffer | undefined,
  certDer: Uint8Array,
): SigningCertificateCheck {
  const value = v2 ?? v1;
  if (!value) return 'missing';
  try {
    const certs = children(readOne(value, Tag.SEQUENCE))[0];
    const parts = children(children(certs)[0]);
    let hash: string | undefined = v2 ? 'sha256' : 'sha1';
    let i = 0;
    if (v2 && parts[0].tag === Tag.SEQUENCE) {
      hash = digestFromOid(readOid(children(parts[0])[0]));
      i = 1;
    }
    if (!hash) return 'mismatch';
    const certHash = expectTag(parts[i], Tag.OCTET_STRING, 'certHash').content;
    if (!bytesEqual(certHash, createHash(hash).update(certDer).digest())) return 'mismatch';
    return v2 ? 'v2-match' : 'v1-match';
  } catch {
    return 'mismatch';
  }
}

/** Verifies a raw signature value with node:crypto for the algorithms PAdES signers use. */
export function verifySignatureValue(
  key: KeyObject,
  algorithm: AlgorithmIdentifier,
  digest: string | undefined,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const oid = algorithm.oid;
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
    // RSASSA-PSS-params (RFC 4055 §3.1): [0] hashAlgorithm, [1] maskGenAlgorithm, [2] saltLength.
    let hash: string | undefined = 'sha1';
    let saltLength = 20;
    for (const p of algorithm.params ? children(readOne(algorithm.params, Tag.SEQUENCE)) : []) {
      if (p.tag === ctx(0)) hash = digestFromOid(readOid(children(children(p)[0])[0]));
      if (p.tag === ctx(2)) saltLength = Number(BigInt(`0x${children(p)[0].content.toString('hex')}`));
    }
    if (!hash) throw new Error('unknown PSS hash');
    return cryptoVerify(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signature);
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

/** Parses an RFC 3161 TimeStampToken (ContentInfo → SignedData over TSTInfo, §2.4.2). */
export function parseTimeStampToken(bytes: Uint8Array): ParsedTimeStampToken {
  const cms = parseCms(bytes);
  if (cms.eContentType !== OID.tstInfo || !cms.eContent)
    throw new CmsFormatError('the token does not encapsulate a TSTInfo');
  try {
    const tst = children(readOne(Buffer.from(cms.eContent), Tag.SEQUENCE));
    const policy = readOid(tst[1]);
    const imprint = children(expectTag(tst[2], Tag.SEQUENCE, 'messageImprint'));
    const serial = expectTag(tst[3], Tag.INTEGER, 'serialNumber').content;
    const gen = expectTag(tst[4], Tag.GENERALIZED_TIME, 'genTime').content.toString('latin1');
    return {
      cms,
      genTime: parseGeneralizedTime(gen),
      imprintAlgorithm: digestFromOid(readOid(children(imprint[0])[0])),
      imprint: expectTag(imprint[1], Tag.OCTET_STRING, 'hashedMessage').content,
      serialNumber: serial.toString('hex'),
      policy,
    };
  } catch (e) {
    throw new CmsFormatError(`the TSTInfo cannot be parsed: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** GeneralizedTime YYYYMMDDHHMMSS[.fff]Z (RFC 3161 §2.4.2 requires UTC "Z"). */
function parseGeneralizedTime(s: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,6}))?Z$/.exec(s);
  if (!m) throw new CmsFormatError(`bad genTime ${s}`);
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms));
}
