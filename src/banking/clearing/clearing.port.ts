/**
 * The port to the interbank clearing network (全銀システム). The default adapter simulates it
 * in-process; a real adapter would speak to the bank's 全銀 gateway.
 */
export interface PayeeQuery {
  bankCode: string;
  branchCode: string;
  accountType: string;
  accountNumber: string;
}

export type PayeeLookup = { found: true; nameKana: string } | { found: false };

export interface OutgoingTransfer extends PayeeQuery {
  transferId: string;
  amountYen: number;
  payeeNameKana: string;
  remitterNameKana: string;
  executionDate: string;
}

export interface ClearingReturn {
  transferId: string;
  /** e.g. 入金不能 (no such account / name mismatch). */
  reason: string;
}

export abstract class ClearingPort {
  /** 受取人名照会: the receiving bank's account name in kana. */
  abstract lookupPayee(query: PayeeQuery): Promise<PayeeLookup>;
  /** Sends a transfer; returns the network reference. Returns arrive later through pollReturns. */
  abstract send(transfer: OutgoingTransfer): Promise<{ reference: string }>;
  /** Returns (入金不能/組戻し) that have arrived by `now`; each is delivered once. */
  abstract pollReturns(now: Date): Promise<ClearingReturn[]>;
}
