import * as asn1js from 'asn1js';
import { createHash, KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';
import { der } from './der';
import { DIGEST_BY_OID, OID } from './oids';
import { REVOCATION_REASONS, RevocationReason } from './revocation-reason';
import { signatureSpecFor, signBytes } from './x509';

/** RFC 6960 §4.2.1 OCSPResponseStatus. */
export const OcspResponseStatus = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;

export type CertStatus =
  | { status: 'good' }
  | { status: 'revoked'; revokedAt: Date; reason: RevocationReason }
  | { status: 'unknown' };

/** One of our CAs as seen by the responder: who issued the asked-about certificates, who signs. */
export interface OcspAuthority {
  name: string;
  /** The CA certificate whose name/key hashes identify the issuer in a CertID. */
  issuer: pkijs.Certificate;
  /** The key and certificate that sign responses (the CA itself, or a delegated responder). */
  signer: {
    key: KeyObject;
    certificate: pkijs.Certificate;
    /** DER certificates put into the response so relying parties can build the responder's path. */
    certificates: Uint8Array[];
  };
}

export interface ParsedOcspRequest {
  items: { certId: pkijs.CertID; serialHex: string; authority?: OcspAuthority }[];
  nonce?: Uint8Array;
}

export class MalformedOcspRequest extends Error {}

/** Parses a DER OCSPRequest and matches each CertID to one of our CAs (SHA-1 or SHA-2 CertIDs). */
export function parseOcspRequest(der: Uint8Array, authorities: OcspAuthority[]): ParsedOcspRequest {
  let req: pkijs.OCSPRequest;
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset === -1 || asn.offset !== der.byteLength) throw new Error('bad DER');
    req = new pkijs.OCSPRequest({ schema: asn.result });
  } catch {
    throw new MalformedOcspRequest('not a DER OCSPRequest');
  }
  const list = req.tbsRequest.requestList;
  if (!list || list.length === 0 || list.length > 50)
    throw new MalformedOcspRequest('no or too many requests');
  const items = list.map((r) => {
    const certId = r.reqCert;
    const digest = DIGEST_BY_OID[certId.hashAlgorithm.algorithmId];
    const serialHex = Buffer.from(certId.serialNumber.valueBlock.valueHexView).toString('hex');
    if (!digest) return { certId, serialHex };
    const nameHash = Buffer.from(certId.issuerNameHash.valueBlock.valueHexView);
    const keyHash = Buffer.from(certId.issuerKeyHash.valueBlock.valueHexView);
    const authority = authorities.find((a) => {
      const { name, key } = issuerHashes(a.issuer, digest);
      return name.equals(nameHash) && key.equals(keyHash);
    });
    return { certId, serialHex: serialHex.replace(/^(00)+(?=.)/, ''), authority };
  });
  const nonceExt = req.tbsRequest.requestExtensions?.find((e) => e.extnID === OID.ocspNonce);
  let nonce: Uint8Array | undefined;
  if (nonceExt) {
    nonce = new Uint8Array(nonceExt.extnValue.valueBlock.valueHexView);
    // RFC 8954 §2.1: a nonce is 1..32 octets.
    if (nonce.byteLength < 3 || nonce.byteLength > 34)
      throw new MalformedOcspRequest('nonce length out of range');
  }
  return { items, nonce };
}

export function issuerHashes(issuer: pkijs.Certificate, digest: string): { name: Buffer; key: Buffer } {
  const name = createHash(digest)
    .update(Buffer.from(issuer.subject.toSchema().toBER(false)))
    .digest();
  const key = createHash(digest)
    .update(Buffer.from(issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView))
    .digest();
  return { name, key };
}

/** An unsigned OCSPResponse carrying only an error status (RFC 6960 §2.3). */
export function ocspErrorResponse(status: Exclude<keyof typeof OcspResponseStatus, 'successful'>): Buffer {
  const res = new pkijs.OCSPResponse({
    responseStatus: new asn1js.Enumerated({ value: OcspResponseStatus[status] }),
  });
  return Buffer.from(res.toSchema().toBER(false));
}

/**
 * Builds and signs a BasicOCSPResponse. The nonce extension echoes the request's (RFC 8954);
 * responderID is byKey; thisUpdate = now, nextUpdate = the issuer's next CRL update.
 */
export function buildOcspResponse(input: {
  signer: OcspAuthority['signer'];
  producedAt: Date;
  nextUpdate?: Date;
  nonce?: Uint8Array;
  answers: { certId: pkijs.CertID; status: CertStatus }[];
}): Buffer {
  const signerKeyHash = createHash('sha1')
    .update(
      Buffer.from(input.signer.certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView),
    )
    .digest();
  const data = new pkijs.ResponseData();
  data.responderID = new asn1js.OctetString({ valueHex: signerKeyHash });
  data.producedAt = input.producedAt;
  data.responses = input.answers.map(
    (a) =>
      new pkijs.SingleResponse({
        certID: a.certId,
        certStatus: certStatusAsn1(a.status),
        thisUpdate: input.producedAt,
        nextUpdate: input.nextUpdate,
      }),
  );
  if (input.nonce) {
    // `nonce` is the request extension's extnValue content: echo it byte for byte (RFC 8954 §2.1).
    data.responseExtensions = [
      new pkijs.Extension({ extnID: OID.ocspNonce, critical: false, extnValue: input.nonce.slice().buffer }),
    ];
  }
  const sig = signatureSpecFor(input.signer.key);
  const tbs = Buffer.from((data.toSchema(true) as asn1js.Sequence).toBER(false));
  const signature = signBytes(input.signer.key, sig, tbs);
  // Assembled from DER parts: re-encoding parsed certificates through pkijs costs ~1 ms each,
  // which dominated the responder's time (bench/pki.bench.ts).
  const basic = der(0x30, [
    tbs,
    Buffer.from(sig.algorithm.toSchema().toBER(false)),
    Buffer.from(new asn1js.BitString({ valueHex: signature }).toBER(false)),
    ...(input.signer.certificates.length
      ? [
          der(0xa0, [
            der(
              0x30,
              input.signer.certificates.map((c) => Buffer.from(c)),
            ),
          ]),
        ]
      : []),
  ]);
  return der(0x30, [
    Buffer.from(new asn1js.Enumerated({ value: OcspResponseStatus.successful }).toBER(false)),
    der(0xa0, [
      der(0x30, [
        Buffer.from(new asn1js.ObjectIdentifier({ value: OID.ocspBasic }).toBER(false)),
        der(0x04, [basic]),
      ]),
    ]),
  ]);
}

function certStatusAsn1(s: CertStatus): asn1js.BaseBlock {
  switch (s.status) {
    case 'good':
      return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
    case 'unknown':
      return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 2 } });
    case 'revoked': {
      const value: asn1js.BaseBlock[] = [new asn1js.GeneralizedTime({ valueDate: s.revokedAt })];
      if (s.reason !== 'unspecified') {
        value.push(
          new asn1js.Constructed({
            idBlock: { tagClass: 3, tagNumber: 0 },
            value: [new asn1js.Enumerated({ value: REVOCATION_REASONS[s.reason] })],
          }),
        );
      }
      return new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 1 }, value });
    }
  }
}
