import * as asn1js from 'asn1js';
import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import { certificateFromDer, der, parseDer, toArrayBuffer } from './asn1.util';
import { DIGEST_OIDS, DigestAlgorithm, OID } from './oids';
import type { CmsSigner } from './signer';

/**
 * Assembles a detached CMS SignedData (RFC 5652) for PAdES baseline signatures
 * (ETSI EN 319 142-1 §6.3, EN 319 122-1 §5.2): exactly one SignerInfo; signed attributes
 * content-type, message-digest and signing-certificate-v2 (ESS, RFC 5035), and deliberately NO
 * signing-time (PAdES puts the claimed time in the signature dictionary's /M).
 *
 * The build is staged so the caller can size the /Contents placeholder before signing:
 * `toBeSigned()` gives the DER the key signs, `assemble(signature, unsigned)` the final bytes.
 */
export class CmsSignatureBuilder {
  private readonly attributes: pkijs.Attribute[];
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
    this.attributes = sortSetOf([
      new pkijs.Attribute({
        type: OID.contentType,
        values: [new asn1js.ObjectIdentifier({ value: options.contentType ?? OID.data })],
      }),
      new pkijs.Attribute({
        type: OID.messageDigest,
        values: [new asn1js.OctetString({ valueHex: toArrayBuffer(messageDigest) })],
      }),
      new pkijs.Attribute({
        type: OID.signingCertificateV2,
        values: [signingCertificateV2(signer.certificate, 'sha256')],
      }),
    ]);
    // RFC 5652 §5.4: the signature covers the DER of the attributes with an EXPLICIT SET OF tag.
    this.toBeSigned = new Uint8Array(
      new asn1js.Set({ value: this.attributes.map((a) => a.toSchema()) }).toBER(false),
    );
  }

  /** The ContentInfo DER with the given signature value and unsigned attributes. */
  assemble(signature: Uint8Array, unsignedAttributes: pkijs.Attribute[] = []): Uint8Array {
    const leaf = certificateFromDer(this.signer.certificate);
    const certs = [this.signer.certificate, ...this.signer.chain, ...(this.options.extraCertificates ?? [])];
    const seen = new Set<string>();
    const certificates: pkijs.Certificate[] = [];
    for (const c of certs) {
      const key = Buffer.from(c).toString('base64');
      if (seen.has(key)) continue;
      seen.add(key);
      certificates.push(certificateFromDer(c));
    }
    const digestAlgorithm = new pkijs.AlgorithmIdentifier({
      algorithmId: DIGEST_OIDS[this.signer.digestAlgorithm],
    });
    const signerInfo = new pkijs.SignerInfo({
      version: 1,
      sid: new pkijs.IssuerAndSerialNumber({ issuer: leaf.issuer, serialNumber: leaf.serialNumber }),
      digestAlgorithm,
      signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: this.attributes }),
      signatureAlgorithm: this.signer.signatureAlgorithm(),
      signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signature) }),
    });
    if (unsignedAttributes.length)
      signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
        type: 1,
        attributes: sortSetOf(unsignedAttributes),
      });
    const encap = new pkijs.EncapsulatedContentInfo({ eContentType: this.options.contentType ?? OID.data });
    if (this.options.content)
      encap.eContent = new asn1js.OctetString({ valueHex: toArrayBuffer(this.options.content) });
    const signedData = new pkijs.SignedData({
      // RFC 5652 §5.1: version 3 when eContentType is not id-data, otherwise 1.
      version: (this.options.contentType ?? OID.data) === OID.data ? 1 : 3,
      digestAlgorithms: [digestAlgorithm],
      encapContentInfo: encap,
      certificates,
      signerInfos: [signerInfo],
    });
    const contentInfo = new pkijs.ContentInfo({
      contentType: OID.signedData,
      content: signedData.toSchema(true),
    });
    return der(contentInfo);
  }

  /** Signs and assembles in one step (used when no sizing pass is needed). */
  async sign(
    unsignedAttributes: pkijs.Attribute[] = [],
  ): Promise<{ der: Uint8Array; signature: Uint8Array }> {
    const signature = await this.signer.sign(this.toBeSigned);
    return { der: this.assemble(signature, unsignedAttributes), signature };
  }
}

/** SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 } (RFC 5035 §3). */
export function signingCertificateV2(certDer: Uint8Array, hash: DigestAlgorithm): asn1js.Sequence {
  const cert = certificateFromDer(certDer);
  const essCertId: asn1js.AsnType[] = [];
  // DER: hashAlgorithm DEFAULT id-sha256 must be omitted when it is SHA-256.
  if (hash !== 'sha256')
    essCertId.push(new pkijs.AlgorithmIdentifier({ algorithmId: DIGEST_OIDS[hash] }).toSchema());
  essCertId.push(
    new asn1js.OctetString({ valueHex: toArrayBuffer(createHash(hash).update(certDer).digest()) }),
  );
  // IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber } with directoryName [4].
  essCertId.push(
    new asn1js.Sequence({
      value: [
        new asn1js.Sequence({
          value: [
            new asn1js.Constructed({
              idBlock: { tagClass: 3, tagNumber: 4 },
              value: [cert.issuer.toSchema()],
            }),
          ],
        }),
        cert.serialNumber,
      ],
    }),
  );
  return new asn1js.Sequence({
    value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: essCertId })] })],
  });
}

/** The signature-time-stamp unsigned attribute (RFC 3161 Appendix A) holding a token. */
export function signatureTimeStampAttribute(tokenDer: Uint8Array): pkijs.Attribute {
  return new pkijs.Attribute({
    type: OID.signatureTimeStamp,
    values: [parseDer(tokenDer, 'timestamp token')],
  });
}

/**
 * DER requires SET OF elements in ascending order of their encodings (X.690 §11.6); OpenSSL
 * re-encodes signed attributes before checking, so an unsorted set would fail there.
 */
function sortSetOf(attrs: pkijs.Attribute[]): pkijs.Attribute[] {
  return attrs
    .map((a) => ({ a, enc: Buffer.from(a.toSchema().toBER(false)) }))
    .sort((x, y) => Buffer.compare(x.enc, y.enc))
    .map((x) => x.a);
}
