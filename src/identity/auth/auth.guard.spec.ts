import { satisfies } from './auth.guard';
import { Principal, StaffRole } from './principal';
import { csrfTokenFor } from './session-cookies';

const staff = (roles: StaffRole[]): Principal => ({
  kind: 'staff',
  id: 's',
  loginId: 'S1',
  name: 'n',
  email: 'e',
  roles,
  sessionId: 'x',
});
const subscriber: Principal = {
  kind: 'subscriber',
  id: 'u',
  loginId: 'U1',
  name: 'n',
  email: 'e',
  subscriberKind: 'individual',
  status: 'active',
  sessionId: 'x',
};

describe('role requirements', () => {
  it('RequireStaff(roles) accepts any of the roles and refuses subscribers', () => {
    const r = { kind: 'staff' as const, roles: [StaffRole.RA_OFFICER, StaffRole.AUDITOR] };
    expect(satisfies(staff([StaffRole.AUDITOR]), r)).toBe(true);
    expect(satisfies(staff([StaffRole.LOAN_OFFICER]), r)).toBe(false);
    expect(satisfies(staff([]), r)).toBe(false);
    expect(satisfies(subscriber, r)).toBe(false);
  });

  it('RequireStaff() with no roles accepts any staff member', () => {
    expect(satisfies(staff([StaffRole.OPERATIONS]), { kind: 'staff', roles: [] })).toBe(true);
    expect(satisfies(subscriber, { kind: 'staff', roles: [] })).toBe(false);
  });

  it('RequireSubscriber refuses staff; RequireAuth accepts both', () => {
    expect(satisfies(subscriber, { kind: 'subscriber', roles: [] })).toBe(true);
    expect(satisfies(staff([StaffRole.ADMIN]), { kind: 'subscriber', roles: [] })).toBe(false);
    expect(satisfies(subscriber, { kind: 'any', roles: [] })).toBe(true);
    expect(satisfies(staff([]), { kind: 'any', roles: [] })).toBe(true);
  });
});

describe('CSRF token', () => {
  it('is bound to the session token', () => {
    expect(csrfTokenFor('a'.repeat(43))).toBe(csrfTokenFor('a'.repeat(43)));
    expect(csrfTokenFor('a'.repeat(43))).not.toBe(csrfTokenFor('b'.repeat(43)));
  });
});
