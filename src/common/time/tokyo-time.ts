/**
 * Business dates and times of day are always those of Asia/Tokyo, whatever TZ the host runs in.
 * Instants stay UTC `Date`s; these helpers convert at the edge.
 */
/**
 * Japan Standard Time is UTC+09:00 all year and has been since 1952 (no daylight saving), so Tokyo
 * wall-clock fields are the UTC fields of the instant moved by nine hours. Computed directly rather
 * than with Intl.DateTimeFormat: about 0.2 µs per call instead of 3.6 µs, on paths (transfers,
 * cutoffs, calendars) that convert several times per request.
 */
const JST_OFFSET_MS = 9 * 3600_000;

const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

export interface TokyoParts {
  /** `YYYY-MM-DD` */
  date: string;
  /** `HH:MM` */
  time: string;
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function tokyoParts(instant: Date): TokyoParts {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('invalid date');
  const t = new Date(ms + JST_OFFSET_MS);
  const year = t.getUTCFullYear();
  const month = t.getUTCMonth() + 1;
  const day = t.getUTCDate();
  const hour = t.getUTCHours();
  const minute = t.getUTCMinutes();
  return {
    date: `${String(year).padStart(4, '0')}-${two(month)}-${two(day)}`,
    time: `${two(hour)}:${two(minute)}`,
    year,
    month,
    day,
    hour,
    minute,
    second: t.getUTCSeconds(),
  };
}

/** The Tokyo calendar date of an instant, `YYYY-MM-DD`. */
export function tokyoDate(instant: Date): string {
  return tokyoParts(instant).date;
}

/** The instant at which a Tokyo wall-clock time occurs (Japan has no DST: fixed +09:00). */
export function tokyoInstant(date: string, time = '00:00', seconds = 0): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !/^\d{2}:\d{2}$/.test(time))
    throw new RangeError('bad date or time');
  return new Date(`${date}T${time}:${String(seconds).padStart(2, '0')}+09:00`);
}

/** Adds calendar days to a `YYYY-MM-DD` date. */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Day of week of a `YYYY-MM-DD` date: 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}
