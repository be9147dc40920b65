import { AppError } from '../common/errors/app-error';

/** Error codes of the e-contract workflow. Stable: the pages and API clients depend on them. */
export enum ContractErrorCode {
  CONTRACT_NOT_FOUND = 'CONTRACT_NOT_FOUND',
  /** The action does not fit the contract's current state (e.g. signing a draft). */
  CONTRACT_INVALID_STATE = 'CONTRACT_INVALID_STATE',
  CONTRACT_CANCELLED = 'CONTRACT_CANCELLED',
  CONTRACT_EXPIRED = 'CONTRACT_EXPIRED',
  CONTRACT_COMPLETED = 'CONTRACT_COMPLETED',
  /** The workflow was stopped because a signature failed validation (EC-08). */
  CONTRACT_HALTED = 'CONTRACT_HALTED',
  /** The caller is a party, but another party must sign first. */
  NOT_YOUR_TURN = 'NOT_YOUR_TURN',
  /** The caller is not a party of the contract. */
  NOT_A_PARTY = 'NOT_A_PARTY',
  /** The terms must be explicitly accepted before signing (EC-05 step 4 screen). */
  AGREEMENT_REQUIRED = 'AGREEMENT_REQUIRED',
  /** EC-18: a suspended, restricted or deleted subscriber cannot sign; the contract waits. */
  SIGNER_NOT_ELIGIBLE = 'SIGNER_NOT_ELIGIBLE',
  SIGNER_NOT_FOUND = 'SIGNER_NOT_FOUND',
  DUPLICATE_SIGNER = 'DUPLICATE_SIGNER',
  TOO_MANY_SIGNERS = 'TOO_MANY_SIGNERS',
  /** A signer has no usable signing certificate. */
  SIGNER_HAS_NO_CERTIFICATE = 'SIGNER_HAS_NO_CERTIFICATE',
  DEADLINE_IN_PAST = 'DEADLINE_IN_PAST',
  FILE_REQUIRED = 'FILE_REQUIRED',
  /** EC-10: the copy (副本) may be downloaded only for the configured period after completion. */
  COPY_PERIOD_OVER = 'COPY_PERIOD_OVER',
  ORIGINAL_NOT_AVAILABLE = 'ORIGINAL_NOT_AVAILABLE',
  /** The stored document no longer matches its recorded SHA-256. */
  DOCUMENT_INTEGRITY_FAILED = 'DOCUMENT_INTEGRITY_FAILED',
  /** EC-16: heavy processing is throttled; try again shortly. */
  SIGNING_BUSY = 'SIGNING_BUSY',
  /** Two operations raced on the same contract; the second was refused. */
  CONCURRENT_UPDATE = 'CONCURRENT_UPDATE',
}

export const contractNotFound = () =>
  AppError.notFound(ContractErrorCode.CONTRACT_NOT_FOUND, '契約書が見つかりません。');
