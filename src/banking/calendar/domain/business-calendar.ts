import * as holidayJp from '@holiday-jp/holiday_jp';
import { TokyoParts, addDays, dayOfWeek, tokyoParts } from '../../../common/time/tokyo-time';

/**
 * The bank's business calendar (BK-06; seed 003 §5-3, §6-3). Closed: Saturdays, Sundays, national
 * holidays including 振替休日 and 国民の休日 (`@holiday-jp/holiday_jp`), and the year-end/new-year
 * closure 12/31–1/3. Dates are `YYYY-MM-DD` in Asia/Tokyo.
 */
const DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const holidays = holidayJp.holidays as Record<string, { name: string } | undefined>;

export function isValidDate(date: string): boolean {
  if (!DATE.test(date)) return false;
  return new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) === date;
}

export type ClosedReason = 'weekend' | 'national-holiday' | 'year-end';

/** Why the bank is closed on `date`, or undefined on a business day. */
export function closedReason(date: string): ClosedReason | undefined {
  if (!isValidDate(date)) throw new RangeError(`not a date: ${date}`);
  const dow = dayOfWeek(date);
  if (dow === 0 || dow === 6) return 'weekend';
  const md = date.slice(5);
  if (md === '12-31' || md === '01-01' || md === '01-02' || md === '01-03') return 'year-end';
  if (holidays[date]) return 'national-holiday';
  return undefined;
}

export function isBusinessDay(date: string): boolean {
  return closedReason(date) === undefined;
}

/** The first business day strictly after `date`. */
export function nextBusinessDay(date: string): string {
  let d = addDays(date, 1);
  while (!isBusinessDay(d)) d = addDays(d, 1);
  return d;
}

/** `date` itself when it is a business day, otherwise the next one. */
export function businessDayOnOrAfter(date: string): string {
  return isBusinessDay(date) ? date : nextBusinessDay(date);
}

/** Moves `n` business days forward (n > 0) or back (n < 0) from `date`. */
export function addBusinessDays(date: string, n: number): string {
  let d = date;
  const step = n >= 0 ? 1 : -1;
  for (let left = Math.abs(n); left > 0;) {
    d = addDays(d, step);
    if (isBusinessDay(d)) left--;
  }
  return d;
}

/** Calendar days from `a` to `b` (positive when b is later). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

export interface SameDayDecision {
  /** The date the transfer runs. */
  executionDate: string;
  /** True when it can run now (business day, before the cutoff). */
  immediate: boolean;
}

/**
 * BK-06: a same-day request runs now when it arrives on a business day before the cutoff
 * (`HH:MM`, Asia/Tokyo, exclusive); otherwise it runs on the next business day.
 */
export function sameDayExecution(now: Date, cutoff: string): SameDayDecision {
  return sameDayExecutionAt(tokyoParts(now), cutoff);
}

/** sameDayExecution for a Tokyo date and time already computed (one time-zone conversion per use). */
export function sameDayExecutionAt(p: Pick<TokyoParts, 'date' | 'time'>, cutoff: string): SameDayDecision {
  if (isBusinessDay(p.date) && p.time < cutoff) return { executionDate: p.date, immediate: true };
  return { executionDate: nextBusinessDay(p.date), immediate: false };
}

/** The business date books are kept under at `now`: today if open, else the next business day. */
export function businessDateAt(now: Date): string {
  return businessDayOnOrAfter(tokyoParts(now).date);
}

/** Adds calendar months to a date, clamping to the month's last day (2024-03-31 + -1 → 02-29). */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = (total % 12) + 1;
  const last = new Date(Date.UTC(ny, nm, 0)).getUTCDate();
  return `${String(ny).padStart(4, '0')}-${String(nm).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}
