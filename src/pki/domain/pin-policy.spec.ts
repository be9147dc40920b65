import { checkPin } from './pin-policy';

describe('PIN policy', () => {
  const rules = { minLength: 6, birthDate: '1980-04-15' };
  it.each([
    ['482915', []],
    ['pA55-word', []],
    ['12945', ['TOO_SHORT']],
    ['111111', ['REPEATED']],
    ['123456', ['SEQUENCE']],
    ['654321', ['SEQUENCE']],
    ['890123', ['SEQUENCE']],
    ['abcdef', ['SEQUENCE']],
    ['19800415', ['BIRTH_DATE']],
    ['800415', ['BIRTH_DATE']],
    ['暗証コード12', ['INVALID_CHARACTERS']],
    ['x'.repeat(65), ['TOO_LONG', 'REPEATED']],
  ])('%s → %j', (pin, expected) => {
    expect(checkPin(pin, rules)).toEqual(expected);
  });

  it('accepts the birth date of someone else', () => {
    expect(checkPin('19800415', { minLength: 6, birthDate: '1990-01-01' })).toEqual([]);
    expect(checkPin('19800415', { minLength: 6 })).toEqual([]);
  });
});
