import { z } from 'zod';
import { int } from '../config/settings.util';

const oidString = z.string().regex(/^[0-2](\.(0|[1-9]\d*)){2,}$/, 'must be a dotted OID');

/**
 * Time-stamping settings (README "Time-stamping"). Without TSA_URL the service stamps with its own
 * in-process TSA (embedded/test setup); production points TSA_URL at an accredited TSA
 * (認定タイムスタンプ局), because a test TSA does not satisfy the electronic-books law.
 */
export const tsaSettings = {
  /** RFC 3161 URL of an external TSA. Absent: the service's own TSA is used in-process. */
  TSA_URL: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL')
    .optional(),
  /** Basic-auth user and password for TSA_URL (the password is a secret). */
  TSA_USERNAME: z.string().min(1).max(200).optional(),
  TSA_PASSWORD: z.string().min(1).max(500).optional(),
  /** PEM client certificate and key files for TSAs that require TLS client authentication. */
  TSA_CLIENT_CERT: z.string().min(1).optional(),
  TSA_CLIENT_KEY: z.string().min(1).optional(),
  TSA_TIMEOUT_MS: int(100, 300_000).default(10_000),
  /** Further attempts after a failed one (network error, timeout, HTTP 5xx/429), with back-off. */
  TSA_RETRIES: int(0, 10).default(2),
  /** PEM files (comma-separated) whose self-signed certificates are trusted roots for TSA tokens;
   * other certificates in them are used as intermediates. Default: the service's own root CA. */
  TSA_TRUST_ANCHORS: z.string().min(1).optional(),
  /** Policy OID of tokens from the service's own TSA (project test arc; see README). */
  TSA_POLICY_OID: oidString.default('1.3.6.1.4.1.55555.1.2.1'),
  /** Accuracy of genTime in seconds, stated in every token (0 omits the field). */
  TSA_ACCURACY_SECONDS: int(0, 60).default(1),
  /** Key of the own TSA. CRYPTREC e-Government recommended: ECDSA P-256/P-384, RSA ≥ 3072. */
  TSA_KEY_TYPE: z.enum(['ecdsa-p256', 'ecdsa-p384', 'rsa-3072']).default('ecdsa-p256'),
  /** Largest accepted TimeStampReq body; a SHA-512 request with a nonce is about 100 bytes. */
  TSA_MAX_REQUEST_BYTES: int(128, 1024 * 1024).default(4096),
  /** Validity of the own TSA certificate. Tokens verify without an archive timestamp until then. */
  TSA_CERT_VALIDITY_DAYS: int(30, 7300).default(3650),
  /** How long one TSA key signs before it is rotated automatically (private-key usage period). */
  TSA_KEY_USAGE_DAYS: int(1, 3650).default(365),
};
