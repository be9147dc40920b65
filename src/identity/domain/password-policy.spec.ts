import { checkPassword, describePasswordProblems } from './password-policy';

const opts = { minLength: 10, minScore: 2 };

describe('password policy', () => {
  it('accepts a long passphrase', () => {
    expect(checkPassword('kawa-no-nagare 2026 sakura', { loginId: 'U12345678' }, opts)).toEqual([]);
  });

  it('refuses a short password', () => {
    expect(checkPassword('Ab3$xY9!', { loginId: 'U1' }, opts)).toContain('too_short');
  });

  it('refuses a password over 128 characters', () => {
    expect(checkPassword('a'.repeat(129), { loginId: 'U1' }, opts)).toContain('too_long');
  });

  it('refuses the login ID as password', () => {
    expect(checkPassword('tanaka.taro', { loginId: 'Tanaka.Taro' }, opts)).toContain('same_as_login_id');
  });

  it('refuses a common password even when long enough', () => {
    expect(checkPassword('password123', { loginId: 'U1' }, opts)).toContain('common_password');
    expect(checkPassword('1234567890', { loginId: 'U1' }, opts)).toContain('common_password');
  });

  it('refuses a weak password when a minimum score is set, and not when it is 0', () => {
    expect(checkPassword('aaaaaaaaaaaa', { loginId: 'U1' }, opts)).toContain('too_weak');
    expect(checkPassword('aaaaaaaaaaaa', { loginId: 'U1' }, { minLength: 10, minScore: 0 })).toEqual([]);
  });

  it('explains each problem in Japanese', () => {
    expect(describePasswordProblems(['too_short', 'common_password'], opts)).toMatch(
      /10文字以上.*よく使われて/,
    );
  });
});
