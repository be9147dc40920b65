import { Column, Entity, PrimaryColumn } from 'typeorm';
import { InstantColumn, MoneyColumn } from '../../database/columns';

export type TransferStatus =
  'awaiting_confirmation' | 'scheduled' | 'executed' | 'returned' | 'failed' | 'cancelled' | 'expired';

/** Statuses whose amount counts against the day's limit (seed 003 §6-4(1): returns still count). */
export const LIMIT_COUNTED_STATUSES: TransferStatus[] = ['scheduled', 'executed', 'returned'];

/** A transfer request (振替/振込) from request to its final state (BK-05..BK-09). */
@Entity('bk_transfers')
export class TransferEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'contract_id', type: 'varchar', length: 36 }) contractId!: string;
  @Column({ name: 'debit_account_id', type: 'varchar', length: 36 }) debitAccountId!: string;
  @Column({ type: 'varchar', length: 10 }) kind!: 'furikae' | 'furikomi';
  @Column({ name: 'fee_band', type: 'varchar', length: 15 }) feeBand!: string;
  @Column({ name: 'payee_bank_code', type: 'varchar', length: 4 }) payeeBankCode!: string;
  @Column({ name: 'payee_bank_name', type: 'varchar', length: 60 }) payeeBankName!: string;
  @Column({ name: 'payee_branch_code', type: 'varchar', length: 3 }) payeeBranchCode!: string;
  @Column({ name: 'payee_branch_name', type: 'varchar', length: 60 }) payeeBranchName!: string;
  @Column({ name: 'payee_account_type', type: 'varchar', length: 1 }) payeeAccountType!: string;
  @Column({ name: 'payee_account_number', type: 'varchar', length: 7 }) payeeAccountNumber!: string;
  @Column({ name: 'payee_name_kana', type: 'varchar', length: 100 }) payeeNameKana!: string;
  /** The credit account when the payee is at our bank. */
  @Column({ name: 'credit_account_id', type: 'varchar', length: 36, nullable: true }) creditAccountId!:
    string | null;
  @MoneyColumn({ name: 'amount_yen' }) amountYen!: number;
  @MoneyColumn({ name: 'fee_yen' }) feeYen!: number;
  @Column({ type: 'varchar', length: 30 }) memo!: string;
  @Column({ type: 'varchar', length: 25 }) status!: TransferStatus;
  /** 'now' (same day before the cutoff), 'next-business-day', 'designated'. */
  @Column({ name: 'timing', type: 'varchar', length: 20 }) timing!: string;
  @Column({ name: 'execution_date', type: 'varchar', length: 10 }) executionDate!: string;
  @InstantColumn({ name: 'confirm_deadline' }) confirmDeadline!: Date;
  @Column({ name: 'code_hash', type: 'varchar', length: 64, nullable: true }) codeHash!: string | null;
  @Column({ name: 'code_attempts', type: 'integer' }) codeAttempts!: number;
  @Column({ name: 'idempotency_key', type: 'varchar', length: 100, nullable: true }) idempotencyKey!:
    string | null;
  @Column({ name: 'request_hash', type: 'varchar', length: 64 }) requestHash!: string;
  @Column({ name: 'confirm_key', type: 'varchar', length: 100, nullable: true }) confirmKey!: string | null;
  @Column({ name: 'journal_id', type: 'varchar', length: 36, nullable: true }) journalId!: string | null;
  @Column({ name: 'return_journal_id', type: 'varchar', length: 36, nullable: true }) returnJournalId!:
    string | null;
  @Column({ name: 'clearing_ref', type: 'varchar', length: 64, nullable: true }) clearingRef!: string | null;
  @Column({ name: 'failure_code', type: 'varchar', length: 40, nullable: true }) failureCode!: string | null;
  @Column({ name: 'failure_message', type: 'varchar', length: 200, nullable: true }) failureMessage!:
    string | null;
  @InstantColumn({ name: 'requested_at' }) requestedAt!: Date;
  @InstantColumn({ name: 'confirmed_at', nullable: true }) confirmedAt!: Date | null;
  @InstantColumn({ name: 'executed_at', nullable: true }) executedAt!: Date | null;
  @InstantColumn({ name: 'closed_at', nullable: true }) closedAt!: Date | null;
  @InstantColumn({ name: 'updated_at' }) updatedAt!: Date;
}

export type CaseKind = 'correction' | 'recall';
export type CaseStatus = 'open' | 'done' | 'rejected';

/** 訂正/組戻し after confirmation (BK-09): a case with a fee that staff process. */
@Entity('bk_transfer_cases')
export class TransferCaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'transfer_id', type: 'varchar', length: 36 }) transferId!: string;
  @Column({ name: 'contract_id', type: 'varchar', length: 36 }) contractId!: string;
  @Column({ type: 'varchar', length: 12 }) kind!: CaseKind;
  @Column({ type: 'varchar', length: 500 }) reason!: string;
  @MoneyColumn({ name: 'fee_yen' }) feeYen!: number;
  @Column({ type: 'varchar', length: 10 }) status!: CaseStatus;
  @Column({ name: 'resolved_by', type: 'varchar', length: 100, nullable: true }) resolvedBy!: string | null;
  @Column({ name: 'resolution_note', type: 'varchar', length: 500, nullable: true }) resolutionNote!:
    string | null;
  @Column({ name: 'journal_id', type: 'varchar', length: 36, nullable: true }) journalId!: string | null;
  @InstantColumn({ name: 'created_at' }) createdAt!: Date;
  @InstantColumn({ name: 'resolved_at', nullable: true }) resolvedAt!: Date | null;
}
