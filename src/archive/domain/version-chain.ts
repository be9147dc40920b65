import { startsWithBytes } from '../../pades/pdf/pdf-document';

/**
 * A new version of an original is the previous file with incremental updates appended
 * (ISO 32000-1 §7.5.6): the previous version's bytes must be an exact prefix of the new one,
 * so every earlier signature and timestamp still covers exactly what it covered before.
 */
export function isAppendOnlyExtension(previous: Uint8Array, next: Uint8Array): boolean {
  return next.byteLength > previous.byteLength && startsWithBytes(next, previous);
}

const DAY_MS = 86_400_000;

/** Renewal is due when protection ends within the window. */
export function isRenewalDue(protectionExpiresAt: Date, now: Date, windowDays: number): boolean {
  return protectionExpiresAt.getTime() <= now.getTime() + windowDays * DAY_MS;
}

/** Retention end (YYYY-MM-DD): the conclusion date plus `years` (29 Feb → 28 Feb). */
export function retentionEnd(concludedOn: string, years: number): string {
  const [y, m, d] = concludedOn.split('-').map(Number);
  const lastDay = new Date(Date.UTC(y + years, m, 0)).getUTCDate();
  const day = Math.min(d, lastDay);
  return `${String(y + years).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
