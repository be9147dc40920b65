import { Column, Entity, PrimaryColumn } from 'typeorm';
import { InstantColumn } from '../database/columns';

export type SessionEndReason =
  'logout' | 'password_changed' | 'locked' | 'suspended' | 'deleted' | 'restricted' | 'idle' | 'expired';

/** A logged-in session. The bearer token is stored only as its SHA-256. */
@Entity('identity_sessions')
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36, name: 'account_id' })
  accountId!: string;

  @Column({ type: 'varchar', length: 64, name: 'token_hash' })
  tokenHash!: string;

  @InstantColumn({ name: 'created_at' })
  createdAt!: Date;

  @InstantColumn({ name: 'last_seen_at' })
  lastSeenAt!: Date;

  /** Absolute end (SESSION_ABSOLUTE_HOURS after creation). */
  @InstantColumn({ name: 'expires_at' })
  expiresAt!: Date;

  @InstantColumn({ name: 'ended_at', nullable: true })
  endedAt!: Date | null;

  @Column({ type: 'varchar', length: 30, name: 'end_reason', nullable: true })
  endReason!: SessionEndReason | null;
}
