import { AppError } from '../common/errors/app-error';
import { checkPin, pinProblemMessage } from './domain/pin-policy';

/** Error codes of the PKI module (stable: clients depend on them). */
export enum PkiErrorCode {
  SUBSCRIBER_NOT_FOUND = 'SUBSCRIBER_NOT_FOUND',
  SUBSCRIBER_NOT_ACTIVE = 'SUBSCRIBER_NOT_ACTIVE',
  PIN_POLICY_VIOLATION = 'PIN_POLICY_VIOLATION',
  PIN_MISMATCH = 'PIN_MISMATCH',
  PIN_INCORRECT = 'PIN_INCORRECT',
  PIN_LOCKED = 'PIN_LOCKED',
  PIN_UNCHANGED = 'PIN_UNCHANGED',
  ACTIVE_CERTIFICATE_EXISTS = 'ACTIVE_CERTIFICATE_EXISTS',
  NO_ACTIVE_CERTIFICATE = 'NO_ACTIVE_CERTIFICATE',
  CERTIFICATE_NOT_FOUND = 'CERTIFICATE_NOT_FOUND',
  CERTIFICATE_REVOKED = 'CERTIFICATE_REVOKED',
  CERTIFICATE_EXPIRED = 'CERTIFICATE_EXPIRED',
  CERTIFICATE_NOT_YET_VALID = 'CERTIFICATE_NOT_YET_VALID',
  INVALID_REVOCATION_REASON = 'INVALID_REVOCATION_REASON',
  INVALID_REVOCATION_CHANNEL = 'INVALID_REVOCATION_CHANNEL',
  SIGNING_IDENTITY_NOT_FOUND = 'SIGNING_IDENTITY_NOT_FOUND',
  SIGNING_IDENTITY_REVOKED = 'SIGNING_IDENTITY_REVOKED',
  NOT_A_BANK_SIGNER = 'NOT_A_BANK_SIGNER',
  CONTRACT_REQUIRED = 'CONTRACT_REQUIRED',
  NOT_OUR_CERTIFICATE = 'NOT_OUR_CERTIFICATE',
}

/**
 * Refuses a PIN the policy rejects (domain/pin-policy: length, characters, repeated or sequential
 * runs, the holder's birth date when known) with PIN_POLICY_VIOLATION and the list of problems.
 */
export function assertPinPolicy(pin: string, rules: { minLength: number; birthDate?: string | null }): void {
  const problems = checkPin(pin, rules);
  if (problems.length) {
    throw AppError.badRequest(
      PkiErrorCode.PIN_POLICY_VIOLATION,
      pinProblemMessage(problems, rules.minLength),
      {
        problems,
      },
    );
  }
}
