import { checkLedger, postingProblem, withoutZeroLines } from './posting';

const l = (accountId: string, amountYen: number) => ({ accountId, amountYen, description: 'x' });

describe('posting rules', () => {
  it('accepts balanced lines', () => {
    expect(postingProblem([l('a', -1000), l('b', 1000)])).toBeUndefined();
    expect(postingProblem([l('a', -1440), l('b', 1000), l('fee', 400), l('tax', 40)])).toBeUndefined();
  });
  it('refuses unbalanced, fractional, zero and single lines', () => {
    expect(postingProblem([l('a', -1000), l('b', 999)])).toBe('unbalanced');
    expect(postingProblem([l('a', -0.5), l('b', 0.5)])).toBe('not-integer');
    expect(postingProblem([l('a', 0), l('b', 0)])).toBe('zero-line');
    expect(postingProblem([l('a', 0)])).toBe('too-few-lines');
  });
  it('drops zero fee lines', () => {
    expect(withoutZeroLines([l('a', -5), l('b', 5), l('fee', 0)])).toHaveLength(2);
  });
});

describe('ledger check', () => {
  it('passes consistent books', () => {
    expect(
      checkLedger({
        accounts: [{ id: 'a', balanceYen: 5, postingsSumYen: 5, lastBalanceAfterYen: 5 }],
        unbalancedJournals: [],
        totalYen: 0,
      }),
    ).toEqual([]);
  });
  it('reports each broken invariant', () => {
    const findings = checkLedger({
      accounts: [
        { id: 'a', balanceYen: 6, postingsSumYen: 5, lastBalanceAfterYen: 5 },
        { id: 'b', balanceYen: 0, postingsSumYen: 0, lastBalanceAfterYen: null },
      ],
      unbalancedJournals: [{ id: 'j', sumYen: 1 }],
      totalYen: 1,
    });
    expect(findings.map((f) => f.kind)).toEqual([
      'balance-mismatch',
      'running-balance-mismatch',
      'journal-unbalanced',
      'books-unbalanced',
    ]);
  });
});
