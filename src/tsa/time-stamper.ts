/**
 * The time-stamping port (RFC 3161). The PAdES engine and the archive depend on this abstraction
 * only; adapters: LocalTimeStamper (the service's own TSA, in-process) and HttpTimeStamper (any
 * RFC 3161 URL). Every adapter checks the response (status, nonce, imprint, signature, TSA
 * certificate) before returning it.
 */
export type TimeStampHashAlgorithm = 'SHA-256' | 'SHA-384' | 'SHA-512';

export interface TimeStampRequestInput {
  /** Hash of the data to be stamped, computed with `hashAlgorithm`. */
  digest: Uint8Array;
  hashAlgorithm: TimeStampHashAlgorithm;
  /** Ask the TSA to include its certificate in the token (default true). */
  certReq?: boolean;
  /** Requested policy OID. */
  policy?: string;
}

export interface TimeStampToken {
  /** DER of the TimeStampToken (a CMS ContentInfo with SignedData over TSTInfo). */
  der: Uint8Array;
  genTime: Date;
  serialNumber: string;
  policy: string;
  /** DER certificates of the TSA chain as found in the token (leaf first) or configured. */
  tsaCertificates: Uint8Array[];
}

export abstract class TimeStamper {
  abstract timestamp(input: TimeStampRequestInput): Promise<TimeStampToken>;
}

/** The TSA could not be reached or answered badly; retry later. Nothing was recorded. */
export class TimeStampUnavailableError extends Error {
  constructor(
    message: string,
    readonly retryable = true,
  ) {
    super(message);
    this.name = 'TimeStampUnavailableError';
  }
}

/** The TSA answered, but the answer failed a check (wrong nonce, imprint, signature, certificate). */
export class TimeStampRejectedError extends Error {
  constructor(
    message: string,
    readonly reason: string,
  ) {
    super(message);
    this.name = 'TimeStampRejectedError';
  }
}
