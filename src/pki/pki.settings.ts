import { z } from 'zod';
import { int } from '../config/settings.util';

/**
 * PKI settings (当金庫所定 values with defaults documented in README "PKI").
 * Algorithms follow the CRYPTREC e-Government recommended list at 128-bit strength (EC-14).
 */
export const pkiSettings = {
  /** Secret. Passphrase that encrypts the CA, OCSP and TSA keys at rest. Embedded mode generates one. */
  CA_KEY_PASSPHRASE: z.string().min(16).optional(),
  /** Key type of subscriber and bank-signer keys. rsa-2048 only for compatibility with old validators. */
  SUBSCRIBER_KEY_TYPE: z.enum(['ecdsa-p256', 'rsa-3072', 'rsa-2048']).default('ecdsa-p256'),
  SUBSCRIBER_CERT_VALIDITY_DAYS: int(1, 3650).default(730),
  PIN_MIN_LENGTH: int(4, 64).default(6),
  PIN_MAX_FAILURES: int(1, 100).default(10),
  CRL_NEXT_UPDATE_HOURS: int(1, 24 * 31).default(24),
  /** Certificate policy OID of subscriber certificates (the project's test arc, see README). */
  CERT_POLICY_OID: z
    .string()
    .regex(/^[0-2](\.(0|[1-9]\d*)){2,}$/, 'must be a dotted OID')
    .default('1.3.6.1.4.1.55555.1.1.1'),
  ROOT_CA_VALIDITY_YEARS: int(1, 50).default(20),
  ISSUING_CA_VALIDITY_YEARS: int(1, 30).default(10),
  OCSP_RESPONDER_VALIDITY_DAYS: int(1, 3650).default(365),
  /** Common-name prefix of the CA hierarchy (the bank name is appended). */
  CA_NAME_PREFIX: z.string().min(1).max(40).default('電子契約サービス'),
};
