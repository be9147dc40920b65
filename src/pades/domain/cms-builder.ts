import { hash as digestOf } from 'node:crypto';
import { type DerTree, Tag, algorithmId, ctx, encode, node, oid } from '../../tsa/domain/der';
import { parseCertificateParts } from '../../tsa/domain/tst-signer';
import { DIGEST_OIDS, DigestAlgorithm, OID } from './oids';
import type { CmsSigner } from './signer';

/**
 * Assembles a detached CMS SignedData (RFC 5652) for PAdES baseline signatures
 * (ETSI EN 319 142-1 §6.3, EN 319 122-1 §5.2): exactly one SignerInfo; signed attributes
 * content-type, message-digest and signing-certificate-v2 (ESS, RFC 5035), and deliberately NO
 * signing-time (PAdES puts the claimed time in the signature dictionary's /M).
 *
 * The build is staged so the caller can size the /Contents placeholder before signing:
 * `toBeSigned` is the DER the key signs, `assemble(signature, unsigned)` the final bytes.
 * Written with the TSA module's small DER writer rather than pkijs objects: certificates are
 * copied as they are (never re-encoded), each part is encoded once per signer (`withDigest` reuses
 * them for the real digest after a sizing probe) and the SignedData is written in one allocation,
 * so building costs far less than the signature itself.
 */
export class CmsSignatureBuilder {
  private readonly signedAttributes: Buffer[];
  readonly toBeSigned: Uint8Array;
  private readonly parts: SignerParts;

  constructor(
    private readonly signer: CmsSigner,
    messageDigest: Uint8Array,
    private readonly options: {
      contentType?: string;
      content?: Uint8Array;
      extraCertificates?: Uint8Array[];
    } = {},
    /** Internal: the parts another builder of the same signer and options already encoded. */
    parts?: SignerParts,
  ) {
    this.parts = parts ?? signerParts(signer, options.extraCertificates ?? []);
    this.signedAttributes = [
      attribute(OID.contentType, oidDer(options.contentType ?? OID.data)),
      attribute(OID.messageDigest, encode(node(Tag.OCTET_STRING, messageDigest))),
      this.parts.signingCertificateAttribute,
    ];
    // RFC 5652 §5.4: the signature covers the DER of the attributes with an EXPLICIT SET OF tag;
    // DER sorts SET OF (X.690 §11.6), and OpenSSL re-encodes before checking.
    this.signedAttributes.sort(Buffer.compare);
    this.toBeSigned = encode(node(Tag.SET, ...this.signedAttributes));
  }

  /** The same signer, options and certificates over another digest (nothing parsed again). */
  withDigest(messageDigest: Uint8Array): CmsSignatureBuilder {
    return new CmsSignatureBuilder(this.signer, messageDigest, this.options, this.parts);
  }

  /** The ContentInfo DER with the given signature value and unsigned attributes (DER each). */
  assemble(signature: Uint8Array, unsignedAttributes: Uint8Array[] = []): Uint8Array {
    const p = this.parts;
    const signerInfo = node(
      Tag.SEQUENCE,
      VERSION_1,
      p.issuerAndSerial,
      p.digestAlgorithm,
      node(ctx(0), ...this.signedAttributes), // [0] IMPLICIT SignedAttributes (already sorted)
      p.signatureAlgorithm,
      node(Tag.OCTET_STRING, signature),
      ...(unsignedAttributes.length ? [node(ctx(1), ...sortedCopies(unsignedAttributes))] : []),
    );
    const contentType = this.options.contentType ?? OID.data;
    const encap = this.options.content
      ? node(Tag.SEQUENCE, oidDer(contentType), node(ctx(0), node(Tag.OCTET_STRING, this.options.content)))
      : node(Tag.SEQUENCE, oidDer(contentType));
    const signedData = node(
      Tag.SEQUENCE,
      // RFC 5652 §5.1: version 3 when eContentType is not id-data, otherwise 1.
      contentType === OID.data ? VERSION_1 : VERSION_3,
      node(Tag.SET, p.digestAlgorithm),
      encap,
      // CertificateSet is a SET OF, but its order carries the chain for readers; copied raw.
      node(ctx(0), ...p.certificates),
      node(Tag.SET, signerInfo),
    );
    return encode(node(Tag.SEQUENCE, oidDer(OID.signedData), node(ctx(0), signedData)));
  }

  /** Signs and assembles in one step (used when no sizing pass is needed). */
  async sign(unsignedAttributes: Uint8Array[] = []): Promise<{ der: Uint8Array; signature: Uint8Array }> {
    const signature = await this.signer.sign(this.toBeSigned);
    return { der: this.assemble(signature, unsignedAttributes), signature };
  }
}

/** What a SignerInfo takes from its signer, encoded once. */
export interface SignerParts {
  issuerAndSerial: DerTree;
  digestAlgorithm: Buffer;
  signatureAlgorithm: Uint8Array;
  signingCertificateAttribute: Buffer;
  /** The signer's certificate, its chain and the extra ones, each once, in that order. */
  certificates: Uint8Array[];
}

function signerParts(signer: CmsSigner, extra: Uint8Array[]): SignerParts {
  const leaf = parseCertificateParts(signer.certificate);
  const certificates: Uint8Array[] = [];
  for (const c of [signer.certificate, ...signer.chain, ...extra]) {
    // Same bytes, same certificate: a handful of certificates, compared directly.
    if (!certificates.some((k) => bytesEqual(k, c))) certificates.push(c);
  }
  return {
    issuerAndSerial: node(Tag.SEQUENCE, leaf.issuer, leaf.serial),
    digestAlgorithm: encode(node(Tag.SEQUENCE, oidDer(DIGEST_OIDS[signer.digestAlgorithm]))), // absent parameters
    signatureAlgorithm: signer.signatureAlgorithm(),
    signingCertificateAttribute: attribute(
      OID.signingCertificateV2,
      essSigningCertificate(signer.certificate, leaf, 'sha256'),
    ),
    certificates,
  };
}

const VERSION_1 = Buffer.from([Tag.INTEGER, 1, 1]);
const VERSION_3 = Buffer.from([Tag.INTEGER, 1, 3]);

/** OID encodings of the handful of constants this module writes, encoded once each. */
const oidCache = new Map<string, Buffer>();
function oidDer(dotted: string): Buffer {
  let der = oidCache.get(dotted);
  if (!der) {
    der = oid(dotted);
    if (oidCache.size < 64) oidCache.set(dotted, der);
  }
  return der;
}

function attribute(type: string, value: Uint8Array): Buffer {
  return encode(node(Tag.SEQUENCE, oidDer(type), node(Tag.SET, value)));
}

/** The items of a DER SET OF in sorted order (X.690 §11.6), leaving the caller's array as it is. */
function sortedCopies(items: Uint8Array[]): Buffer[] {
  return items.map((i) => Buffer.from(i.buffer, i.byteOffset, i.byteLength)).sort(Buffer.compare);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 } (RFC 5035 §3). */
export function signingCertificateV2(certDer: Uint8Array, hash: DigestAlgorithm): Buffer {
  return essSigningCertificate(certDer, parseCertificateParts(certDer), hash);
}

function essSigningCertificate(
  certDer: Uint8Array,
  cert: { issuer: Uint8Array; serial: Uint8Array },
  hash: DigestAlgorithm,
): Buffer {
  const parts: Uint8Array[] = [];
  // DER: hashAlgorithm DEFAULT id-sha256 must be omitted when it is SHA-256.
  if (hash !== 'sha256') parts.push(algorithmId(DIGEST_OIDS[hash]));
  parts.push(encode(node(Tag.OCTET_STRING, digestOf(hash, certDer, 'buffer'))));
  // IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber } with directoryName [4].
  parts.push(encode(node(Tag.SEQUENCE, node(Tag.SEQUENCE, node(ctx(4), cert.issuer)), cert.serial)));
  return encode(node(Tag.SEQUENCE, node(Tag.SEQUENCE, node(Tag.SEQUENCE, ...parts))));
}

/** The signature-time-stamp unsigned attribute (RFC 3161 Appendix A) holding a token. */
export function signatureTimeStampAttribute(tokenDer: Uint8Array): Buffer {
  return attribute(OID.signatureTimeStamp, tokenDer);
}
