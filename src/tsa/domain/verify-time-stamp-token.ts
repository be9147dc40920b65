import { KeyObject, X509Certificate, hash, verify as cryptoVerify } from 'node:crypto';
import * as pkijs from 'pkijs';
import type { TimeStampHashAlgorithm } from '../time-stamper';
import {
  DerError,
  Node,
  Tag,
  children,
  ctx,
  expectTag,
  readBoolean,
  readInteger,
  readOid,
  readOne,
} from './der';
import { OID, hashByName, hashByOid } from './oids';
import {
  CertificateExtension,
  CertificateParts,
  certificateExtensions,
  parseCertificateParts,
} from './tst-signer';

/**
 * Verification of an RFC 3161 TimeStampToken as data (pyHanko / ETSI EN 319 102-1 style: an
 * indication with a sub-indication and the individual checks), reusable by the PAdES validator.
 *
 * Checks: CMS structure and TSTInfo; messageImprint equals the expected digest; optional nonce;
 * signed attributes (content type, message digest); signing-certificate-v2 (ESSCertIDv2, RFC 5816)
 * binds the signer certificate; the signature; the certificate carries only id-kp-timeStamping in a
 * critical extendedKeyUsage (RFC 3161 §2.3); genTime lies within the certificate's validity; the
 * certificate chains to one of the trust anchors at `at` (default genTime). Revocation is the
 * caller's business (the PAdES validator has the OCSP/CRL data).
 */

export type TimeStampIndication = 'PASSED' | 'FAILED' | 'INDETERMINATE';

export enum TimeStampSubIndication {
  FORMAT_FAILURE = 'FORMAT_FAILURE',
  IMPRINT_MISMATCH = 'IMPRINT_MISMATCH',
  NONCE_MISMATCH = 'NONCE_MISMATCH',
  HASH_FAILURE = 'HASH_FAILURE',
  SIG_CRYPTO_FAILURE = 'SIG_CRYPTO_FAILURE',
  SIGNING_CERTIFICATE_MISMATCH = 'SIGNING_CERTIFICATE_MISMATCH',
  NO_SIGNING_CERTIFICATE_FOUND = 'NO_SIGNING_CERTIFICATE_FOUND',
  NOT_TIMESTAMPING_CERTIFICATE = 'NOT_TIMESTAMPING_CERTIFICATE',
  OUT_OF_VALIDITY = 'OUT_OF_VALIDITY',
  NO_CERTIFICATE_CHAIN_FOUND = 'NO_CERTIFICATE_CHAIN_FOUND',
}

export type TimeStampCheckName =
  | 'format'
  | 'imprint'
  | 'nonce'
  | 'messageDigest'
  | 'signingCertificate'
  | 'signature'
  | 'extendedKeyUsage'
  | 'validityAtGenTime'
  | 'chain';

export interface TimeStampCheck {
  name: TimeStampCheckName;
  passed: boolean;
  detail?: string;
}

export interface TimeStampTokenInfo {
  genTime: Date;
  serialNumber: string;
  policy: string;
  hashAlgorithm: string;
  hashedMessage: Uint8Array;
  nonce?: bigint;
  accuracy?: { seconds: number; millis: number; micros: number };
  /** DER of the TSA's certificate (from the token or the supplied certificates). */
  signerCertificate?: Uint8Array;
  /** DER of every certificate carried in the token. */
  certificates: Uint8Array[];
  /** The validated path, leaf first, ending at the trust anchor. */
  chain?: Uint8Array[];
}

export interface TimeStampVerification {
  valid: boolean;
  indication: TimeStampIndication;
  subIndication?: TimeStampSubIndication;
  message?: string;
  checks: TimeStampCheck[];
  info?: TimeStampTokenInfo;
}

export interface VerifyTimeStampOptions {
  /** The digest the token must cover, computed with `hashAlgorithm`. */
  digest: Uint8Array;
  hashAlgorithm: TimeStampHashAlgorithm;
  /** DER of the trusted roots. */
  trustAnchors: Uint8Array[];
  /** Time at which the chain must be valid (default: the token's genTime). */
  at?: Date;
  /** The nonce sent in the request, when there was one (RFC 3161 §2.4.2: must match). */
  nonce?: bigint;
  /** Further certificates (DER): the TSA certificate when certReq was false, intermediates. */
  certificates?: Uint8Array[];
  /**
   * Check the signature on the calling thread instead of libuv's pool: for a caller that knows it
   * is alone (one signing waiting for its token), where handing the check to another thread and
   * back costs more than it frees. The check itself is the same.
   */
  verifyInline?: boolean;
}

class Failure extends Error {
  constructor(
    readonly sub: TimeStampSubIndication,
    readonly check: TimeStampCheckName,
    message: string,
  ) {
    super(message);
  }
}

const INDETERMINATE = new Set<TimeStampSubIndication>([
  TimeStampSubIndication.NO_SIGNING_CERTIFICATE_FOUND,
  TimeStampSubIndication.OUT_OF_VALIDITY,
  TimeStampSubIndication.NO_CERTIFICATE_CHAIN_FOUND,
]);

export async function verifyTimeStampToken(
  tokenDer: Uint8Array,
  options: VerifyTimeStampOptions,
): Promise<TimeStampVerification> {
  const checks: TimeStampCheck[] = [];
  let info: TimeStampTokenInfo | undefined;
  const pass = (name: TimeStampCheckName, detail?: string) => checks.push({ name, passed: true, detail });
  try {
    const token = parseToken(tokenDer);
    info = token.info;
    pass('format');

    const expected = hashByName(options.hashAlgorithm);
    if (token.imprintOid !== expected.oid)
      throw new Failure(
        TimeStampSubIndication.IMPRINT_MISMATCH,
        'imprint',
        `token imprint uses ${hashByOid(token.imprintOid)?.name ?? token.imprintOid}, expected ${expected.name}`,
      );
    if (!Buffer.from(options.digest).equals(token.info.hashedMessage))
      throw new Failure(TimeStampSubIndication.IMPRINT_MISMATCH, 'imprint', 'token is for other data');
    pass('imprint');

    if (options.nonce !== undefined) {
      if (token.info.nonce !== options.nonce)
        throw new Failure(
          TimeStampSubIndication.NONCE_MISMATCH,
          'nonce',
          'nonce in the token does not match the request',
        );
      pass('nonce');
    }

    // Signed attributes (RFC 5652 §5.4, §11.1-11.2).
    const digestAlg = hashByOid(token.signerDigestOid);
    if (!digestAlg)
      throw new Failure(TimeStampSubIndication.FORMAT_FAILURE, 'format', 'unsupported digest algorithm');
    if (token.attrs.get(OID.contentType)?.[0] !== OID.tstInfo)
      throw new Failure(
        TimeStampSubIndication.FORMAT_FAILURE,
        'format',
        'content-type attribute is not id-ct-TSTInfo',
      );
    const md = token.messageDigest;
    if (!md || !hash(digestAlg.node, token.eContent, 'buffer').equals(md))
      throw new Failure(
        TimeStampSubIndication.HASH_FAILURE,
        'messageDigest',
        'message-digest attribute does not match TSTInfo',
      );
    pass('messageDigest');

    // Find the signer certificate by its identifier.
    const pool = dedupe([...token.certificates, ...(options.certificates ?? []).map((c) => Buffer.from(c))]);
    const poolFacts = pool.map(factsOf);
    const signerIndex = poolFacts.findIndex((f) => matchesSid(f, token.sid));
    const signerCert: Buffer | undefined = pool[signerIndex];
    const signer = poolFacts[signerIndex];
    if (!signerCert)
      throw new Failure(
        TimeStampSubIndication.NO_SIGNING_CERTIFICATE_FOUND,
        'signingCertificate',
        'the TSA certificate is neither in the token nor supplied',
      );
    info.signerCertificate = signerCert;

    // RFC 5816 / RFC 5035: ESSCertIDv2 must identify exactly this certificate.
    if (!token.essCertIdV2)
      throw new Failure(
        TimeStampSubIndication.SIGNING_CERTIFICATE_MISMATCH,
        'signingCertificate',
        'no signing-certificate-v2 attribute',
      );
    const ess = token.essCertIdV2;
    const essHash = hashByOid(ess.hashOid);
    if (!essHash || !signer.digest(essHash.node).equals(ess.certHash))
      throw new Failure(
        TimeStampSubIndication.SIGNING_CERTIFICATE_MISMATCH,
        'signingCertificate',
        'ESSCertIDv2 does not identify the signer certificate',
      );
    if (ess.issuerSerial) {
      const parts = signer.parts;
      if (!ess.issuerSerial.serial.equals(parts.serial) || !ess.issuerSerial.issuer.equals(parts.issuer))
        throw new Failure(
          TimeStampSubIndication.SIGNING_CERTIFICATE_MISMATCH,
          'signingCertificate',
          'ESSCertIDv2 issuerSerial does not match the signer certificate',
        );
    }
    pass('signingCertificate');

    // The signature over the DER SET OF signed attributes.
    const sigOk = await verifySignature(
      token.signatureOid,
      digestAlg.node,
      token.signedAttrsForSignature,
      signer.publicKey,
      token.signature,
      options.verifyInline ?? false,
    );
    if (!sigOk)
      throw new Failure(TimeStampSubIndication.SIG_CRYPTO_FAILURE, 'signature', 'signature does not verify');
    pass('signature');

    const usage = signer.timeStampingUsage;
    if (usage)
      throw new Failure(TimeStampSubIndication.NOT_TIMESTAMPING_CERTIFICATE, 'extendedKeyUsage', usage);
    pass('extendedKeyUsage');

    const genTime = token.info.genTime;
    const parts = signer.parts;
    if (genTime < parts.notBefore || genTime > parts.notAfter)
      throw new Failure(
        TimeStampSubIndication.OUT_OF_VALIDITY,
        'validityAtGenTime',
        'genTime is outside the TSA certificate validity',
      );
    pass('validityAtGenTime');

    const at = options.at ?? genTime;
    const chain = await validateChain(signerCert, pool, poolFacts, options.trustAnchors, at);
    info.chain = chain;
    pass('chain', `${chain.length} certificates, checked at ${at.toISOString()}`);
    return { valid: true, indication: 'PASSED', checks, info };
  } catch (e) {
    const f =
      e instanceof Failure
        ? e
        : new Failure(
            TimeStampSubIndication.FORMAT_FAILURE,
            'format',
            `malformed token: ${e instanceof Error ? e.message : String(e)}`,
          );
    checks.push({ name: f.check, passed: false, detail: f.message });
    return {
      valid: false,
      indication: INDETERMINATE.has(f.sub) ? 'INDETERMINATE' : 'FAILED',
      subIndication: f.sub,
      message: f.message,
      checks,
      info,
    };
  }
}

/** What the checks read from a certificate: its TBSCertificate fields, extensions and public key. */
interface CertificateFacts {
  parts: CertificateParts;
  extensions: CertificateExtension[];
  publicKey: KeyObject;
  /** Why the certificate may not sign time-stamp tokens (RFC 3161 §2.3), or undefined when it may. */
  timeStampingUsage: string | undefined;
  /** The certificate's digest with `algorithm` (node:crypto name). */
  digest(algorithm: string): Buffer;
}

/**
 * Certificates already parsed, keyed by their exact DER (base64). Every fact is a pure function of
 * those bytes, so a hit is what parsing them again would give; only the parsing is saved (for a
 * TSA token, X509Certificate alone cost about 200 µs, more than the signature check). Nothing about
 * trust is cached here: every token still has its signature, ESSCertIDv2, EKU, validity and chain
 * checked. The facts are only read, never changed.
 */
const certificateFacts = new Map<string, CertificateFacts>();
const CERTIFICATE_CACHE_LIMIT = 64;

function factsOf(der: Buffer): CertificateFacts {
  const id = der.toString('base64');
  let facts = certificateFacts.get(id);
  if (!facts) {
    let parts: CertificateParts | undefined;
    let extensions: CertificateExtension[] | undefined;
    let publicKey: KeyObject | undefined;
    let usage: { problem: string | undefined } | undefined;
    const digests = new Map<string, Buffer>();
    // Each fact is read when first needed, so a bad certificate fails exactly where it did before.
    facts = {
      get parts() {
        return (parts ??= parseCertificateParts(der));
      },
      get extensions() {
        return (extensions ??= certificateExtensions(der));
      },
      get publicKey() {
        return (publicKey ??= new X509Certificate(der).publicKey);
      },
      get timeStampingUsage() {
        return (usage ??= { problem: timeStampingUsageProblem(this.extensions) }).problem;
      },
      digest(algorithm: string) {
        let d = digests.get(algorithm);
        if (!d) {
          d = hash(algorithm, der, 'buffer');
          digests.set(algorithm, d);
        }
        return d;
      },
    };
    if (certificateFacts.size >= CERTIFICATE_CACHE_LIMIT)
      certificateFacts.delete(certificateFacts.keys().next().value!);
    certificateFacts.set(id, facts);
  }
  return facts;
}

/**
 * RFC 3161 §2.3: exactly one extendedKeyUsage, critical, with id-kp-timeStamping only; keyUsage,
 * when present, allowing digitalSignature (bit 0) or nonRepudiation (bit 1). A pure function of
 * the certificate, so it is worked out once per certificate (see factsOf).
 */
function timeStampingUsageProblem(extensions: CertificateExtension[]): string | undefined {
  const ekus = extensions.filter((e) => e.oid === OID.extKeyUsage);
  const purposes = ekus.length === 1 ? children(readOne(ekus[0].value, Tag.SEQUENCE)).map(oidOf) : [];
  if (ekus.length !== 1 || !ekus[0].critical || purposes.length !== 1 || purposes[0] !== OID.kpTimeStamping)
    return 'the TSA certificate lacks a critical extendedKeyUsage with only id-kp-timeStamping';
  const ku = extensions.find((e) => e.oid === OID.keyUsage);
  if (ku) {
    const bits = readOne(ku.value, Tag.BIT_STRING).content;
    if (bits.length < 2 || !(bits[1] & 0xc0))
      return 'the TSA certificate key usage does not allow signatures';
  }
  return undefined;
}

/**
 * Verifies on libuv's thread pool, so the event loop keeps working while another core checks, or
 * on this thread when the caller says it is alone (`inline`).
 */
function verifySignature(
  sigOid: string,
  digest: string,
  data: Buffer,
  key: KeyObject,
  signature: Buffer,
  inline: boolean,
): Promise<boolean> {
  const ec = [OID.ecdsaWithSha256, OID.ecdsaWithSha384, OID.ecdsaWithSha512, OID.ecPublicKey] as string[];
  const rsa = [OID.rsaEncryption, OID.sha256WithRsa, OID.sha384WithRsa, OID.sha512WithRsa] as string[];
  const check = (k: KeyObject | { key: KeyObject; dsaEncoding: 'der' }) =>
    inline
      ? Promise.resolve(cryptoVerify(digest, data, k, signature))
      : new Promise<boolean>((resolve, reject) =>
          cryptoVerify(digest, data, k, signature, (err, ok) => (err ? reject(err) : resolve(ok))),
        );
  if (ec.includes(sigOid) && key.asymmetricKeyType === 'ec') return check({ key, dsaEncoding: 'der' });
  if (rsa.includes(sigOid) && key.asymmetricKeyType === 'rsa') return check(key);
  throw new Failure(
    TimeStampSubIndication.FORMAT_FAILURE,
    'signature',
    `unsupported signature algorithm ${sigOid}`,
  );
}

interface CachedPath {
  path: Uint8Array[];
  /** The path is valid at any time inside [from, to] (the intersection of its certificates' validity). */
  from: Date;
  to: Date;
}

/**
 * Path validation results, keyed by the certificates and anchors involved. Signatures, names and
 * constraints of a path do not depend on time; only the validity periods do, so a cached path is
 * reused for any `at` inside the common validity window and revalidated otherwise.
 */
const pathCache = new Map<string, CachedPath>();
const PATH_CACHE_LIMIT = 256;

async function validateChain(
  leaf: Buffer,
  pool: Buffer[],
  poolFacts: CertificateFacts[],
  anchors: Uint8Array[],
  at: Date,
): Promise<Uint8Array[]> {
  if (!anchors.length)
    throw new Failure(
      TimeStampSubIndication.NO_CERTIFICATE_CHAIN_FOUND,
      'chain',
      'no trust anchors configured',
    );
  const others = pool.filter((c) => !c.equals(leaf));
  // Key: the digests of the leaf, the other certificates, '|', the anchors.
  const keyParts: Buffer[] = [poolFacts[pool.indexOf(leaf)].digest('sha256')];
  pool.forEach((c, i) => {
    if (!c.equals(leaf)) keyParts.push(poolFacts[i].digest('sha256'));
  });
  keyParts.push(Buffer.from('|'));
  for (const a of anchors)
    keyParts.push(factsOf(Buffer.from(a.buffer, a.byteOffset, a.byteLength)).digest('sha256'));
  const id = hash('sha256', Buffer.concat(keyParts), 'hex');
  const cached = pathCache.get(id);
  if (cached && at >= cached.from && at <= cached.to) return cached.path;

  const toPkijs = (d: Uint8Array) => pkijs.Certificate.fromBER(Buffer.from(d));
  const engine = new pkijs.CertificateChainValidationEngine({
    trustedCerts: anchors.map(toPkijs),
    // pkijs treats the last certificate as the one to validate.
    certs: [...others.map(toPkijs), toPkijs(leaf)],
    checkDate: at,
  });
  const result = await engine.verify();
  if (!result.result)
    throw new Failure(
      TimeStampSubIndication.NO_CERTIFICATE_CHAIN_FOUND,
      'chain',
      `the TSA certificate does not chain to a trust anchor: ${result.resultMessage}`,
    );
  const path = (result.certificatePath ?? []).map((c) => new Uint8Array(c.toSchema().toBER(false)));
  const windows = path.map((c) => parseCertificateParts(c));
  const entry: CachedPath = {
    path,
    from: new Date(Math.max(...windows.map((w) => w.notBefore.getTime()))),
    to: new Date(Math.min(...windows.map((w) => w.notAfter.getTime()))),
  };
  if (pathCache.size >= PATH_CACHE_LIMIT) pathCache.delete(pathCache.keys().next().value!);
  pathCache.set(id, entry);
  return path;
}

// ---------------------------------------------------------------------------------------------

interface ParsedToken {
  info: TimeStampTokenInfo;
  imprintOid: string;
  eContent: Buffer;
  certificates: Buffer[];
  sid: { issuer: Buffer; serial: Buffer } | { ski: Buffer };
  signerDigestOid: string;
  signatureOid: string;
  signature: Buffer;
  signedAttrsForSignature: Buffer;
  attrs: Map<string, string[]>;
  messageDigest?: Buffer;
  essCertIdV2?: { hashOid: string; certHash: Buffer; issuerSerial?: { issuer: Buffer; serial: Buffer } };
}

function parseToken(der: Uint8Array): ParsedToken {
  const ci = children(readOne(Buffer.from(der), Tag.SEQUENCE));
  if (oidOf(expectTag(ci[0], Tag.OID, 'contentType')) !== OID.signedData)
    throw new DerError('not a CMS SignedData');
  const sd = children(
    expectTag(children(expectTag(ci[1], ctx(0), 'content'))[0], Tag.SEQUENCE, 'SignedData'),
  );
  let i = 1; // version
  i++; // digestAlgorithms
  const encap = children(expectTag(sd[i++], Tag.SEQUENCE, 'encapContentInfo'));
  if (oidOf(encap[0]) !== OID.tstInfo) throw new DerError('encapsulated content is not id-ct-TSTInfo');
  const eContent = expectTag(
    children(expectTag(encap[1], ctx(0), 'eContent'))[0],
    Tag.OCTET_STRING,
    'eContent',
  ).content;
  const certificates: Buffer[] = [];
  if (sd[i]?.tag === ctx(0)) {
    for (const c of children(sd[i++])) if (c.tag === Tag.SEQUENCE) certificates.push(Buffer.from(c.raw));
  }
  if (sd[i]?.tag === ctx(1)) i++; // crls
  const signerInfos = children(expectTag(sd[i], Tag.SET, 'signerInfos'));
  if (signerInfos.length !== 1) throw new DerError('a time-stamp token has exactly one SignerInfo');
  const si = children(signerInfos[0]);
  let sid: ParsedToken['sid'];
  if (si[1].tag === Tag.SEQUENCE) {
    const ias = children(si[1]);
    sid = { issuer: Buffer.from(ias[0].raw), serial: Buffer.from(ias[1].raw) };
  } else sid = { ski: Buffer.from(expectTag(si[1], ctx(0, false), 'subjectKeyIdentifier').content) };
  const signerDigestOid = oidOf(children(expectTag(si[2], Tag.SEQUENCE, 'digestAlgorithm'))[0]);
  const signedAttrsNode = expectTag(si[3], ctx(0), 'signedAttrs');
  const signedAttrsForSignature = Buffer.from(signedAttrsNode.raw);
  signedAttrsForSignature[0] = Tag.SET;
  const signatureOid = oidOf(children(expectTag(si[4], Tag.SEQUENCE, 'signatureAlgorithm'))[0]);
  const signature = Buffer.from(expectTag(si[5], Tag.OCTET_STRING, 'signature').content);

  const attrs = new Map<string, string[]>();
  let messageDigest: Buffer | undefined;
  let essCertIdV2: ParsedToken['essCertIdV2'];
  for (const a of children(signedAttrsNode)) {
    const [typeNode, valuesNode] = children(a);
    const type = oidOf(typeNode);
    if (attrs.has(type)) throw new DerError(`duplicate signed attribute ${type}`);
    const values = children(expectTag(valuesNode, Tag.SET, 'attribute values'));
    if (values.length !== 1) throw new DerError(`attribute ${type} must have one value`);
    attrs.set(type, values[0].tag === Tag.OID ? [oidOf(values[0])] : []);
    if (type === OID.messageDigest)
      messageDigest = Buffer.from(expectTag(values[0], Tag.OCTET_STRING, 'messageDigest').content);
    if (type === OID.signingCertificateV2) essCertIdV2 = parseSigningCertificateV2(values[0]);
  }

  const { info, imprintOid } = parseTstInfo(eContent);
  info.certificates = certificates;
  return {
    info,
    imprintOid,
    eContent: Buffer.from(eContent),
    certificates,
    sid,
    signerDigestOid,
    signatureOid,
    signature,
    signedAttrsForSignature,
    attrs,
    messageDigest,
    essCertIdV2,
  };
}

function parseSigningCertificateV2(value: Node): ParsedToken['essCertIdV2'] {
  const certs = children(
    expectTag(children(expectTag(value, Tag.SEQUENCE, 'SigningCertificateV2'))[0], Tag.SEQUENCE, 'certs'),
  );
  const first = children(expectTag(certs[0], Tag.SEQUENCE, 'ESSCertIDv2'));
  let j = 0;
  let hashOid: string = OID.sha256; // DEFAULT id-sha256
  if (first[j].tag === Tag.SEQUENCE) hashOid = oidOf(children(first[j++])[0]);
  const certHash = Buffer.from(expectTag(first[j++], Tag.OCTET_STRING, 'certHash').content);
  let issuerSerial: { issuer: Buffer; serial: Buffer } | undefined;
  if (first[j]) {
    const is = children(expectTag(first[j], Tag.SEQUENCE, 'issuerSerial'));
    const names = children(expectTag(is[0], Tag.SEQUENCE, 'GeneralNames'));
    const dir = names.find((n) => n.tag === ctx(4));
    if (!dir) throw new DerError('issuerSerial without a directoryName');
    issuerSerial = { issuer: Buffer.from(children(dir)[0].raw), serial: Buffer.from(is[1].raw) };
  }
  return { hashOid, certHash, issuerSerial };
}

function parseTstInfo(der: Buffer): { info: TimeStampTokenInfo; imprintOid: string } {
  const f = children(readOne(der, Tag.SEQUENCE));
  if (readInteger(expectTag(f[0], Tag.INTEGER, 'version')) !== 1n)
    throw new DerError('TSTInfo version must be 1');
  const policy = oidOf(expectTag(f[1], Tag.OID, 'policy'));
  const [alg, hashed] = children(expectTag(f[2], Tag.SEQUENCE, 'messageImprint'));
  const imprintOid = oidOf(children(alg)[0]);
  const serialNumber = readInteger(expectTag(f[3], Tag.INTEGER, 'serialNumber')).toString();
  const genTime = parseGeneralizedTime(
    expectTag(f[4], Tag.GENERALIZED_TIME, 'genTime').content.toString('latin1'),
  );
  const info: TimeStampTokenInfo = {
    genTime,
    serialNumber,
    policy,
    hashAlgorithm: hashByOid(imprintOid)?.name ?? imprintOid,
    hashedMessage: Buffer.from(expectTag(hashed, Tag.OCTET_STRING, 'hashedMessage').content),
    certificates: [],
  };
  let i = 5;
  if (f[i]?.tag === Tag.SEQUENCE) {
    const acc = { seconds: 0, millis: 0, micros: 0 };
    for (const a of children(f[i++])) {
      const v = Number(readIntegerLoose(a));
      if (a.tag === Tag.INTEGER) acc.seconds = v;
      else if (a.tag === ctx(0, false)) acc.millis = v;
      else if (a.tag === ctx(1, false)) acc.micros = v;
    }
    info.accuracy = acc;
  }
  if (f[i]?.tag === Tag.BOOLEAN) readBoolean(f[i++]);
  if (f[i]?.tag === Tag.INTEGER) {
    const c = f[i++].content;
    info.nonce = BigInt.asIntN(c.length * 8, BigInt(`0x${c.toString('hex')}`));
  }
  return { info, imprintOid };
}

function readIntegerLoose(n: Node): bigint {
  return readInteger({ ...n, tag: Tag.INTEGER });
}

/** GeneralizedTime as RFC 3161 §2.4.2 allows it: YYYYMMDDhhmmss[.s…]Z. */
export function parseGeneralizedTime(s: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d{1,9}))?Z$/.exec(s);
  if (!m) throw new DerError(`bad GeneralizedTime ${s}`);
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], ms));
}

/**
 * readOid with its answers kept: the same dozen OIDs appear in every token, and decoding one is a
 * loop of BigInt arithmetic. Keyed by the exact content octets; anything readOid refuses is never
 * kept, so it is refused again every time.
 */
const oidTexts = new Map<string, string>();
const OID_TEXT_LIMIT = 256;

function oidOf(n: Node): string {
  if (n.tag !== Tag.OID) return readOid(n);
  const k = n.content.toString('latin1');
  let text = oidTexts.get(k);
  if (text === undefined) {
    text = readOid(n);
    if (oidTexts.size < OID_TEXT_LIMIT) oidTexts.set(k, text);
  }
  return text;
}

function matchesSid(cert: CertificateFacts, sid: ParsedToken['sid']): boolean {
  if ('ski' in sid) {
    const ext = cert.extensions.find((e) => e.oid === OID.subjectKeyIdentifier);
    return ext ? readOne(ext.value, Tag.OCTET_STRING).content.equals(sid.ski) : false;
  }
  const p = cert.parts;
  return p.serial.equals(sid.serial) && p.issuer.equals(sid.issuer);
}

function dedupe(certs: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  for (const c of certs) if (!out.some((o) => o.equals(c))) out.push(c);
  return out;
}
