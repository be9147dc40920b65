import { int } from '../config/settings.util';

/**
 * Login and account settings (当金庫所定: seed 001 §2-5, 004 §2-5 leave the counts to the bank).
 * Defaults follow the issue: 10-character passwords, lock after 6 consecutive failures, a 6-digit
 * OTP valid 10 minutes with at most 5 tries and one resend a minute, 30-minute idle and
 * 12-hour absolute session lifetimes.
 */
export const identitySettings = {
  PASSWORD_MIN_LENGTH: int(8, 128).default(10),
  /** zxcvbn score (0–4) a new password must reach; 0 keeps only the common-password check. */
  PASSWORD_MIN_SCORE: int(0, 4).default(2),
  LOCKOUT_THRESHOLD: int(1, 100).default(6),
  OTP_TTL_SECONDS: int(60, 3600).default(600),
  OTP_MAX_ATTEMPTS: int(1, 20).default(5),
  OTP_RESEND_INTERVAL_SECONDS: int(0, 3600).default(60),
  OTP_MAX_RESENDS: int(0, 20).default(5),
  SESSION_IDLE_MINUTES: int(1, 24 * 60).default(30),
  SESSION_ABSOLUTE_HOURS: int(1, 24 * 7).default(12),
};
