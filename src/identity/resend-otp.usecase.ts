import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AppError } from '../common/errors/app-error';
import { randomDigits } from '../common/crypto/secrets';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { KeyVault } from '../platform/key-vault/key-vault';
import { AccountEntity } from './account.entity';
import { AccountService } from './account.service';
import { IdentityMail } from './identity-mail';
import { IdentityErrorCode } from './identity.errors';
import { LoginChallengeEntity } from './login-challenge.entity';
import { loadLiveChallenge, throwChallengeFailure } from './verify-otp.usecase';

/**
 * A new code for the same login attempt, at most once per OTP_RESEND_INTERVAL_SECONDS and
 * OTP_MAX_RESENDS times; the earlier code stops working and the wrong-entry count carries over.
 */
@Injectable()
export class ResendOtp {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Clock) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly accounts: AccountService,
    private readonly mail: IdentityMail,
    private readonly vault: KeyVault,
  ) {}

  async execute(challengeId: string): Promise<{ challengeId: string; expiresAt: string }> {
    const r = await this.dataSource.transaction(async (m) => {
      const now = this.clock.now();
      const live = await loadLiveChallenge(m, this.accounts, challengeId, now, this.config.OTP_MAX_ATTEMPTS, {
        allowExpired: true,
      });
      if (typeof live === 'string') return live;
      const { challenge, account } = live;
      const waitMs =
        challenge.lastSentAt.getTime() + this.config.OTP_RESEND_INTERVAL_SECONDS * 1000 - now.getTime();
      if (waitMs > 0) return { tooSoon: Math.ceil(waitMs / 1000) };
      if (challenge.resendCount >= this.config.OTP_MAX_RESENDS) return 'limit' as const;
      const otp = randomDigits(6);
      challenge.otpHash = this.vault.codeDigest(otp, challenge.id);
      challenge.lastSentAt = now;
      challenge.expiresAt = new Date(now.getTime() + this.config.OTP_TTL_SECONDS * 1000);
      challenge.resendCount += 1;
      await m.getRepository(LoginChallengeEntity).save(challenge);
      const subject = `${account.kind}:${account.id}`;
      await this.audit.append(
        {
          actor: subject,
          action: 'auth.otp.resent',
          subject,
          details: { challengeId: challenge.id, resendCount: challenge.resendCount },
        },
        m,
      );
      return { account, otp, expiresAt: challenge.expiresAt };
    });
    if (r === 'limit') {
      throw AppError.unauthorized(
        IdentityErrorCode.OTP_RESEND_LIMIT,
        '再送信の上限に達しました。最初からログインし直してください。',
      );
    }
    if (typeof r === 'string') throwChallengeFailure(r);
    if ('tooSoon' in r) {
      throw new AppError(
        IdentityErrorCode.OTP_RESEND_TOO_SOON,
        429,
        `再送信は${r.tooSoon}秒後からできます。`,
        { retryAfterSeconds: r.tooSoon },
      );
    }
    const account: AccountEntity = r.account;
    await this.mail.sendOtp(account.email, account.name, r.otp, r.expiresAt);
    return { challengeId, expiresAt: r.expiresAt.toISOString() };
  }
}
