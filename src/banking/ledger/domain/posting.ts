/**
 * Double-entry posting rules, pure. Sign convention: amounts are signed integer yen from the
 * bank's books' point of view on the account: positive credits the account (a deposit account's
 * balance grows), negative debits it. A journal entry balances when its lines sum to zero.
 */
export interface PostingLine {
  accountId: string;
  amountYen: number;
  /** 摘要 shown in the customer's history (half-width or full-width, ≤ 100 chars). */
  description: string;
}

export type PostingProblem = 'too-few-lines' | 'not-integer' | 'zero-line' | 'unbalanced';

/** Why a set of lines cannot be posted, or undefined when it can. */
export function postingProblem(lines: readonly PostingLine[]): PostingProblem | undefined {
  if (lines.length < 2) return 'too-few-lines';
  let sum = 0;
  for (const l of lines) {
    if (!Number.isSafeInteger(l.amountYen)) return 'not-integer';
    if (l.amountYen === 0) return 'zero-line';
    sum += l.amountYen;
  }
  return sum === 0 ? undefined : 'unbalanced';
}

/** Drops zero lines (a free transfer has no fee lines) and merges nothing else. */
export function withoutZeroLines(lines: readonly PostingLine[]): PostingLine[] {
  return lines.filter((l) => l.amountYen !== 0);
}

export interface LedgerFinding {
  kind: 'balance-mismatch' | 'journal-unbalanced' | 'books-unbalanced' | 'running-balance-mismatch';
  subject: string;
  expectedYen?: number;
  actualYen?: number;
}

export interface LedgerFacts {
  /** Per deposit account: the stored balance and the sum of its postings. */
  accounts: { id: string; balanceYen: number; postingsSumYen: number; lastBalanceAfterYen: number | null }[];
  /** Journals whose lines do not sum to zero (from a GROUP BY … HAVING query). */
  unbalancedJournals: { id: string; sumYen: number }[];
  /** Sum of every posting in the books. */
  totalYen: number;
}

/** The ledger invariants (`ledger check`): each finding is a broken invariant. */
export function checkLedger(facts: LedgerFacts): LedgerFinding[] {
  const out: LedgerFinding[] = [];
  for (const a of facts.accounts) {
    if (a.balanceYen !== a.postingsSumYen)
      out.push({
        kind: 'balance-mismatch',
        subject: a.id,
        expectedYen: a.postingsSumYen,
        actualYen: a.balanceYen,
      });
    const running = a.lastBalanceAfterYen ?? 0;
    if (running !== a.balanceYen)
      out.push({
        kind: 'running-balance-mismatch',
        subject: a.id,
        expectedYen: a.balanceYen,
        actualYen: running,
      });
  }
  for (const j of facts.unbalancedJournals)
    out.push({ kind: 'journal-unbalanced', subject: j.id, expectedYen: 0, actualYen: j.sumYen });
  if (facts.totalYen !== 0)
    out.push({ kind: 'books-unbalanced', subject: 'books', expectedYen: 0, actualYen: facts.totalYen });
  return out;
}
