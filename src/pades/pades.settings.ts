import { z } from 'zod';
import { int } from '../config/settings.util';

/** Settings of the PAdES engine (README "PAdES signing and validation"). */
export const padesSettings = {
  /** Largest PDF accepted for signing or validation (PDF_TOO_LARGE above it). */
  PADES_MAX_PDF_BYTES: int(1024, 1024 * 1024 * 1024).default(50 * 1024 * 1024),
  /** Timeout of one OCSP or CRL fetch for foreign certificates. */
  PADES_REVOCATION_TIMEOUT_MS: int(100, 120_000).default(5_000),
  /** Largest OCSP response / CRL fetched over HTTP. */
  PADES_REVOCATION_MAX_BYTES: int(1024, 64 * 1024 * 1024).default(10 * 1024 * 1024),
  /** Extra trust anchors for validation (comma-separated PEM files), besides the service's root CA. */
  PADES_TRUST_ANCHORS: z.string().min(1).optional(),
};
