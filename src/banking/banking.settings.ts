import { z } from 'zod';
import { int, seconds, timeOfDay } from '../config/settings.util';

/**
 * Every value the seeds leave to the bank (当金庫所定) for the banking core and personal internet
 * banking (seed 003 §1–7). Defaults follow ../shared/domain/zengin-and-banking.md.
 */
const yen = (max = 1_000_000_000_000) => int(0, max);

export const bankingSettings = {
  // --- Fees (seed 003 §6-1(1): tax included), defaults: a shinkin's 2023 personal IB table.
  BANKING_FEE_SAME_BRANCH_YEN: yen(100_000).default(0),
  BANKING_FEE_OTHER_BRANCH_BELOW_YEN: yen(100_000).default(0),
  BANKING_FEE_OTHER_BRANCH_ABOVE_YEN: yen(100_000).default(0),
  BANKING_FEE_OTHER_BANK_BELOW_YEN: yen(100_000).default(275),
  BANKING_FEE_OTHER_BANK_ABOVE_YEN: yen(100_000).default(440),
  /** Amounts at or above this use the "above" fee. Some banks use 50,000. */
  BANKING_FEE_THRESHOLD_YEN: yen().default(30_000),
  BANKING_CONSUMPTION_TAX_PERCENT: int(0, 100).default(10),
  /** 組戻し/訂正 fee (seed 003 §6-4(2): 手数料一覧), tax included. */
  BANKING_RECALL_FEE_YEN: yen(100_000).default(880),

  // --- Calendar and cutoffs (BK-06), Asia/Tokyo.
  BANKING_CUTOFF_OWN_BANK: timeOfDay.default('15:00'),
  BANKING_CUTOFF_OTHER_BANK: timeOfDay.default('15:00'),
  /** Scheduled transfers run from this time on their date (seed 003 §4-3(3): 営業開始時). */
  BANKING_SCHEDULED_RUN_FROM: timeOfDay.default('00:00'),
  BANKING_JOB_INTERVAL_SECONDS: seconds(5, 3600).default(60),

  // --- Transfers (BK-05, BK-08).
  BANKING_CONFIRM_WINDOW_SECONDS: seconds(30, 3600).default(600),
  BANKING_CONFIRM_CODE_DIGITS: int(6, 10).default(6),
  BANKING_CONFIRM_MAX_ATTEMPTS: int(1, 10).default(3),
  BANKING_DESIGNATED_DATE_MAX_DAYS: int(1, 366).default(60),
  BANKING_BANK_LIMIT_PER_TRANSFER_YEN: yen().default(5_000_000),
  BANKING_BANK_LIMIT_PER_DAY_YEN: yen().default(10_000_000),

  // --- Inquiries (BK-11).
  BANKING_HISTORY_MONTHS: int(1, 120).default(13),
  BANKING_HISTORY_PAGE_SIZE_MAX: int(10, 1000).default(100),

  // --- Contracts and login (BK-01, BK-16, BK-18).
  BANKING_MAX_SERVICE_ACCOUNTS: int(1, 100).default(10),
  BANKING_MIN_AGE: int(0, 120).default(18),
  BANKING_CONTRACT_TERM_MONTHS: int(1, 120).default(12),
  BANKING_LOGIN_ID_MIN_LENGTH: int(4, 64).default(6),
  BANKING_PASSWORD_MIN_LENGTH: int(6, 128).default(8),
  BANKING_LOCKOUT_THRESHOLD: int(1, 100).default(6),
  BANKING_SESSION_IDLE_SECONDS: seconds(60, 86_400).default(900),
  BANKING_SESSION_MAX_SECONDS: seconds(300, 86_400).default(8 * 3600),

  // --- Payee check (BK-10).
  BANKING_PAYEE_CHECK_LOCK_COUNT: int(1, 1000).default(10),

  // --- In-process Zengin simulator (the default clearing adapter).
  /** Other-bank accounts whose number ends with this are returned as 入金不能. */
  BANKING_SIM_RETURN_SUFFIX: z
    .string()
    .regex(/^\d{1,7}$/)
    .default('9999'),
  /** Other-bank accounts whose number ends with this do not exist (payee check fails). */
  BANKING_SIM_UNKNOWN_SUFFIX: z
    .string()
    .regex(/^\d{1,7}$/)
    .default('0000'),
  BANKING_SIM_RETURN_DELAY_SECONDS: seconds(0, 86_400).default(60),
};
