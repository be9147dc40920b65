import { AppError } from '../../common/errors/app-error';
import {
  afterPartySigned,
  assertBankCanSign,
  assertCanCancel,
  assertPartyCanSign,
  assertSignerList,
  ContractSnapshot,
  copyDownloadAllowed,
  reminderDue,
  resolveDeadline,
  roleOf,
  shouldExpire,
} from './contract-workflow';

const now = new Date('2026-04-01T03:00:00Z');
const day = 86_400_000;

function contract(over: Partial<ContractSnapshot> = {}): ContractSnapshot {
  return {
    status: 'awaiting_signature',
    currentSignerOrder: 1,
    deadline: new Date(now.getTime() + 10 * day),
    signers: [
      { order: 1, subscriberId: 'debtor', signedAt: null },
      { order: 2, subscriberId: 'guarantor', signedAt: null },
    ],
    ...over,
  };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (e instanceof AppError) return e.code;
    throw e;
  }
}

describe('contract workflow', () => {
  it('lets the current signer sign and names the next one', () => {
    const c = contract();
    expect(assertPartyCanSign(c, 'debtor', 'active', true, now).order).toBe(1);
    expect(afterPartySigned(c, 1)).toEqual({ kind: 'next', order: 2 });
    c.signers[0].signedAt = now;
    expect(afterPartySigned(c, 2)).toEqual({ kind: 'complete' });
  });

  it('refuses in a fixed order: party, state, turn, standing, agreement', () => {
    expect(codeOf(() => assertPartyCanSign(contract(), 'stranger', 'active', true, now))).toBe('NOT_A_PARTY');
    expect(codeOf(() => assertPartyCanSign(contract(), 'guarantor', 'active', true, now))).toBe(
      'NOT_YOUR_TURN',
    );
    expect(codeOf(() => assertPartyCanSign(contract(), 'debtor', 'suspended', true, now))).toBe(
      'SIGNER_NOT_ELIGIBLE',
    );
    expect(codeOf(() => assertPartyCanSign(contract(), 'debtor', 'deleted', true, now))).toBe(
      'SIGNER_NOT_ELIGIBLE',
    );
    expect(codeOf(() => assertPartyCanSign(contract(), 'debtor', 'active', false, now))).toBe(
      'AGREEMENT_REQUIRED',
    );
    expect(
      codeOf(() => assertPartyCanSign(contract({ status: 'cancelled' }), 'debtor', 'active', true, now)),
    ).toBe('CONTRACT_CANCELLED');
    expect(
      codeOf(() => assertPartyCanSign(contract({ status: 'halted' }), 'debtor', 'active', true, now)),
    ).toBe('CONTRACT_HALTED');
    expect(
      codeOf(() =>
        assertPartyCanSign(
          contract({ status: 'draft', currentSignerOrder: null }),
          'debtor',
          'active',
          true,
          now,
        ),
      ),
    ).toBe('CONTRACT_INVALID_STATE');
  });

  it('refuses a signature at or after the deadline even before the sweep marks it expired', () => {
    const c = contract({ deadline: now });
    expect(codeOf(() => assertPartyCanSign(c, 'debtor', 'active', true, now))).toBe('CONTRACT_EXPIRED');
    expect(shouldExpire(c, now)).toBe(true);
    expect(shouldExpire(contract(), now)).toBe(false);
    expect(shouldExpire(contract({ deadline: null }), now)).toBe(false);
    expect(shouldExpire(contract({ status: 'completed', deadline: now }), now)).toBe(false);
  });

  it('tells a party who already signed so, rather than "not your turn"', () => {
    const c = contract({ currentSignerOrder: 2 });
    c.signers[0].signedAt = now;
    expect(codeOf(() => assertPartyCanSign(c, 'debtor', 'active', true, now))).toBe('CONTRACT_INVALID_STATE');
  });

  it('lets the bank sign only a draft', () => {
    expect(
      codeOf(() => assertBankCanSign(contract({ status: 'draft', currentSignerOrder: null }), now)),
    ).toBeUndefined();
    expect(codeOf(() => assertBankCanSign(contract(), now))).toBe('CONTRACT_INVALID_STATE');
    expect(codeOf(() => assertBankCanSign(contract({ status: 'cancelled' }), now))).toBe(
      'CONTRACT_CANCELLED',
    );
  });

  it('cancels anything not yet concluded', () => {
    for (const status of ['draft', 'bank_signed', 'awaiting_signature', 'halted'] as const) {
      expect(codeOf(() => assertCanCancel(contract({ status })))).toBeUndefined();
    }
    expect(codeOf(() => assertCanCancel(contract({ status: 'completed' })))).toBe('CONTRACT_COMPLETED');
    expect(codeOf(() => assertCanCancel(contract({ status: 'cancelled' })))).toBe('CONTRACT_CANCELLED');
    expect(codeOf(() => assertCanCancel(contract({ status: 'expired' })))).toBe('CONTRACT_EXPIRED');
  });

  it('sends reminders inside the window at most once per interval', () => {
    const c = contract({ deadline: new Date(now.getTime() + 2 * day) });
    expect(reminderDue(c, null, now, 3, 24)).toBe(true);
    expect(reminderDue(c, new Date(now.getTime() - 23 * 3_600_000), now, 3, 24)).toBe(false);
    expect(reminderDue(c, new Date(now.getTime() - 24 * 3_600_000), now, 3, 24)).toBe(true);
    expect(reminderDue(contract({ deadline: new Date(now.getTime() + 5 * day) }), null, now, 3, 24)).toBe(
      false,
    );
    expect(reminderDue(contract({ deadline: null }), null, now, 3, 24)).toBe(false);
  });

  it('allows copies for the configured period after completion (EC-10)', () => {
    const done = new Date(now.getTime() - 30 * day);
    expect(copyDownloadAllowed(done, now, 31)).toBe(true);
    expect(copyDownloadAllowed(done, now, 30)).toBe(false);
    expect(copyDownloadAllowed(done, now, 0)).toBe(true);
  });

  it('reads a deadline date as the end of that Tokyo day and refuses the past', () => {
    expect(resolveDeadline('2026-04-05', now, 30)?.toISOString()).toBe('2026-04-05T15:00:00.000Z');
    expect(resolveDeadline(undefined, now, 30)?.getTime()).toBe(now.getTime() + 30 * day);
    expect(resolveDeadline(undefined, now, 0)).toBeNull();
    expect(codeOf(() => resolveDeadline('2026-03-01', now, 30))).toBe('DEADLINE_IN_PAST');
    expect(codeOf(() => resolveDeadline('2026-02-30', now, 30))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => resolveDeadline('tomorrow', now, 30))).toBe('VALIDATION_FAILED');
  });

  it('checks the signer list and names the roles', () => {
    expect(codeOf(() => assertSignerList([], 5))).toBe('VALIDATION_FAILED');
    expect(codeOf(() => assertSignerList(['a', 'a'], 5))).toBe('DUPLICATE_SIGNER');
    expect(codeOf(() => assertSignerList(['a', 'b', 'c'], 2))).toBe('TOO_MANY_SIGNERS');
    expect(codeOf(() => assertSignerList(['a', 'b'], 5))).toBeUndefined();
    expect([roleOf(1), roleOf(2), roleOf(3)]).toEqual(['debtor', 'guarantor', 'guarantor']);
  });
});
