import { Column, Entity, PrimaryColumn } from 'typeorm';
import { BigIntColumn, InstantColumn, MoneyColumn } from '../../database/columns';

export type JournalKind =
  'cash-deposit' | 'cash-withdrawal' | 'transfer' | 'transfer-return' | 'case-fee' | 'recall';

/** One balanced, append-only journal entry (BK-20: the electronic record is authoritative). */
@Entity('bk_journal_entries')
export class JournalEntryEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 30 }) kind!: JournalKind;
  @Column({ name: 'business_date', type: 'varchar', length: 10 }) businessDate!: string;
  @Column({ name: 'value_date', type: 'varchar', length: 10 }) valueDate!: string;
  @Column({ type: 'varchar', length: 200 }) description!: string;
  @Column({ name: 'transfer_id', type: 'varchar', length: 36, nullable: true }) transferId!: string | null;
  @Column({ type: 'varchar', length: 100 }) actor!: string;
  @InstantColumn({ name: 'created_at' }) createdAt!: Date;
}

/** One line of a journal entry on one account. */
@Entity('bk_postings')
export class PostingEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'journal_id', type: 'varchar', length: 36 }) journalId!: string;
  @Column({ name: 'account_id', type: 'varchar', length: 36 }) accountId!: string;
  /** Position in the deposit account's history (null for internal accounts). */
  @BigIntColumn({ name: 'account_seq', nullable: true }) accountSeq!: number | null;
  @MoneyColumn({ name: 'amount_yen' }) amountYen!: number;
  @MoneyColumn({ name: 'balance_after_yen', nullable: true }) balanceAfterYen!: number | null;
  @Column({ type: 'varchar', length: 100 }) description!: string;
  @Column({ name: 'business_date', type: 'varchar', length: 10 }) businessDate!: string;
  @Column({ name: 'value_date', type: 'varchar', length: 10 }) valueDate!: string;
  @InstantColumn({ name: 'created_at' }) createdAt!: Date;
}
