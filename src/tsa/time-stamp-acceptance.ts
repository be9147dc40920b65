import { hashByName } from './domain/oids';
import { TimeStampVerification, verifyTimeStampToken } from './domain/verify-time-stamp-token';
import { TimeStampRejectedError, TimeStampRequestInput, TimeStampToken } from './time-stamper';

export interface TsaTrust {
  /** Trusted roots (DER). */
  anchors: Uint8Array[];
  /** Further certificates (DER): intermediates, the TSA certificate when certReq is false. */
  certificates: Uint8Array[];
}

/**
 * The checks every adapter runs before handing a token to its caller (pyHanko's rule: always check
 * status and nonce): imprint, nonce, signature, ESSCertIDv2, critical timeStamping EKU, genTime in
 * the certificate's validity, chain to a configured anchor. `verifyInline`: see
 * VerifyTimeStampOptions (where the signature is checked, never whether).
 */
export async function acceptToken(
  tokenDer: Uint8Array,
  input: TimeStampRequestInput,
  nonce: bigint,
  trust: TsaTrust,
  options: { verifyInline?: boolean } = {},
): Promise<TimeStampToken> {
  hashByName(input.hashAlgorithm);
  const v: TimeStampVerification = await verifyTimeStampToken(tokenDer, {
    digest: input.digest,
    hashAlgorithm: input.hashAlgorithm,
    trustAnchors: trust.anchors,
    certificates: trust.certificates,
    nonce,
    verifyInline: options.verifyInline,
  });
  if (!v.valid || !v.info)
    throw new TimeStampRejectedError(
      `time-stamp token refused: ${v.message ?? 'invalid'}`,
      v.subIndication ?? 'FORMAT_FAILURE',
    );
  if (input.policy && v.info.policy !== input.policy)
    throw new TimeStampRejectedError(
      `time-stamp token has policy ${v.info.policy}, asked for ${input.policy}`,
      'POLICY_MISMATCH',
    );
  return {
    der: new Uint8Array(tokenDer),
    genTime: v.info.genTime,
    serialNumber: v.info.serialNumber,
    policy: v.info.policy,
    // Leaf first, then the validated path up to the anchor.
    tsaCertificates: v.info.chain?.length ? v.info.chain : [v.info.signerCertificate!],
  };
}
