import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from './oids';
import { REVOCATION_REASONS, RevocationReason } from './revocation-reason';
import { CaIssuer } from './certificate-profiles';
import { extension, keyIdentifier, signatureSpecFor, signBytes, x509Time } from './x509';

export interface RevokedEntry {
  serialHex: string;
  revokedAt: Date;
  reason: RevocationReason;
}

/**
 * A complete v2 CRL (RFC 5280 §5): AKI and a monotonically increasing cRLNumber; each entry carries
 * its reasonCode unless `unspecified` (§5.3.1). Revoked certificates stay on the CRL after expiry:
 * the archive validates old signatures against the revocation time (EC-13).
 */
export function buildCrl(input: {
  issuer: CaIssuer;
  crlNumber: number;
  thisUpdate: Date;
  nextUpdate: Date;
  revoked: RevokedEntry[];
}): Buffer {
  const crl = new pkijs.CertificateRevocationList();
  crl.version = 1;
  crl.issuer = input.issuer.certificate.subject;
  crl.thisUpdate = x509Time(input.thisUpdate);
  crl.nextUpdate = x509Time(input.nextUpdate);
  if (input.revoked.length > 0) {
    crl.revokedCertificates = input.revoked.map(
      (r) =>
        new pkijs.RevokedCertificate({
          userCertificate: new asn1js.Integer({ valueHex: Buffer.from(r.serialHex, 'hex') }),
          revocationDate: x509Time(r.revokedAt),
          crlEntryExtensions:
            r.reason === 'unspecified'
              ? undefined
              : new pkijs.Extensions({
                  extensions: [
                    extension(
                      OID.crlReason,
                      false,
                      new asn1js.Enumerated({ value: REVOCATION_REASONS[r.reason] }),
                    ),
                  ],
                }),
        }),
    );
  }
  const issuerSpki = input.issuer.certificate.subjectPublicKeyInfo.toSchema().toBER(false);
  crl.crlExtensions = new pkijs.Extensions({
    extensions: [
      extension(
        OID.authorityKeyIdentifier,
        false,
        new pkijs.AuthorityKeyIdentifier({
          keyIdentifier: new asn1js.OctetString({ valueHex: keyIdentifier(new Uint8Array(issuerSpki)) }),
        }),
      ),
      extension(OID.crlNumber, false, new asn1js.Integer({ value: input.crlNumber })),
    ],
  });
  const sig = signatureSpecFor(input.issuer.key);
  crl.signature = sig.algorithm;
  crl.signatureAlgorithm = sig.algorithm;
  // encodeTBS is protected in pkijs' typings; it is what CertificateRevocationList.sign uses.
  const tbs = (crl as unknown as { encodeTBS(): asn1js.Sequence }).encodeTBS().toBER(false);
  crl.signatureValue = new asn1js.BitString({
    valueHex: signBytes(input.issuer.key, sig, new Uint8Array(tbs)),
  });
  return Buffer.from((crl.toSchema(true) as asn1js.Sequence).toBER(false));
}
