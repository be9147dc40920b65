/**
 * PIN (暗証コード) policy, seed 000 §9(5) and 用語⑥; NIST SP 800-63B §5.1.1.2 for activation
 * secrets: a minimum length, no trivially guessable values (one repeated character, a simple
 * ascending or descending run, the holder's birth date), and a hard cap on wrong attempts enforced
 * elsewhere. Pure: returns the reasons a PIN is refused, empty when acceptable.
 */
export type PinProblem =
  'TOO_SHORT' | 'TOO_LONG' | 'INVALID_CHARACTERS' | 'REPEATED' | 'SEQUENCE' | 'BIRTH_DATE';

export const PIN_MAX_LENGTH = 64;

export function checkPin(pin: string, rules: { minLength: number; birthDate?: string | null }): PinProblem[] {
  const problems: PinProblem[] = [];
  if (pin.length < rules.minLength) problems.push('TOO_SHORT');
  if (pin.length > PIN_MAX_LENGTH) problems.push('TOO_LONG');
  // Printable ASCII only: the PIN must be typeable on every keyboard and never depend on IME state.
  if (!/^[\x21-\x7e]*$/.test(pin)) problems.push('INVALID_CHARACTERS');
  if (pin.length > 1 && /^(.)\1+$/.test(pin)) problems.push('REPEATED');
  if (pin.length > 2 && isSimpleSequence(pin)) problems.push('SEQUENCE');
  if (rules.birthDate && birthDateForms(rules.birthDate).includes(pin)) problems.push('BIRTH_DATE');
  return problems;
}

/** 123456, 654321, 234567, abcdef, 901234 (wrapping digits), … */
function isSimpleSequence(pin: string): boolean {
  const lower = pin.toLowerCase();
  const digits = /^\d+$/.test(lower);
  if (!digits && !/^[a-z]+$/.test(lower)) return false;
  const codes = [...lower].map((c) => c.charCodeAt(0));
  const mod = digits ? 10 : 26;
  const base = digits ? 48 : 97;
  for (const step of [1, -1]) {
    let ok = true;
    for (let i = 1; i < codes.length && ok; i++) {
      ok = (codes[i - 1] - base + step + mod) % mod === codes[i] - base;
    }
    if (ok) return true;
  }
  return false;
}

/** YYYYMMDD, YYMMDD, MMDDYYYY, DDMMYYYY, MMDD from `YYYY-MM-DD`. */
function birthDateForms(birthDate: string): string[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthDate);
  if (!m) return [];
  const [, y, mo, d] = m;
  return [
    `${y}${mo}${d}`,
    `${y.slice(2)}${mo}${d}`,
    `${mo}${d}${y}`,
    `${d}${mo}${y}`,
    `${mo}${d}`,
    `${y}-${mo}-${d}`,
  ];
}

const MESSAGES: Record<PinProblem, (min: number) => string> = {
  TOO_SHORT: (min) => `暗証コードは${min}文字以上で設定してください。`,
  TOO_LONG: () => `暗証コードは${PIN_MAX_LENGTH}文字以内で設定してください。`,
  INVALID_CHARACTERS: () => '暗証コードには半角の英数字・記号のみ使用できます。',
  REPEATED: () => '同じ文字だけの暗証コードは設定できません。',
  SEQUENCE: () => '連続した数字・文字（123456 など）の暗証コードは設定できません。',
  BIRTH_DATE: () => '生年月日を暗証コードに使用することはできません。',
};

export function pinProblemMessage(problems: PinProblem[], minLength: number): string {
  return problems.map((p) => MESSAGES[p](minLength)).join(' ');
}
