/**
 * Pure transfer rules: classification (BK-06), the fee table (seed 003 §6-1(1)), consumption tax
 * split for the books, and limit arithmetic (BK-08). No I/O.
 */
export type TransferKind = 'furikae' | 'furikomi';
export type FeeBand = 'same-branch' | 'other-branch' | 'other-bank';

export interface AccountRef {
  bankCode: string;
  branchCode: string;
  /** Half-width kana, as normalised by normaliseKana. */
  nameKana: string;
}

/**
 * seed 003 §5-1 / §6-1: same branch and same name is 振替; a different branch, another bank or a
 * different name is 振込.
 */
export function classifyTransfer(debit: AccountRef, credit: AccountRef): TransferKind {
  return debit.bankCode === credit.bankCode &&
    debit.branchCode === credit.branchCode &&
    debit.nameKana === credit.nameKana
    ? 'furikae'
    : 'furikomi';
}

export function feeBand(debit: AccountRef, credit: Omit<AccountRef, 'nameKana'>): FeeBand {
  if (debit.bankCode !== credit.bankCode) return 'other-bank';
  return debit.branchCode === credit.branchCode ? 'same-branch' : 'other-branch';
}

export interface FeeTable {
  sameBranchYen: number;
  otherBranchBelowYen: number;
  otherBranchAboveYen: number;
  otherBankBelowYen: number;
  otherBankAboveYen: number;
  /** Amounts at or above use the "above" column. */
  thresholdYen: number;
}

/** The fee (tax included) for a transfer; 振替 is free. */
export function transferFee(table: FeeTable, kind: TransferKind, band: FeeBand, amountYen: number): number {
  if (kind === 'furikae') return 0;
  const above = amountYen >= table.thresholdYen;
  switch (band) {
    case 'same-branch':
      return table.sameBranchYen;
    case 'other-branch':
      return above ? table.otherBranchAboveYen : table.otherBranchBelowYen;
    case 'other-bank':
      return above ? table.otherBankAboveYen : table.otherBankBelowYen;
  }
}

/**
 * Splits a tax-included fee into income and consumption tax (tax = fee × r / (100 + r), rounded
 * down in the customer's favour, so income + tax = fee exactly).
 */
export function splitTax(feeYen: number, taxPercent: number): { incomeYen: number; taxYen: number } {
  const incomeYen = Math.ceil((feeYen * 100) / (100 + taxPercent));
  return { incomeYen, taxYen: feeYen - incomeYen };
}

export interface Limits {
  perTransferYen: number;
  perDayYen: number;
}

/** BK-08: the effective limit is the lower of the bank's and the customer's (when set). */
export function effectiveLimits(bank: Limits, customer: Partial<Limits> | undefined): Limits {
  return {
    perTransferYen: Math.min(bank.perTransferYen, customer?.perTransferYen ?? Infinity),
    perDayYen: Math.min(bank.perDayYen, customer?.perDayYen ?? Infinity),
  };
}

export type LimitBreach = 'per-transfer' | 'per-day' | undefined;

/** Which limit `amountYen` would break given what the day already used. Fees do not count. */
export function checkLimits(limits: Limits, usedTodayYen: number, amountYen: number): LimitBreach {
  if (amountYen > limits.perTransferYen) return 'per-transfer';
  if (usedTodayYen + amountYen > limits.perDayYen) return 'per-day';
  return undefined;
}

/** Withdrawable = balance + overdraft limit (総合口座/当座貸越, seed 003 §4-3(3)). */
export function withdrawable(balanceYen: number, overdraftLimitYen: number): number {
  return balanceYen + overdraftLimitYen;
}
