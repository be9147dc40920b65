import { KeyObject, createHash, hash, sign as cryptoSign } from 'node:crypto';
import {
  Tag,
  algorithmId,
  children,
  ctx,
  encode,
  expectTag,
  generalizedTime,
  integer,
  node,
  octetString,
  oid,
  readBoolean,
  readOid,
  readOne,
  seq,
  setOf,
  tlv,
} from './der';
import { OID } from './oids';
import { ParsedTimeStampRequest, PkiFailureInfo, TimeStampRequestRejected } from './time-stamp-request';

/** What a TSA signs with: its key, its certificate, and the chain up to (and possibly including) the root. */
export interface TsaCredential {
  privateKey: KeyObject;
  /** DER of the TSA certificate. */
  certificate: Uint8Array;
  /** DER of the issuing chain (intermediates, optionally the root), nearest first. */
  chain: Uint8Array[];
}

export interface TstPolicy {
  /** The TSA's default policy OID (RFC 3161 §2.4.2 policy). */
  policy: string;
  /** Further policies this TSA may be asked for (reqPolicy); the default is always accepted. */
  acceptedPolicies?: string[];
  /** Accuracy of genTime in whole seconds (0 = omit). */
  accuracySeconds: number;
}

export interface IssuedToken {
  /** DER TimeStampResp (status granted + token). */
  response: Buffer;
  /** DER TimeStampToken (ContentInfo). */
  token: Buffer;
  serialNumber: bigint;
  genTime: Date;
  policy: string;
}

interface SignatureProfile {
  digest: 'sha256' | 'sha384';
  digestOid: string;
  signatureAlg: Buffer;
}

/**
 * Builds and signs RFC 3161 tokens. Everything that does not depend on the request (SignerInfo
 * identifier, ESSCertIDv2 attribute, certificates, algorithm identifiers) is encoded once in the
 * constructor; per token only TSTInfo, the messageDigest attribute and the signature are made.
 */
export class TstSigner {
  readonly certificate: Buffer;
  readonly chain: Buffer[];
  readonly notBefore: Date;
  readonly notAfter: Date;
  private readonly profile: SignatureProfile;
  private readonly sid: Buffer;
  private readonly attrsTemplate: Buffer;
  private readonly digestOffset: number;
  private readonly signerInfoHead: Buffer;
  private readonly signedDataHead: Buffer;
  private readonly tstInfoOid: Buffer;
  private readonly contentInfoHead: Buffer;
  private readonly certificatesField: Buffer;
  private readonly digestAlgorithms: Buffer;
  private readonly digestAlgId: Buffer;
  private readonly tsaName: Buffer;
  private readonly accuracy: Buffer;
  private readonly policyOids = new Map<string, Buffer>();
  private readonly defaultPolicy: string;

  constructor(
    private readonly credential: TsaCredential,
    policy: TstPolicy,
  ) {
    this.certificate = Buffer.from(credential.certificate);
    this.chain = credential.chain.map((c) => Buffer.from(c));
    const cert = parseCertificateParts(this.certificate);
    this.notBefore = cert.notBefore;
    this.notAfter = cert.notAfter;
    this.profile = signatureProfile(credential.privateKey);
    this.digestAlgId = algorithmId(this.profile.digestOid);
    this.digestAlgorithms = setOf(this.digestAlgId);
    // SignerIdentifier: issuerAndSerialNumber (CMS version 1 SignerInfo).
    this.sid = seq(cert.issuer, cert.serial);
    // RFC 5816 / RFC 5035: signing-certificate-v2 with ESSCertIDv2 (SHA-256 is the DEFAULT, so the
    // hashAlgorithm field is omitted in DER) and issuerSerial binding the exact certificate.
    const certHash = createHash('sha256').update(this.certificate).digest();
    const issuerSerial = seq(seq(tlv(ctx(4), cert.issuer)), cert.serial);
    const essCertIdV2 = seq(octetString(certHash), issuerSerial);
    // Template of the signed attributes with a placeholder digest; see prepare().
    const marker = Buffer.alloc(this.profile.digest === 'sha256' ? 32 : 48, 0xee);
    this.attrsTemplate = setOf(
      seq(oid(OID.contentType), setOf(oid(OID.tstInfo))),
      seq(oid(OID.signingCertificateV2), setOf(seq(seq(essCertIdV2)))),
      seq(oid(OID.messageDigest), setOf(octetString(marker))),
    );
    this.digestOffset =
      this.attrsTemplate.indexOf(Buffer.concat([Buffer.from([Tag.OCTET_STRING, marker.length]), marker])) + 2;
    if (this.digestOffset < 2) throw new Error('signed attributes template: digest placeholder not found');
    this.signerInfoHead = Buffer.concat([integer(1), this.sid, this.digestAlgId]);
    this.signedDataHead = Buffer.concat([integer(3), this.digestAlgorithms]);
    this.tstInfoOid = oid(OID.tstInfo);
    this.contentInfoHead = oid(OID.signedData);
    // RFC 3161 §2.4.1: with certReq the TSA certificate MUST be present; the intermediates are added
    // so a verifier needs only the root. Self-signed roots are left out (they are trust anchors).
    const intermediates = this.chain.filter((c) => !isSelfIssued(c));
    this.certificatesField = tlv(ctx(0), this.certificate, ...intermediates);
    // TSTInfo.tsa: the TSA's subject as a directoryName, to help identify it (RFC 3161 §2.4.2).
    this.tsaName = tlv(ctx(0), tlv(ctx(4), cert.subject));
    this.accuracy = policy.accuracySeconds > 0 ? seq(integer(policy.accuracySeconds)) : EMPTY;
    this.defaultPolicy = policy.policy;
    for (const p of [policy.policy, ...(policy.acceptedPolicies ?? [])]) this.policyOids.set(p, oid(p));
  }

  /** The policy a request gets, or unacceptedPolicy (RFC 3161 §2.4.2). */
  policyFor(req: ParsedTimeStampRequest): string {
    if (!req.reqPolicy) return this.defaultPolicy;
    if (this.policyOids.has(req.reqPolicy)) return req.reqPolicy;
    throw new TimeStampRequestRejected(
      PkiFailureInfo.unacceptedPolicy,
      `policy ${req.reqPolicy} is not offered by this TSA`,
    );
  }

  /** Signs a token for an already validated request with the given serial and time. */
  issue(req: ParsedTimeStampRequest, serialNumber: bigint, genTime: Date): IssuedToken {
    const p = this.prepare(req, serialNumber, genTime);
    return this.assemble(p, cryptoSign(this.profile.digest, p.signedAttrs, this.credential.privateKey));
  }

  /** Same as issue(), with the signature computed by `sign` (another thread, an HSM, …). */
  async issueWith(
    req: ParsedTimeStampRequest,
    serialNumber: bigint,
    genTime: Date,
    sign: (digest: string, data: Buffer, key: KeyObject) => Promise<Buffer>,
  ): Promise<IssuedToken> {
    const p = this.prepare(req, serialNumber, genTime);
    return this.assemble(p, await sign(this.profile.digest, p.signedAttrs, this.credential.privateKey));
  }

  /** Throws the refusal a request would get (policy, time outside the certificate); returns the policy. */
  check(req: ParsedTimeStampRequest, genTime: Date): string {
    if (genTime < this.notBefore || genTime > this.notAfter)
      throw new TimeStampRequestRejected(
        PkiFailureInfo.timeNotAvailable,
        'the TSA certificate is not valid at this time; rotate the TSA certificate',
      );
    return this.policyFor(req);
  }

  private prepare(req: ParsedTimeStampRequest, serialNumber: bigint, genTime: Date): Prepared {
    const policy = this.check(req, genTime);
    const tstInfo = encode(
      node(
        Tag.SEQUENCE,
        VERSION_1,
        this.policyOids.get(policy)!,
        req.messageImprintDer,
        integer(serialNumber),
        generalizedTime(genTime),
        this.accuracy,
        req.nonceContent ? node(Tag.INTEGER, req.nonceContent) : EMPTY,
        this.tsaName,
      ),
    );
    // The signed attributes are a fixed template; only the message digest changes (its SET OF
    // position is fixed because the attributes differ in length or OID before the digest bytes).
    const signedAttrs = Buffer.from(this.attrsTemplate);
    hash(this.profile.digest, tstInfo, 'buffer').copy(signedAttrs, this.digestOffset);
    return { req, serialNumber, genTime, policy, tstInfo, signedAttrs };
  }

  private assemble(p: Prepared, signature: Buffer): IssuedToken {
    // The signature covers the SET OF encoding; in SignerInfo it sits as [0] IMPLICIT (RFC 5652 §5.4).
    p.signedAttrs[0] = ctx(0);
    const signerInfo = node(
      Tag.SEQUENCE,
      this.signerInfoHead,
      p.signedAttrs,
      this.profile.signatureAlg,
      node(Tag.OCTET_STRING, signature),
    );
    const signedData = node(
      Tag.SEQUENCE,
      this.signedDataHead,
      node(Tag.SEQUENCE, this.tstInfoOid, node(ctx(0), node(Tag.OCTET_STRING, p.tstInfo))),
      p.req.certReq ? this.certificatesField : EMPTY,
      node(Tag.SET, signerInfo),
    );
    const tokenTree = node(Tag.SEQUENCE, this.contentInfoHead, node(ctx(0), signedData));
    // One allocation for the response; the token is its last element, so a view of its tail.
    const response = encode(node(Tag.SEQUENCE, GRANTED, tokenTree));
    const token = response.subarray(response.length - tokenTree.size);
    return { response, token, serialNumber: p.serialNumber, genTime: p.genTime, policy: p.policy };
  }
}

interface Prepared {
  req: ParsedTimeStampRequest;
  serialNumber: bigint;
  genTime: Date;
  policy: string;
  tstInfo: Buffer;
  signedAttrs: Buffer;
}

const EMPTY = Buffer.alloc(0);
const VERSION_1 = integer(1);
/** PKIStatusInfo { status granted } (RFC 3161 §2.4.2). */
const GRANTED = seq(integer(0));

function signatureProfile(key: KeyObject): SignatureProfile {
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1' || curve === 'P-256')
      return { digest: 'sha256', digestOid: OID.sha256, signatureAlg: algorithmId(OID.ecdsaWithSha256) };
    if (curve === 'secp384r1' || curve === 'P-384')
      return { digest: 'sha384', digestOid: OID.sha384, signatureAlg: algorithmId(OID.ecdsaWithSha384) };
    throw new RangeError(`unsupported EC curve ${String(curve)}`);
  }
  if (key.asymmetricKeyType === 'rsa') {
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 3072)
      throw new RangeError('RSA TSA keys must be at least 3072 bits (CRYPTREC)');
    return { digest: 'sha256', digestOid: OID.sha256, signatureAlg: algorithmId(OID.sha256WithRsa, true) };
  }
  throw new RangeError(`unsupported TSA key type ${String(key.asymmetricKeyType)}`);
}

export interface CertificateParts {
  serial: Buffer;
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
}

/** The few TBSCertificate fields the signer needs (RFC 5280 §4.1), read once. */
export function parseCertificateParts(der: Uint8Array): CertificateParts {
  const cert = readOne(Buffer.from(der), Tag.SEQUENCE);
  const tbs = children(expectTag(children(cert)[0], Tag.SEQUENCE, 'tbsCertificate'));
  let i = tbs[0].tag === ctx(0) ? 1 : 0;
  const serial = expectTag(tbs[i++], Tag.INTEGER, 'serialNumber').raw;
  i++; // signature algorithm
  const issuer = expectTag(tbs[i++], Tag.SEQUENCE, 'issuer').raw;
  const validity = children(expectTag(tbs[i++], Tag.SEQUENCE, 'validity'));
  const subject = expectTag(tbs[i++], Tag.SEQUENCE, 'subject').raw;
  return {
    serial: Buffer.from(serial),
    issuer: Buffer.from(issuer),
    subject: Buffer.from(subject),
    notBefore: readTime(validity[0].tag, validity[0].content.toString('latin1')),
    notAfter: readTime(validity[1].tag, validity[1].content.toString('latin1')),
  };
}

export interface CertificateExtension {
  oid: string;
  critical: boolean;
  /** Content of extnValue (the DER of the extension's own value). */
  value: Buffer;
}

/** The extensions of a certificate (RFC 5280 §4.1.2.9), read without a certificate library. */
export function certificateExtensions(der: Uint8Array): CertificateExtension[] {
  const cert = readOne(Buffer.from(der), Tag.SEQUENCE);
  const tbs = children(expectTag(children(cert)[0], Tag.SEQUENCE, 'tbsCertificate'));
  const wrapper = tbs.find((n) => n.tag === ctx(3));
  if (!wrapper) return [];
  return children(expectTag(children(wrapper)[0], Tag.SEQUENCE, 'extensions')).map((e) => {
    const f = children(e);
    const critical = f[1]?.tag === Tag.BOOLEAN ? readBoolean(f[1]) : false;
    const value = expectTag(f[f.length - 1], Tag.OCTET_STRING, 'extnValue').content;
    return { oid: readOid(f[0]), critical, value: Buffer.from(value) };
  });
}

function readTime(tag: number, s: string): Date {
  // UTCTime YYMMDDHHMMSSZ (RFC 5280 §4.1.2.5.1: YY < 50 → 20YY) or GeneralizedTime YYYYMMDDHHMMSSZ.
  const full = tag === 0x17 ? `${Number(s.slice(0, 2)) < 50 ? '20' : '19'}${s}` : s;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(full);
  if (!m) throw new RangeError(`unsupported certificate time ${s}`);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

function isSelfIssued(der: Uint8Array): boolean {
  const p = parseCertificateParts(der);
  return p.issuer.equals(p.subject);
}
