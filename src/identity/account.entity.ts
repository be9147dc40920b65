import { Column, Entity, PrimaryColumn } from 'typeorm';
import { InstantColumn, JsonColumn } from '../database/columns';
import type { StaffRole, SubscriberStatus } from './auth/principal';

export type AccountKind = 'staff' | 'subscriber';
/** Staff use `active`, `suspended`, `deleted`; subscribers also `restricted` (EC-18). */
export type AccountStatus = SubscriberStatus;
export type LockReason = 'password' | 'otp';

/**
 * The credentials of one person (staff member or subscriber). Secrets are never stored in clear:
 * the password as Argon2id; the personal login key as SHA-256 for lookup (it is a 128-bit random
 * bearer value) and, because the invitation mails must carry the personal login URL (EC-07), also
 * sealed by the KeyVault under the account id.
 */
@Entity('identity_accounts')
export class AccountEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 20 })
  kind!: AccountKind;

  @Column({ type: 'varchar', length: 64, name: 'login_id' })
  loginId!: string;

  @Column({ type: 'varchar', length: 64, name: 'login_key_hash' })
  loginKeyHash!: string;

  /** KeyVault `kv1$sec$…` text of the login key; null for accounts created before it was kept. */
  @Column({ type: 'text', name: 'login_key_sealed', nullable: true })
  loginKeySealed!: string | null;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ type: 'text', name: 'password_hash' })
  passwordHash!: string;

  @Column({ type: 'boolean', name: 'must_change_password' })
  mustChangePassword!: boolean;

  @InstantColumn({ name: 'password_changed_at', nullable: true })
  passwordChangedAt!: Date | null;

  @Column({ type: 'integer', name: 'failed_password_count' })
  failedPasswordCount!: number;

  @Column({ type: 'integer', name: 'failed_otp_count' })
  failedOtpCount!: number;

  @InstantColumn({ name: 'locked_at', nullable: true })
  lockedAt!: Date | null;

  @Column({ type: 'varchar', length: 20, name: 'lock_reason', nullable: true })
  lockReason!: LockReason | null;

  @Column({ type: 'varchar', length: 20 })
  status!: AccountStatus;

  /** Staff roles; null for subscribers. */
  @JsonColumn({ nullable: true })
  roles!: StaffRole[] | null;

  @InstantColumn({ name: 'last_login_at', nullable: true })
  lastLoginAt!: Date | null;

  @InstantColumn({ name: 'created_at' })
  createdAt!: Date;

  @Column({ type: 'varchar', length: 100, name: 'created_by' })
  createdBy!: string;

  @InstantColumn({ name: 'updated_at' })
  updatedAt!: Date;
}
