import { Column, Entity, PrimaryColumn } from 'typeorm';
import { BigIntColumn, InstantColumn, MoneyColumn } from '../../database/columns';

export type AccountKind = 'deposit' | 'internal';
/** 預金種目: 1 普通, 2 当座, 4 貯蓄. */
export type AccountType = '1' | '2' | '4';
export const ACCOUNT_TYPES: readonly AccountType[] = ['1', '2', '4'];
export const ACCOUNT_TYPE_NAMES: Record<string, string> = {
  '1': '普通',
  '2': '当座',
  '4': '貯蓄',
  '9': '内部',
};
export type AccountStatus = 'open' | 'closed';

/** The bank's internal (general-ledger) accounts the core posts against. */
export enum InternalAccount {
  CASH = 'CASH',
  CLEARING = 'CLEARING',
  FEE_INCOME = 'FEE_INCOME',
  TAX_PAYABLE = 'TAX_PAYABLE',
}

/**
 * A ledger account. Deposit accounts keep their balance in step with their postings (updated in
 * the posting's transaction, under a row lock). Internal accounts (cash, clearing, fee income,
 * tax) are hit by every transfer: their balance is derived from postings, never stored, so they
 * are not a lock every transfer queues on.
 */
@Entity('bk_accounts')
export class AccountEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 10 }) kind!: AccountKind;
  @Column({ name: 'internal_code', type: 'varchar', length: 20, nullable: true }) internalCode!:
    string | null;
  @Column({ name: 'branch_code', type: 'varchar', length: 3 }) branchCode!: string;
  @Column({ name: 'account_type', type: 'varchar', length: 1 }) accountType!: string;
  @Column({ name: 'account_number', type: 'varchar', length: 7 }) accountNumber!: string;
  @Column({ name: 'name_kanji', type: 'varchar', length: 100 }) nameKanji!: string;
  @Column({ name: 'name_kana', type: 'varchar', length: 100 }) nameKana!: string;
  @Column({ name: 'customer_id', type: 'varchar', length: 36, nullable: true }) customerId!: string | null;
  @Column({ type: 'varchar', length: 10 }) status!: AccountStatus;
  @Column({ name: 'payment_stopped', type: 'boolean' }) paymentStopped!: boolean;
  @Column({ type: 'boolean' }) garnished!: boolean;
  @MoneyColumn({ name: 'overdraft_limit_yen' }) overdraftLimitYen!: number;
  @MoneyColumn({ name: 'balance_yen' }) balanceYen!: number;
  /** Number of postings on this account; each posting carries its own account_seq. */
  @BigIntColumn({ name: 'last_seq' }) lastSeq!: number;
  @Column({ name: 'opened_on', type: 'varchar', length: 10 }) openedOn!: string;
  @Column({ name: 'closed_on', type: 'varchar', length: 10, nullable: true }) closedOn!: string | null;
  @InstantColumn({ name: 'created_at' }) createdAt!: Date;
  @InstantColumn({ name: 'updated_at' }) updatedAt!: Date;
}
