import type { RevisionChange } from '../pdf/revision-diff';
import type { PadesLevel } from './signature-spec';

/** AdES main indications (ETSI EN 319 102-1 §5.1.3). */
export type Indication = 'TOTAL-PASSED' | 'INDETERMINATE' | 'TOTAL-FAILED';

/** Sub-indications used by this validator (ETSI EN 319 102-1 §5.1.3, Table 5/6). */
export type SubIndication =
  | 'FORMAT_FAILURE'
  | 'HASH_FAILURE'
  | 'SIG_CRYPTO_FAILURE'
  | 'SIG_CONSTRAINTS_FAILURE'
  | 'REVOKED_NO_POE'
  | 'NO_SIGNING_CERTIFICATE_FOUND'
  | 'NO_CERTIFICATE_CHAIN_FOUND'
  | 'OUT_OF_BOUNDS_NO_POE'
  | 'NOT_YET_VALID'
  | 'TRY_LATER'
  | 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE'
  | 'CHAIN_CONSTRAINTS_FAILURE';

export type CheckName =
  | 'format'
  | 'byte-range'
  | 'message-digest'
  | 'signature-value'
  | 'signing-certificate-attribute'
  | 'signature-timestamp'
  | 'timestamp-token'
  | 'certificate-chain'
  | 'certificate-validity'
  | 'revocation'
  | 'algorithms'
  | 'changes-after';

export interface ValidationCheck {
  name: CheckName;
  /** 'skipped' when a check did not apply or had nothing to work on (the detail says why). */
  result: 'passed' | 'failed' | 'skipped';
  detail: string;
  indication?: Exclude<Indication, 'TOTAL-PASSED'>;
  subIndication?: SubIndication;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
}

export interface TimestampSummary {
  genTime: string;
  tsa?: CertificateSummary;
  indication: Indication;
  subIndication?: SubIndication;
  /** The time up to which this token is itself proven to exist (a later timestamp, or the validation time). */
  provenBy: string;
}

export interface EntryReport {
  /** 1-based position in the file. */
  index: number;
  fieldName: string;
  type: 'signature' | 'document-timestamp';
  subFilter: string;
  indication: Indication;
  subIndication?: SubIndication;
  message: string;
  /** Signatures: the claimed signing time (/M), which proves nothing by itself. */
  claimedSigningTime?: string;
  /** The earliest time the signature (or token) is proven to have existed. */
  provenTime?: string;
  signer?: CertificateSummary;
  timestamp?: TimestampSummary;
  level: PadesLevel | 'NONE';
  certification?: { permission: 1 | 2 | 3 };
  coversWholeFile: boolean;
  changesAfter: RevisionChange[];
  checks: ValidationCheck[];
}

export interface ValidationReport {
  validationTime: string;
  indication: Indication;
  /** True when validation used only the data embedded in the file (no live OCSP/CRL). */
  offline: boolean;
  entries: EntryReport[];
}

export interface SimpleReport {
  validationTime: string;
  indication: Indication;
  signatures: {
    fieldName: string;
    type: EntryReport['type'];
    indication: Indication;
    subIndication?: SubIndication;
    signer?: string;
    provenTime?: string;
    level: EntryReport['level'];
    message: string;
  }[];
}

/** The simple verdict (EU DSS "simple report") derived from the detailed one. */
export function simpleReport(report: ValidationReport): SimpleReport {
  return {
    validationTime: report.validationTime,
    indication: report.indication,
    signatures: report.entries.map((e) => ({
      fieldName: e.fieldName,
      type: e.type,
      indication: e.indication,
      subIndication: e.subIndication,
      signer: e.signer?.subject ?? e.timestamp?.tsa?.subject,
      provenTime: e.provenTime,
      level: e.level,
      message: e.message,
    })),
  };
}
