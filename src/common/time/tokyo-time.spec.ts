import { addDays, dayOfWeek, tokyoDate, tokyoInstant, tokyoParts } from './tokyo-time';

/** The reference: the platform's time-zone database for Asia/Tokyo. */
const intl = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Tokyo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function reference(instant: Date) {
  const p: Record<string, string> = {};
  for (const part of intl.formatToParts(instant)) p[part.type] = part.value;
  return {
    date: `${p.year}-${p.month}-${p.day}`,
    time: `${p.hour}:${p.minute}`,
    second: Number(p.second),
  };
}

describe('tokyo-time', () => {
  it('agrees with the time-zone database around midnight, year ends and leap days', () => {
    const instants = [
      '2024-02-28T14:59:59Z', // 23:59:59 on 2/28 in Tokyo
      '2024-02-28T15:00:00Z', // 00:00 on the leap day
      '2024-12-31T14:59:59.999Z',
      '2024-12-31T15:00:00Z', // new year in Tokyo, still 12/31 in UTC
      '2026-06-30T05:59:00Z', // 14:59, just before the transfer cutoff
      '2026-06-30T06:00:00Z',
      '1999-12-31T15:00:00Z',
      '2038-01-19T03:14:08Z',
    ].map((s) => new Date(s));
    // And a sweep of odd instants over the next decades.
    for (let t = Date.UTC(2020, 0, 1), i = 0; i < 2000; i++, t += 3_600_000 * 37 + 61_007)
      instants.push(new Date(t));
    for (const instant of instants) {
      const p = tokyoParts(instant);
      const r = reference(instant);
      expect({ date: p.date, time: p.time, second: p.second }).toEqual(r);
      expect(p.date).toBe(`${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`);
      expect(p.time).toBe(`${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`);
    }
  });

  it('converts a Tokyo wall-clock time back to the same instant', () => {
    const at = tokyoInstant('2025-01-01', '00:30', 15);
    expect(at.toISOString()).toBe('2024-12-31T15:30:15.000Z');
    expect(tokyoDate(at)).toBe('2025-01-01');
    expect(tokyoParts(at)).toMatchObject({ hour: 0, minute: 30, second: 15 });
  });

  it('refuses an invalid instant instead of printing NaN dates', () => {
    expect(() => tokyoParts(new Date(Number.NaN))).toThrow(RangeError);
  });

  it('adds days and tells the weekday of calendar dates', () => {
    expect(addDays('2025-12-30', 3)).toBe('2026-01-02');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(dayOfWeek('2026-12-05')).toBe(6);
  });
});
