import { Column, Entity, PrimaryColumn } from 'typeorm';
import { InstantColumn } from '../database/columns';

/**
 * History of registered personal data (EC-12): each change of name, kana, email, phone, roles or
 * status with who made it and when. Append-only; the audit log carries the same event.
 */
@Entity('identity_account_changes')
export class AccountChangeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36, name: 'account_id' })
  accountId!: string;

  @Column({ type: 'varchar', length: 40 })
  field!: string;

  @Column({ type: 'text', name: 'old_value', nullable: true })
  oldValue!: string | null;

  @Column({ type: 'text', name: 'new_value', nullable: true })
  newValue!: string | null;

  @Column({ type: 'varchar', length: 100, name: 'changed_by' })
  changedBy!: string;

  @InstantColumn({ name: 'changed_at' })
  changedAt!: Date;
}
