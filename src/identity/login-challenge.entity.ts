import { Column, Entity, PrimaryColumn } from 'typeorm';
import { InstantColumn } from '../database/columns';

/**
 * One login attempt between the password step and the OTP step (EC-05 (2)→(3)). The OTP is kept
 * only as SHA-256 over the challenge id and the code, so a code is bound to its attempt.
 */
@Entity('identity_login_challenges')
export class LoginChallengeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 36, name: 'account_id' })
  accountId!: string;

  @Column({ type: 'varchar', length: 64, name: 'otp_hash' })
  otpHash!: string;

  @InstantColumn({ name: 'created_at' })
  createdAt!: Date;

  @InstantColumn({ name: 'expires_at' })
  expiresAt!: Date;

  @InstantColumn({ name: 'last_sent_at' })
  lastSentAt!: Date;

  @Column({ type: 'integer', name: 'resend_count' })
  resendCount!: number;

  @Column({ type: 'integer' })
  attempts!: number;

  @InstantColumn({ name: 'consumed_at', nullable: true })
  consumedAt!: Date | null;
}
