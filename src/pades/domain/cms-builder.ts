import { createHash } from 'node:crypto';
import { algorithmId, ctx, oid, octetString, seq, setOf, tlv, Tag } from '../../tsa/domain/der';
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
 * copied as they are (never re-encoded) and building costs far less than the signature itself.
 */
export class CmsSignatureBuilder {
  private readonly signedAttributes: Buffer[];
  readonly toBeSigned: Uint8Array;

  constructor(
    private readonly signer: CmsSigner,
    messageDigest: Uint8Array,
    private readonly options: {
      contentType?: string;
      content?: Uint8Array;
      extraCertificates?: Uint8Array[];
    } = {},
  ) {
    this.signedAttributes = [
      attribute(OID.contentType, oid(options.contentType ?? OID.data)),
      attribute(OID.messageDigest, octetString(messageDigest)),
      attribute(OID.signingCertificateV2, signingCertificateV2(signer.certificate, 'sha256')),
    ];
    // RFC 5652 §5.4: the signature covers the DER of the attributes with an EXPLICIT SET OF tag;
    // DER sorts SET OF (X.690 §11.6), and OpenSSL re-encodes before checking.
    this.toBeSigned = setOf(...this.signedAttributes);
  }

  /** The ContentInfo DER with the given signature value and unsigned attributes (DER each). */
  assemble(signature: Uint8Array, unsignedAttributes: Uint8Array[] = []): Uint8Array {
    const leaf = parseCertificateParts(this.signer.certificate);
    const seen = new Set<string>();
    const certificates: Uint8Array[] = [];
    for (const c of [
      this.signer.certificate,
      ...this.signer.chain,
      ...(this.options.extraCertificates ?? []),
    ]) {
      const key = createHash('sha256').update(c).digest('hex');
      if (seen.has(key)) continue;
      seen.add(key);
      certificates.push(c);
    }
    const digestAlgorithm = algorithmId(DIGEST_OIDS[this.signer.digestAlgorithm]);
    const signerInfo = seq(
      tlv(Tag.INTEGER, Buffer.from([1])),
      seq(leaf.issuer, leaf.serial), // IssuerAndSerialNumber
      digestAlgorithm,
      setOfTagged(ctx(0), this.signedAttributes), // [0] IMPLICIT SignedAttributes
      this.signer.signatureAlgorithm(),
      octetString(signature),
      ...(unsignedAttributes.length ? [setOfTagged(ctx(1), unsignedAttributes)] : []),
    );
    const contentType = this.options.contentType ?? OID.data;
    const encap = this.options.content
      ? seq(oid(contentType), tlv(ctx(0), octetString(this.options.content)))
      : seq(oid(contentType));
    const signedData = seq(
      // RFC 5652 §5.1: version 3 when eContentType is not id-data, otherwise 1.
      tlv(Tag.INTEGER, Buffer.from([contentType === OID.data ? 1 : 3])),
      setOf(digestAlgorithm),
      encap,
      // CertificateSet is a SET OF, but its order carries the chain for readers; copied raw.
      tlv(ctx(0), ...certificates),
      setOf(signerInfo),
    );
    return seq(oid(OID.signedData), tlv(ctx(0), signedData));
  }

  /** Signs and assembles in one step (used when no sizing pass is needed). */
  async sign(unsignedAttributes: Uint8Array[] = []): Promise<{ der: Uint8Array; signature: Uint8Array }> {
    const signature = await this.signer.sign(this.toBeSigned);
    return { der: this.assemble(signature, unsignedAttributes), signature };
  }
}

function attribute(type: string, ...values: Uint8Array[]): Buffer {
  return seq(oid(type), setOf(...values));
}

/** A SET OF with an IMPLICIT context tag (sorted like any DER SET OF). */
function setOfTagged(tag: number, items: Uint8Array[]): Buffer {
  const set = setOf(...items);
  set[0] = tag;
  return set;
}

/** SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 } (RFC 5035 §3). */
export function signingCertificateV2(certDer: Uint8Array, hash: DigestAlgorithm): Buffer {
  const cert = parseCertificateParts(certDer);
  const parts: Uint8Array[] = [];
  // DER: hashAlgorithm DEFAULT id-sha256 must be omitted when it is SHA-256.
  if (hash !== 'sha256') parts.push(algorithmId(DIGEST_OIDS[hash]));
  parts.push(octetString(createHash(hash).update(certDer).digest()));
  // IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber } with directoryName [4].
  parts.push(seq(seq(tlv(ctx(4), cert.issuer)), cert.serial));
  return seq(seq(seq(...parts)));
}

/** The signature-time-stamp unsigned attribute (RFC 3161 Appendix A) holding a token. */
export function signatureTimeStampAttribute(tokenDer: Uint8Array): Buffer {
  return attribute(OID.signatureTimeStamp, tokenDer);
}
