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
  /** Requests between entry and answer (see the check of the token below). */
  private inProgress = 0;

  constructor(
    private readonly issuer: IssueTimeStamp,
    private readonly ca: TsaCertificateIssuer,
  ) {
    super();
  }

  async timestamp(input: TimeStampRequestInput): Promise<TimeStampToken> {
    this.inProgress++;
    try {
      return await this.issueAndCheck(input);
    } finally {
      this.inProgress--;
    }
  }

  private async issueAndCheck(input: TimeStampRequestInput): Promise<TimeStampToken> {
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
    const trust = {
      anchors: await this.ca.trustAnchors(),
      certificates: certReq ? [] : [issued.signerCertificate, ...issued.signerChain],
    };
    // Every token is checked in full. A lone request (a signing waiting for its token) has its
    // signature checked on this thread: the event loop has nothing else to do meanwhile, and the
    // round trip through the thread pool costs about as much as the check. With others in progress
    // (an archive run stamping many files), the pool checks while this thread serves them.
    return acceptToken(issued.token, input, nonce, trust, { verifyInline: this.inProgress === 1 });
  }
}
