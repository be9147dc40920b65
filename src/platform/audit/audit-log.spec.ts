import { auditPendingRow } from './audit-log';

describe('auditPendingRow', () => {
  const now = new Date('2026-12-05T01:02:03.456Z');

  it('fills absent subject and details with null', () => {
    expect(auditPendingRow({ actor: 'a', action: 'x.done' }, now)).toEqual({
      at: now,
      actor: 'a',
      action: 'x.done',
      subject: null,
      details: null,
    });
  });

  it.each(['password', 'newPassword', 'pin', 'OTP', 'token', 'clientSecret', 'privateKey'])(
    'refuses details with a secret-like key (%s)',
    (key) => {
      expect(() => auditPendingRow({ actor: 'a', action: 'x', details: { [key]: 'v' } }, now)).toThrow(
        /secret-like field/,
      );
    },
  );

  it('lets ordinary details through unchanged', () => {
    const details = { contractId: 'c1', pinAttempts: 2, tokenSerial: '0a' };
    expect(auditPendingRow({ actor: 'a', action: 'x', details }, now).details).toBe(details);
  });
});
