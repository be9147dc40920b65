import { normaliseNameKana, toHalfWidthKana } from './kana';
import {
  checkLimits,
  classifyTransfer,
  effectiveLimits,
  feeBand,
  splitTax,
  transferFee,
} from './transfer-rules';

const table = {
  sameBranchYen: 0,
  otherBranchBelowYen: 110,
  otherBranchAboveYen: 220,
  otherBankBelowYen: 275,
  otherBankAboveYen: 440,
  thresholdYen: 30_000,
};
const me = { bankCode: '1188', branchCode: '002', nameKana: 'ｼﾝｷﾝ ﾀﾛｳ' };

describe('transfer classification (BK-06)', () => {
  it('is 振替 for the same branch and the same name', () => {
    expect(classifyTransfer(me, { ...me })).toBe('furikae');
  });
  it('is 振込 for a different name at the same branch', () => {
    expect(classifyTransfer(me, { ...me, nameKana: 'ｼﾝｷﾝ ﾊﾅｺ' })).toBe('furikomi');
  });
  it('is 振込 for the same name at another branch or bank', () => {
    expect(classifyTransfer(me, { ...me, branchCode: '003' })).toBe('furikomi');
    expect(classifyTransfer(me, { ...me, bankCode: '0001' })).toBe('furikomi');
  });
  it('bands fees by branch and bank', () => {
    expect(feeBand(me, me)).toBe('same-branch');
    expect(feeBand(me, { ...me, branchCode: '003' })).toBe('other-branch');
    expect(feeBand(me, { bankCode: '0005', branchCode: '002' })).toBe('other-bank');
  });
});

describe('fee table', () => {
  it('charges nothing for 振替', () => {
    expect(transferFee(table, 'furikae', 'same-branch', 1_000_000)).toBe(0);
  });
  it('uses the threshold inclusively', () => {
    expect(transferFee(table, 'furikomi', 'other-bank', 29_999)).toBe(275);
    expect(transferFee(table, 'furikomi', 'other-bank', 30_000)).toBe(440);
    expect(transferFee(table, 'furikomi', 'other-branch', 29_999)).toBe(110);
    expect(transferFee(table, 'furikomi', 'other-branch', 30_000)).toBe(220);
    expect(transferFee(table, 'furikomi', 'same-branch', 30_000)).toBe(0);
  });
  it('splits tax-included fees so the parts add up', () => {
    expect(splitTax(440, 10)).toEqual({ incomeYen: 400, taxYen: 40 });
    expect(splitTax(275, 10)).toEqual({ incomeYen: 250, taxYen: 25 });
    expect(splitTax(880, 10)).toEqual({ incomeYen: 800, taxYen: 80 });
    const odd = splitTax(333, 8);
    expect(odd.incomeYen + odd.taxYen).toBe(333);
    expect(splitTax(0, 10)).toEqual({ incomeYen: 0, taxYen: 0 });
  });
});

describe('limits (BK-08)', () => {
  const bank = { perTransferYen: 1_000_000, perDayYen: 2_000_000 };
  it('takes the lower of the bank and the customer limits', () => {
    expect(effectiveLimits(bank, undefined)).toEqual(bank);
    expect(effectiveLimits(bank, { perDayYen: 500_000 })).toEqual({
      perTransferYen: 1_000_000,
      perDayYen: 500_000,
    });
    expect(effectiveLimits(bank, { perTransferYen: 5_000_000 })).toEqual(bank);
  });
  it('detects each breach at the boundary', () => {
    expect(checkLimits(bank, 0, 1_000_000)).toBeUndefined();
    expect(checkLimits(bank, 0, 1_000_001)).toBe('per-transfer');
    expect(checkLimits(bank, 1_000_000, 1_000_000)).toBeUndefined();
    expect(checkLimits(bank, 1_000_001, 1_000_000)).toBe('per-day');
  });
});

describe('kana normalisation', () => {
  it('turns full-width katakana and hiragana into half-width with split dakuten', () => {
    expect(toHalfWidthKana('シンキン　タロウ')).toBe('ｼﾝｷﾝ ﾀﾛｳ');
    expect(toHalfWidthKana('ぎんこう')).toBe('ｷﾞﾝｺｳ');
    expect(toHalfWidthKana('パン')).toBe('ﾊﾟﾝ');
    expect(toHalfWidthKana('アブクマシンキン－')).toBe('ｱﾌﾞｸﾏｼﾝｷﾝ-');
  });
  it('refuses kanji in a kana name', () => {
    expect(normaliseNameKana('山田')).toBeUndefined();
    expect(normaliseNameKana('ﾔﾏﾀﾞ ﾀﾛｳ')).toBe('ﾔﾏﾀﾞ ﾀﾛｳ');
    expect(normaliseNameKana('  ')).toBeUndefined();
  });
});
