import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from './oids';
import { REVOCATION_REASONS, RevocationReason } from './revocation-reason';
import { CaIssuer } from './certificate-profiles';
import { der, derIntegerHex, derTime } from './der';
import { extension, keyIdentifier, signatureSpecFor, signBytes } from './x509';

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
  const sig = signatureSpecFor(input.issuer.key);
  const algorithm = Buffer.from(sig.algorithm.toSchema().toBER(false));
  const issuerSpki = input.issuer.certificate.subjectPublicKeyInfo.toSchema().toBER(false);
  const crlExtensions = new pkijs.Extensions({
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
  // Entries are written as DER directly: through pkijs objects a 10,000-entry CRL took seconds,
  // inside the revocation's transaction.
  const reasonExtension = new Map<RevocationReason, Buffer>();
  const entryExtensions = (reason: RevocationReason): Buffer[] => {
    if (reason === 'unspecified') return []; // RFC 5280 §5.3.1: omit rather than unspecified
    let ext = reasonExtension.get(reason);
    if (!ext) {
      ext = Buffer.from(
        new pkijs.Extensions({
          extensions: [
            extension(OID.crlReason, false, new asn1js.Enumerated({ value: REVOCATION_REASONS[reason] })),
          ],
        })
          .toSchema()
          .toBER(false),
      );
      reasonExtension.set(reason, ext);
    }
    return [ext];
  };
  const tbs = der(0x30, [
    derIntegerHex('01'), // v2
    algorithm,
    Buffer.from(input.issuer.certificate.subject.toSchema().toBER(false)),
    derTime(input.thisUpdate),
    derTime(input.nextUpdate),
    ...(input.revoked.length
      ? [
          der(
            0x30,
            input.revoked.map((r) =>
              der(0x30, [derIntegerHex(r.serialHex), derTime(r.revokedAt), ...entryExtensions(r.reason)]),
            ),
          ),
        ]
      : []),
    der(0xa0, [Buffer.from(crlExtensions.toSchema().toBER(false))]),
  ]);
  const signature = signBytes(input.issuer.key, sig, tbs);
  return der(0x30, [tbs, algorithm, Buffer.from(new asn1js.BitString({ valueHex: signature }).toBER(false))]);
}
