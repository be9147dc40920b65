import { z } from 'zod';
import { int } from '../config/settings.util';

/**
 * Archive of originals (EC-09, EC-10, EC-14; 電子帳簿保存法). Periods the bank decides
 * (当金庫所定) are settings with the defaults below.
 */
export const archiveSettings = {
  /** Retention of an original after the contract's conclusion (years); 法人税法施行規則 §59: 7+ years, bank rule 10. */
  ARCHIVE_RETENTION_YEARS: int(1, 100).default(10),
  /** An original is due for re-timestamping when its protection ends within this many days. */
  ARCHIVE_RENEWAL_WINDOW_DAYS: int(1, 36_500).default(365),
  /** Cron expression (Asia/Tokyo) of the scheduled re-timestamping run (only when SCHEDULER_ENABLED). */
  ARCHIVE_RESTAMP_CRON: z
    .string()
    .regex(/^(\S+\s+){4,5}\S+$/, 'must be a cron expression with 5 or 6 fields')
    .default('0 2 * * *'),
  /** Originals claimed at once by one worker (PostgreSQL: SKIP LOCKED; both: a lease). */
  ARCHIVE_RESTAMP_BATCH_SIZE: int(1, 1000).default(32),
  /** Originals renewed in parallel inside one worker (TSA signatures run on the libuv pool). */
  ARCHIVE_RESTAMP_CONCURRENCY: int(1, 64).default(8),
  /** How long a claim holds before another worker may take the original over (a crashed worker). */
  ARCHIVE_CLAIM_LEASE_SECONDS: int(5, 86_400).default(600),
  /** RFC 3161 URL used for archive renewals only (e.g. an accredited TSA); default: the service's TSA. */
  ARCHIVE_TSA_URL: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'must be an http:// or https:// URL')
    .optional(),
  /**
   * How a renewed version is validated before it is committed. `incremental`: the new revision
   * (only DSS + one document timestamp over the whole file, token valid with a trusted chain) on
   * top of the previous version's recorded TOTAL-PASSED verdict, with a full validation for the
   * first renewal of each TSA certificate in a run and whenever anything does not fit; `full`:
   * the whole file every time.
   */
  ARCHIVE_RENEWAL_VALIDATION: z.enum(['incremental', 'full']).default('incremental'),
  /** Revocation data (OCSP/CRL) reused within a run for this long (0 = fetch for every original). */
  ARCHIVE_REVOCATION_CACHE_SECONDS: int(0, 3600).default(300),
  /** Largest PDF accepted by POST /api/verify (bytes). */
  ARCHIVE_VERIFY_MAX_BYTES: int(1024, 200 * 1024 * 1024).default(50 * 1024 * 1024),
};
