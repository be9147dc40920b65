let mockLoads = 0;
// The real package, counted: the directory must be read on the first lookup, once.
jest.mock('zengin-code', () => {
  mockLoads++;
  return jest.requireActual<object>('zengin-code');
});

import { findBank, findBranch, knowsBank } from './bank-directory';

describe('bank directory', () => {
  it('is read on the first lookup only, not when the module is imported', () => {
    expect(mockLoads).toBe(0);
    expect(knowsBank('0001')).toBe(true);
    expect(mockLoads).toBe(1);
    expect(findBank('0001')).toMatchObject({ code: '0001', name: 'みずほ' });
    expect(mockLoads).toBe(1);
  });

  it('answers lookups from the package data', () => {
    const bank = findBank('0001');
    expect(bank?.kana).toMatch(/^[\uff61-\uff9f]+$/); // half-width kana, as Zengin records carry it
    const branch = findBranch('0001', '001');
    expect(branch).toMatchObject({ bankCode: '0001', branchCode: '001', branchName: '東京営業部' });
    expect(findBranch('0001', '1')).toBeUndefined();
    expect(findBank('01')).toBeUndefined();
    expect(knowsBank('0000')).toBe(false);
  });
});
