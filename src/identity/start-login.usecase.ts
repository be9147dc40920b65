import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AppError } from '../common/errors/app-error';
import {
  constantTimeEqual,
  dummyPasswordHash,
  randomDigits,
  sha256Hex,
  verifyPassword,
} from '../common/crypto/secrets';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { KeyVault } from '../platform/key-vault/key-vault';
import { AccountEntity } from './account.entity';
import { AccountService } from './account.service';
import { IdentityMail } from './identity-mail';
import { IdentityErrorCode } from './identity.errors';
import { LoginChallengeEntity } from './login-challenge.entity';

export interface StartLoginCommand {
  loginKey: string;
  loginId: string;
  password: string;
}

export const invalidCredentials = () =>
  AppError.unauthorized(
    IdentityErrorCode.INVALID_CREDENTIALS,
    'ログインID、パスワード、またはログインURLが正しくありません。',
  );

export const accountLocked = () =>
  AppError.forbidden(
    IdentityErrorCode.ACCOUNT_LOCKED,
    '誤りが所定の回数続いたため、ログインを停止しています。お取引店（職員の方は管理者）に解除をご依頼ください。',
  );

export const accountSuspended = () =>
  AppError.forbidden(
    IdentityErrorCode.ACCOUNT_SUSPENDED,
    'このアカウントは利用停止中です。お取引店へお問い合わせください。',
  );

type Outcome =
  | { kind: 'bad_password' }
  | { kind: 'locked' }
  | { kind: 'locked_now'; account: AccountEntity }
  | { kind: 'suspended' }
  | { kind: 'ok'; account: AccountEntity; challenge: LoginChallengeEntity; otp: string };

/**
 * EC-05 steps (1) and (2): personal login key, login ID and password; then (3) begins: a one-time
 * password is mailed to the registered address. A wrong or missing key answers exactly like a
 * wrong password. Failures are counted only when the key matched, so someone who knows a login ID
 * but not the personal URL cannot lock the account out.
 */
@Injectable()
export class StartLogin {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Clock) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly accounts: AccountService,
    private readonly mail: IdentityMail,
    private readonly vault: KeyVault,
  ) {}

  async execute(cmd: StartLoginCommand): Promise<{ challengeId: string; expiresAt: string }> {
    const found = await this.dataSource.getRepository(AccountEntity).findOneBy({ loginId: cmd.loginId });
    const keyOk = !!found && constantTimeEqual(sha256Hex(cmd.loginKey), found.loginKeyHash);
    // Always verify against some hash so the timing does not tell whether the ID exists.
    const passwordOk = await verifyPassword(found?.passwordHash ?? (await dummyPasswordHash()), cmd.password);

    if (!found || !keyOk || found.status === 'deleted') {
      const reason = !found ? 'unknown_login_id' : !keyOk ? 'bad_login_key' : 'deleted';
      await this.audit.append({
        actor: 'anonymous',
        action: 'auth.login.failed',
        subject: found ? `${found.kind}:${found.id}` : null,
        details: { reason, loginId: cmd.loginId.slice(0, 64) },
      });
      throw invalidCredentials();
    }

    const outcome = await this.dataSource.transaction(async (m): Promise<Outcome> => {
      const account = (await this.accounts.loadForUpdate(m, found.id))!;
      const subject = `${account.kind}:${account.id}`;
      if (account.lockedAt) {
        await this.audit.append(
          { actor: subject, action: 'auth.login.refused', subject, details: { reason: 'locked' } },
          m,
        );
        return { kind: 'locked' };
      }
      if (!passwordOk) {
        account.failedPasswordCount += 1;
        account.updatedAt = this.clock.now();
        await m.getRepository(AccountEntity).save(account);
        await this.audit.append(
          {
            actor: 'anonymous',
            action: 'auth.login.failed',
            subject,
            details: { reason: 'bad_password', consecutiveFailures: account.failedPasswordCount },
          },
          m,
        );
        if (account.failedPasswordCount >= this.config.LOCKOUT_THRESHOLD) {
          await this.accounts.lock(m, account, 'password');
          return { kind: 'locked_now', account };
        }
        return { kind: 'bad_password' };
      }
      if (account.status === 'suspended') {
        await this.audit.append(
          { actor: subject, action: 'auth.login.refused', subject, details: { reason: 'suspended' } },
          m,
        );
        return { kind: 'suspended' };
      }
      const now = this.clock.now();
      if (account.failedPasswordCount !== 0) {
        account.failedPasswordCount = 0;
        account.updatedAt = now;
        await m.getRepository(AccountEntity).save(account);
      }
      const otp = randomDigits(6);
      const id = randomUUID();
      const challenge = m.getRepository(LoginChallengeEntity).create({
        id,
        accountId: account.id,
        // Bound to the challenge: a code issued for one login attempt never matches another.
        otpHash: this.vault.codeDigest(otp, id),
        createdAt: now,
        expiresAt: new Date(now.getTime() + this.config.OTP_TTL_SECONDS * 1000),
        lastSentAt: now,
        resendCount: 0,
        attempts: 0,
        consumedAt: null,
      });
      await m.getRepository(LoginChallengeEntity).insert(challenge);
      await this.audit.append(
        { actor: subject, action: 'auth.password.verified', subject, details: { challengeId: id } },
        m,
      );
      return { kind: 'ok', account, challenge, otp };
    });

    switch (outcome.kind) {
      case 'bad_password':
        throw invalidCredentials();
      case 'locked':
        throw accountLocked();
      case 'locked_now':
        await this.mail.sendLocked(outcome.account.email, outcome.account.name, this.clock.now());
        throw accountLocked();
      case 'suspended':
        throw accountSuspended();
      case 'ok':
        await this.mail.sendOtp(
          outcome.account.email,
          outcome.account.name,
          outcome.otp,
          outcome.challenge.expiresAt,
        );
        return { challengeId: outcome.challenge.id, expiresAt: outcome.challenge.expiresAt.toISOString() };
    }
  }
}
