import {
  addBusinessDays,
  addMonths,
  businessDateAt,
  businessDayOnOrAfter,
  closedReason,
  isBusinessDay,
  isValidDate,
  nextBusinessDay,
  sameDayExecution,
} from './business-calendar';

const at = (iso: string) => new Date(iso);

describe('business calendar (BK-06)', () => {
  it('is open on an ordinary weekday', () => {
    expect(isBusinessDay('2026-11-20')).toBe(true); // Friday
    expect(closedReason('2026-11-20')).toBeUndefined();
  });

  it('is closed on Saturdays and Sundays', () => {
    expect(closedReason('2026-11-21')).toBe('weekend');
    expect(closedReason('2026-11-22')).toBe('weekend');
  });

  it('is closed 12/31 to 1/3 even on weekdays', () => {
    expect(closedReason('2025-12-31')).toBe('year-end'); // Wednesday
    expect(closedReason('2026-01-02')).toBe('year-end'); // Friday
    expect(closedReason('2027-01-01')).toBe('year-end');
    expect(isBusinessDay('2025-12-30')).toBe(true);
    expect(nextBusinessDay('2025-12-30')).toBe('2026-01-05'); // 1/3 Sat, 1/4 Sun
  });

  it('is closed on national holidays and on a 振替休日', () => {
    expect(closedReason('2026-11-03')).toBe('national-holiday'); // 文化の日
    // 2026-05-03 (憲法記念日) is a Sunday, so Wednesday 05-06 is a 振替休日.
    expect(closedReason('2026-05-06')).toBe('national-holiday');
    expect(nextBusinessDay('2026-05-01')).toBe('2026-05-07');
    // 2025-11-23 is a Sunday: 11-24 is a 振替休日.
    expect(businessDayOnOrAfter('2025-11-24')).toBe('2025-11-25');
  });

  it('counts business days both ways', () => {
    expect(addBusinessDays('2026-04-30', 1)).toBe('2026-05-01');
    expect(addBusinessDays('2026-04-30', 2)).toBe('2026-05-07');
    expect(addBusinessDays('2026-01-05', -1)).toBe('2025-12-30');
    expect(addBusinessDays('2026-01-05', 0)).toBe('2026-01-05');
  });

  it('validates dates strictly', () => {
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(isValidDate('2028-02-29')).toBe(true);
    expect(isValidDate('2026-13-01')).toBe(false);
    expect(() => closedReason('2026-2-1')).toThrow(RangeError);
  });

  it('adds months clamping to the end of the month', () => {
    expect(addMonths('2025-03-31', -1)).toBe('2025-02-28');
    expect(addMonths('2026-11-22', -13)).toBe('2025-10-22');
    expect(addMonths('2026-01-15', 12)).toBe('2027-01-15');
  });
});

describe('same-day cutoff in Asia/Tokyo', () => {
  it('runs now before the cutoff on a business day', () => {
    // 14:59 JST on Friday 2026-11-20 = 05:59Z
    expect(sameDayExecution(at('2026-11-20T05:59:00Z'), '15:00')).toEqual({
      executionDate: '2026-11-20',
      immediate: true,
    });
  });

  it('rolls to the next business day at and after the cutoff', () => {
    expect(sameDayExecution(at('2026-11-20T06:00:00Z'), '15:00')).toEqual({
      executionDate: '2026-11-24', // Mon 11-23 is 勤労感謝の日
      immediate: false,
    });
  });

  it('uses the Tokyo date, not the UTC one', () => {
    // 2026-11-19T23:30Z is Friday 08:30 JST
    expect(sameDayExecution(at('2026-11-19T23:30:00Z'), '15:00')).toEqual({
      executionDate: '2026-11-20',
      immediate: true,
    });
  });

  it('rolls a request made during the year-end closure to 1/4 or later', () => {
    expect(sameDayExecution(at('2025-12-31T01:00:00Z'), '15:00')).toEqual({
      executionDate: '2026-01-05',
      immediate: false,
    });
    expect(businessDateAt(at('2026-01-02T01:00:00Z'))).toBe('2026-01-05');
  });

  it('rolls a request on a 振替休日 to the next business day', () => {
    expect(sameDayExecution(at('2026-05-06T01:00:00Z'), '15:00')).toEqual({
      executionDate: '2026-05-07',
      immediate: false,
    });
  });
});
