import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AppError } from '../common/errors/app-error';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { KeyVault } from '../platform/key-vault/key-vault';
import { AccountEntity } from './account.entity';
import { AccountService } from './account.service';
import { Principal } from './auth/principal';
import { SessionService } from './auth/session.service';
import { IdentityMail } from './identity-mail';
import { IdentityErrorCode } from './identity.errors';
import { LoginChallengeEntity } from './login-challenge.entity';
import { accountLocked, accountSuspended, invalidCredentials } from './start-login.usecase';

export interface VerifyOtpResult {
  token: string;
  mustChangePassword: boolean;
  expiresAt: string;
  principal: Principal;
}

type ChallengeFailure = 'not_found' | 'used' | 'expired' | 'exhausted' | 'locked' | 'suspended' | 'deleted';
type Failure = ChallengeFailure | { wrong: number } | { lockedNow: AccountEntity };

export const otpChallengeNotFound = () =>
  AppError.unauthorized(
    IdentityErrorCode.OTP_CHALLENGE_NOT_FOUND,
    'ログイン手続きが見つかりません。最初からログインし直してください。',
  );

/** Loads a challenge and its account for an update and refuses the ones that can no longer be used. */
export async function loadLiveChallenge(
  m: EntityManager,
  accounts: AccountService,
  challengeId: string,
  now: Date,
  maxAttempts: number,
  opts: { allowExpired: boolean },
): Promise<{ challenge: LoginChallengeEntity; account: AccountEntity } | ChallengeFailure> {
  const qb = m
    .getRepository(LoginChallengeEntity)
    .createQueryBuilder('c')
    .where('c.id = :id', { id: challengeId });
  if (m.connection.options.type === 'postgres') qb.setLock('pessimistic_write');
  const challenge = await qb.getOne();
  if (!challenge) return 'not_found';
  const account = await accounts.loadForUpdate(m, challenge.accountId);
  if (!account) return 'not_found';
  if (challenge.consumedAt) return 'used';
  if (challenge.attempts >= maxAttempts) return 'exhausted';
  if (account.lockedAt) return 'locked';
  if (account.status === 'suspended') return 'suspended';
  if (account.status === 'deleted') return 'deleted';
  if (!opts.allowExpired && now.getTime() >= challenge.expiresAt.getTime()) return 'expired';
  return { challenge, account };
}

export function throwChallengeFailure(f: ChallengeFailure): never {
  switch (f) {
    case 'not_found':
      throw otpChallengeNotFound();
    case 'used':
      throw AppError.unauthorized(
        IdentityErrorCode.OTP_ALREADY_USED,
        'このワンタイムパスワードは使用済みです。最初からログインし直してください。',
      );
    case 'expired':
      throw AppError.unauthorized(
        IdentityErrorCode.OTP_EXPIRED,
        'ワンタイムパスワードの有効期限が切れました。再送信するか、最初からログインし直してください。',
      );
    case 'exhausted':
      throw AppError.unauthorized(
        IdentityErrorCode.OTP_ATTEMPTS_EXCEEDED,
        'ワンタイムパスワードの入力誤りが上限に達しました。最初からログインし直してください。',
      );
    case 'locked':
      throw accountLocked();
    case 'suspended':
      throw accountSuspended();
    case 'deleted':
      throw invalidCredentials();
  }
}

/**
 * EC-05 step (3): the emailed one-time password. Single use, bound to its login attempt, at most
 * OTP_MAX_ATTEMPTS wrong entries per attempt; wrong entries across attempts count toward the
 * account lockout. Only a matching code creates a session.
 */
@Injectable()
export class VerifyOtp {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Clock) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly accounts: AccountService,
    private readonly sessions: SessionService,
    private readonly mail: IdentityMail,
    private readonly vault: KeyVault,
  ) {}

  async execute(cmd: { challengeId: string; otp: string }): Promise<VerifyOtpResult> {
    const result = await this.dataSource.transaction(async (m): Promise<VerifyOtpResult | Failure> => {
      const now = this.clock.now();
      const live = await loadLiveChallenge(
        m,
        this.accounts,
        cmd.challengeId,
        now,
        this.config.OTP_MAX_ATTEMPTS,
        {
          allowExpired: false,
        },
      );
      if (typeof live === 'string') {
        if (live !== 'not_found') {
          await this.audit.append(
            {
              actor: 'anonymous',
              action: 'auth.otp.refused',
              subject: null,
              details: { reason: live, challengeId: cmd.challengeId },
            },
            m,
          );
        }
        return live;
      }
      const { challenge, account } = live;
      const subject = `${account.kind}:${account.id}`;
      if (!this.vault.codeMatches(challenge.otpHash, cmd.otp, challenge.id)) {
        challenge.attempts += 1;
        await m.getRepository(LoginChallengeEntity).save(challenge);
        account.failedOtpCount += 1;
        account.updatedAt = now;
        await m.getRepository(AccountEntity).save(account);
        await this.audit.append(
          {
            actor: 'anonymous',
            action: 'auth.otp.failed',
            subject,
            details: {
              challengeId: challenge.id,
              attempts: challenge.attempts,
              consecutiveFailures: account.failedOtpCount,
            },
          },
          m,
        );
        if (account.failedOtpCount >= this.config.LOCKOUT_THRESHOLD) {
          await this.accounts.lock(m, account, 'otp');
          return { lockedNow: account };
        }
        return { wrong: this.config.OTP_MAX_ATTEMPTS - challenge.attempts };
      }
      challenge.consumedAt = now;
      await m.getRepository(LoginChallengeEntity).save(challenge);
      account.failedOtpCount = 0;
      account.lastLoginAt = now;
      account.updatedAt = now;
      await m.getRepository(AccountEntity).save(account);
      const { token, session } = await this.sessions.create(m, account.id);
      await this.audit.append(
        {
          actor: subject,
          action: 'auth.login.succeeded',
          subject,
          details: { sessionId: session.id, challengeId: challenge.id },
        },
        m,
      );
      return {
        token,
        mustChangePassword: account.mustChangePassword,
        expiresAt: session.expiresAt.toISOString(),
        principal: await this.sessions.principalOf(account, session.id),
      };
    });
    if (typeof result === 'string') throwChallengeFailure(result);
    if ('lockedNow' in result) {
      await this.mail.sendLocked(result.lockedNow.email, result.lockedNow.name, this.clock.now());
      throw accountLocked();
    }
    if ('wrong' in result) {
      throw AppError.unauthorized(
        IdentityErrorCode.OTP_INVALID,
        result.wrong > 0
          ? `ワンタイムパスワードが正しくありません（あと${result.wrong}回入力できます）。`
          : 'ワンタイムパスワードの入力誤りが上限に達しました。最初からログインし直してください。',
        { remainingAttempts: result.wrong },
      );
    }
    return result;
  }
}
