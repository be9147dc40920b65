import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

/**
 * Password rules (issue "Passwords", BK-16): a minimum length set by the bank, at most 128
 * characters, not the login ID, not a common password, and a minimum zxcvbn strength. The
 * dictionaries ship with @zxcvbn-ts/language-common, so the check runs offline.
 */
export const PASSWORD_MAX_LENGTH = 128;

export type PasswordProblem = 'too_short' | 'too_long' | 'same_as_login_id' | 'common_password' | 'too_weak';

export interface PasswordPolicyOptions {
  minLength: number;
  minScore: number;
}

const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...common.dictionary },
  graphs: common.adjacencyGraphs,
});

const COMMON_PASSWORDS = new Set(common.dictionary['passwords-common'].map((p) => p.toLowerCase()));

export function checkPassword(
  password: string,
  context: { loginId: string; name?: string; email?: string },
  options: PasswordPolicyOptions,
): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const length = [...password].length;
  if (length < options.minLength) problems.push('too_short');
  if (length > PASSWORD_MAX_LENGTH) return [...problems, 'too_long'];
  if (password.toLowerCase() === context.loginId.toLowerCase()) problems.push('same_as_login_id');
  const result = zxcvbn.check(
    password,
    [context.loginId, context.email ?? '', context.name ?? ''].filter(Boolean),
  );
  const wholeCommon =
    COMMON_PASSWORDS.has(password.toLowerCase()) ||
    result.sequence.some(
      (m) =>
        m.pattern === 'dictionary' &&
        m.dictionaryName === 'passwords-common' &&
        m.i === 0 &&
        m.j === password.length - 1,
    );
  if (wholeCommon) problems.push('common_password');
  else if (result.score < options.minScore) problems.push('too_weak');
  return problems;
}

const MESSAGES: Record<PasswordProblem, (o: PasswordPolicyOptions) => string> = {
  too_short: (o) => `パスワードは${o.minLength}文字以上にしてください。`,
  too_long: () => `パスワードは${PASSWORD_MAX_LENGTH}文字以内にしてください。`,
  same_as_login_id: () => 'ログインIDと同じパスワードは使用できません。',
  common_password: () => 'よく使われているパスワードのため使用できません。',
  too_weak: () => '推測されやすいパスワードです。より長く、単語の組合せを避けたものにしてください。',
};

export function describePasswordProblems(problems: PasswordProblem[], o: PasswordPolicyOptions): string {
  return problems.map((p) => MESSAGES[p](o)).join(' ');
}
