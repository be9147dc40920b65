import { Injectable } from '@nestjs/common';
import { hashByName } from './domain/oids';
import {
  PkiFailureInfo,
  TimeStampRequestRejected,
  encodeTimeStampRequest,
  newNonce,
  parseTimeStampRequest,
} from './domain/time-stamp-request';
import { IssueTimeStamp, RecordedToken } from './issue-time-stamp.usecase';
import { acceptToken } from './time-stamp-acceptance';
import {
  TimeStampRejectedError,
  TimeStampRequestInput,
  TimeStampToken,
  TimeStampUnavailableError,
  TimeStamper,
} from './time-stamper';
import { TsaCertificateIssuer } from './tsa-certificate-issuer';

/**
 * The service's own TSA, in-process. The request goes through the same DER encoding, parsing,
 * issuance and recording as POST /tsa, and the token through the same checks as any external one.
 */
@Injectable()
export class LocalTimeStamper extends TimeStamper {
  constructor(
    private readonly issuer: IssueTimeStamp,
    private readonly ca: TsaCertificateIssuer,
  ) {
    super();
  }

  async timestamp(input: TimeStampRequestInput): Promise<TimeStampToken> {
    const nonce = newNonce();
    const certReq = input.certReq ?? true;
    let issued: RecordedToken;
    try {
      const der = encodeTimeStampRequest({
        hash: hashByName(input.hashAlgorithm),
        digest: input.digest,
        nonce,
        certReq,
        policy: input.policy,
      });
      issued = await this.issuer.issue(parseTimeStampRequest(der), 'local');
    } catch (e) {
      if (e instanceof TimeStampRequestRejected)
        throw new TimeStampRejectedError(
          `the TSA refused the request: ${e.message}`,
          PkiFailureInfo[e.failInfo],
        );
      if (e instanceof RangeError) throw new TimeStampRejectedError(e.message, 'BAD_INPUT');
      throw new TimeStampUnavailableError(e instanceof Error ? e.message : String(e));
    }
    // Without certReq the token carries no certificate; we know ours, so we supply it for the check.
    return acceptToken(issued.token, input, nonce, {
      anchors: await this.ca.trustAnchors(),
      certificates: certReq ? [] : [issued.signerCertificate, ...issued.signerChain],
    });
  }
}
