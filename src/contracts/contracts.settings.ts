import { int } from '../config/settings.util';

/**
 * Settings of the e-contract workflow. Each is a value seed 000 leaves to the bank (当金庫所定);
 * defaults are documented in README.md.
 */
export const contractsSettings = {
  /** EC-10: days after completion during which parties may view and download a copy (0 = no limit). */
  CONTRACT_COPY_DOWNLOAD_DAYS: int(0, 36_500).default(365),
  /** Signing deadline when the loan officer gives none, in days from registration (0 = none). */
  CONTRACT_DEFAULT_DEADLINE_DAYS: int(0, 3_650).default(30),
  /** Reminders start this many days before the deadline. */
  CONTRACT_REMINDER_DAYS_BEFORE: int(0, 365).default(3),
  /** …and are repeated at most once per this many hours. */
  CONTRACT_REMINDER_INTERVAL_HOURS: int(1, 24 * 365).default(24),
  /** Maximum parties (debtor + guarantors) on one contract. */
  CONTRACT_MAX_SIGNERS: int(1, 50).default(10),
  /** EC-16: signing/validation/LTA operations run at the same time; more wait in a queue. */
  CONTRACT_MAX_CONCURRENT_SIGNINGS: int(1, 256).default(4),
  /** EC-16: operations allowed to wait for a slot; beyond that a request is refused (503, retry). */
  CONTRACT_MAX_QUEUED_SIGNINGS: int(0, 10_000).default(32),
  /** How often the deadline/reminder sweep runs, in minutes. */
  CONTRACT_SWEEP_INTERVAL_MINUTES: int(1, 1_440).default(15),
};
