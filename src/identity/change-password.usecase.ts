import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AppError, CommonErrorCode } from '../common/errors/app-error';
import { hashPassword, verifyPassword } from '../common/crypto/secrets';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { AccountEntity } from './account.entity';
import { AccountService } from './account.service';
import { actorOf, Principal } from './auth/principal';
import { SessionService } from './auth/session.service';
import { IdentityMail } from './identity-mail';
import { IdentityErrorCode } from './identity.errors';
import { accountLocked } from './start-login.usecase';

/**
 * Changes the caller's password (the forced change of a temporary password too). Every session
 * of the account ends; the caller gets a fresh session so the browser stays logged in.
 * A wrong current password counts toward the lockout like any wrong password.
 */
@Injectable()
export class ChangePassword {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Clock) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly accounts: AccountService,
    private readonly sessions: SessionService,
    private readonly mail: IdentityMail,
  ) {}

  async execute(
    principal: Principal,
    cmd: { currentPassword: string; newPassword: string },
  ): Promise<{ token: string; expiresAt: string }> {
    const current = await this.dataSource.getRepository(AccountEntity).findOneBy({ id: principal.id });
    if (!current) throw AppError.unauthorized(CommonErrorCode.UNAUTHENTICATED, 'ログインが必要です。');
    const currentOk = await verifyPassword(current.passwordHash, cmd.currentPassword);
    if (currentOk) {
      this.accounts.assertAcceptablePassword(cmd.newPassword, current);
      if (await verifyPassword(current.passwordHash, cmd.newPassword)) {
        throw AppError.badRequest(
          IdentityErrorCode.PASSWORD_POLICY,
          '現在と同じパスワードには変更できません。',
          {
            problems: ['same_as_current'],
          },
        );
      }
    }
    const newHash = currentOk ? await hashPassword(cmd.newPassword) : '';
    const subject = actorOf(principal);
    const r = await this.dataSource.transaction(async (m) => {
      const account = (await this.accounts.loadForUpdate(m, principal.id))!;
      const now = this.clock.now();
      if (!currentOk) {
        account.failedPasswordCount += 1;
        account.updatedAt = now;
        await m.getRepository(AccountEntity).save(account);
        await this.audit.append(
          {
            actor: subject,
            action: 'auth.password.change_failed',
            subject,
            details: { reason: 'bad_current_password', consecutiveFailures: account.failedPasswordCount },
          },
          m,
        );
        if (account.failedPasswordCount >= this.config.LOCKOUT_THRESHOLD) {
          await this.accounts.lock(m, account, 'password');
          return { locked: account };
        }
        return 'wrong' as const;
      }
      const wasTemporary = account.mustChangePassword;
      account.passwordHash = newHash;
      account.mustChangePassword = false;
      account.passwordChangedAt = now;
      account.failedPasswordCount = 0;
      account.updatedAt = now;
      await m.getRepository(AccountEntity).save(account);
      const ended = await this.sessions.endAll(m, account.id, 'password_changed');
      const { token, session } = await this.sessions.create(m, account.id);
      await this.audit.append(
        {
          actor: subject,
          action: 'auth.password.changed',
          subject,
          details: { wasTemporary, sessionsEnded: ended, newSessionId: session.id },
        },
        m,
      );
      return { account, token, expiresAt: session.expiresAt };
    });
    if (r === 'wrong') {
      throw AppError.badRequest(
        IdentityErrorCode.CURRENT_PASSWORD_WRONG,
        '現在のパスワードが正しくありません。',
      );
    }
    if ('locked' in r && r.locked) {
      await this.mail.sendLocked(r.locked.email, r.locked.name, this.clock.now());
      throw accountLocked();
    }
    await this.mail.sendPasswordChanged(r.account.email, r.account.name, this.clock.now());
    return { token: r.token, expiresAt: r.expiresAt.toISOString() };
  }
}
