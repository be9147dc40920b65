import { TransferCaseEntity, TransferEntity } from './transfer.entity';

export interface TransferView {
  id: string;
  status: string;
  kind: string;
  kindLabel: string;
  debitAccountId: string;
  payee: {
    bankCode: string;
    bankName: string;
    branchCode: string;
    branchName: string;
    accountType: string;
    accountNumber: string;
    nameKana: string;
  };
  amountYen: number;
  feeYen: number;
  totalYen: number;
  memo: string;
  timing: string;
  executionDate: string;
  confirmDeadline: string;
  requestedAt: string;
  confirmedAt: string | null;
  executedAt: string | null;
  failureCode: string | null;
  failureMessage: string | null;
}

export function transferView(t: TransferEntity): TransferView {
  return {
    id: t.id,
    status: t.status,
    kind: t.kind,
    kindLabel: t.kind === 'furikae' ? '振替' : '振込',
    debitAccountId: t.debitAccountId,
    payee: {
      bankCode: t.payeeBankCode,
      bankName: t.payeeBankName,
      branchCode: t.payeeBranchCode,
      branchName: t.payeeBranchName,
      accountType: t.payeeAccountType,
      accountNumber: t.payeeAccountNumber,
      nameKana: t.payeeNameKana,
    },
    amountYen: t.amountYen,
    feeYen: t.feeYen,
    totalYen: t.amountYen + t.feeYen,
    memo: t.memo,
    timing: t.timing,
    executionDate: t.executionDate,
    confirmDeadline: t.confirmDeadline.toISOString(),
    requestedAt: t.requestedAt.toISOString(),
    confirmedAt: t.confirmedAt?.toISOString() ?? null,
    executedAt: t.executedAt?.toISOString() ?? null,
    failureCode: t.failureCode,
    failureMessage: t.failureMessage,
  };
}

export function caseView(c: TransferCaseEntity) {
  return {
    id: c.id,
    transferId: c.transferId,
    kind: c.kind,
    reason: c.reason,
    feeYen: c.feeYen,
    status: c.status,
    resolutionNote: c.resolutionNote,
    createdAt: c.createdAt.toISOString(),
    resolvedAt: c.resolvedAt?.toISOString() ?? null,
  };
}
