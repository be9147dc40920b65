import { Injectable } from '@nestjs/common';
import type { Principal } from '../identity/auth/principal';

export type ValidationIndication = 'TOTAL-PASSED' | 'INDETERMINATE' | 'TOTAL-FAILED';

export interface DocumentValidation {
  indication: ValidationIndication;
  signatureCount: number;
  documentTimestampCount: number;
  /** The validator's simple report, stored as is for the auditor (EC-08). */
  report: unknown;
}

/**
 * The contract workflow's only door to keys and signatures: the PKI module unlocks keys with a
 * PIN (counting wrong PINs), the PAdES engine signs, extends and validates. Nothing here writes
 * to the contract tables; the use cases record the results.
 */
@Injectable()
export class ContractSigningGateway {
  /** EC-06: certification signature (DocMDP P=2) at B-T with the branch manager's identity. */
  signAsBank(_input: {
    pdf: Uint8Array;
    signingIdentityId: string;
    pin: string;
    operator: Principal;
    contractId: string;
  }): Promise<{ pdf: Uint8Array; signerName: string }> {
    return Promise.reject(new Error('PAdES engine not wired yet'));
  }

  /** EC-05 step 4: approval signature at B-T with the subscriber's PIN-unlocked key. */
  signAsParty(_input: {
    pdf: Uint8Array;
    subscriberId: string;
    pin: string;
    contractId: string;
  }): Promise<{ pdf: Uint8Array; certificateSerial: string }> {
    return Promise.reject(new Error('PAdES engine not wired yet'));
  }

  /** EC-08: validates every signature and timestamp of the document. */
  validate(_pdf: Uint8Array): Promise<DocumentValidation> {
    return Promise.reject(new Error('PAdES engine not wired yet'));
  }

  /** B-LTA: validation data (DSS) plus a document timestamp over the fully signed document. */
  archive(_pdf: Uint8Array): Promise<Uint8Array> {
    return Promise.reject(new Error('PAdES engine not wired yet'));
  }
}
