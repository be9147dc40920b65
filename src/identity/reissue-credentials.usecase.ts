import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { hashPassword, sha256Hex } from '../common/crypto/secrets';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { AccountEntity, AccountKind } from './account.entity';
import { AccountService } from './account.service';
import { SessionService } from './auth/session.service';
import { generateLoginKey, generateTemporaryPassword } from './domain/credentials';
import { notFound } from './change-account-status.usecase';
import { IdentityErrorCode } from './identity.errors';
import { PersonalLoginUrls } from './personal-login-url.service';
import { RegisteredAccount } from './register-staff.usecase';

/**
 * A forgotten password or a leaked login URL: the bank issues a new temporary password and a new
 * personal login URL (the old ones stop working, every session ends, a lockout is lifted). The
 * new credentials are returned once for the printed notice, as at registration (EC-02).
 */
@Injectable()
export class ReissueCredentials {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly accounts: AccountService,
    private readonly sessions: SessionService,
    private readonly loginUrls: PersonalLoginUrls,
  ) {}

  async execute(actor: string, kind: AccountKind, id: string): Promise<RegisteredAccount> {
    if (actor === `${kind}:${id}`) {
      throw AppError.forbidden(IdentityErrorCode.SELF_MANAGEMENT_FORBIDDEN, '自分自身の再発行はできません。');
    }
    const temporaryPassword = generateTemporaryPassword();
    const passwordHash = await hashPassword(temporaryPassword);
    const loginKey = generateLoginKey();
    // Sealed under this account's id: later invitation mails carry the new URL (EC-07).
    const loginKeySealed = await this.loginUrls.seal(id, loginKey);
    return this.dataSource.transaction(async (m) => {
      const a = await this.accounts.loadForUpdate(m, id);
      if (!a || a.kind !== kind) throw notFound(kind);
      if (a.status === 'deleted') {
        throw AppError.conflict(
          IdentityErrorCode.INVALID_STATUS_TRANSITION,
          '削除済みのアカウントには再発行できません。',
        );
      }
      const wasLocked = a.lockedAt !== null;
      a.passwordHash = passwordHash;
      a.mustChangePassword = true;
      a.loginKeyHash = sha256Hex(loginKey);
      a.loginKeySealed = loginKeySealed;
      a.lockedAt = null;
      a.lockReason = null;
      a.failedPasswordCount = 0;
      a.failedOtpCount = 0;
      a.updatedAt = this.clock.now();
      await m.getRepository(AccountEntity).save(a);
      const ended = await this.sessions.endAll(m, id, 'password_changed');
      await this.audit.append(
        {
          actor,
          action: 'account.credentials.reissued',
          subject: `${kind}:${id}`,
          details: { loginId: a.loginId, wasLocked, sessionsEnded: ended },
        },
        m,
      );
      return { id, loginId: a.loginId, temporaryPassword, loginUrl: this.accounts.loginUrl(loginKey) };
    });
  }
}
