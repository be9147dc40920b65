import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { AccountEntity, AccountKind } from './account.entity';
import { AccountService } from './account.service';
import { notFound } from './change-account-status.usecase';
import { IdentityErrorCode } from './identity.errors';

/**
 * Lifts a lockout (seed 001 §2-5, 004 §2-5): subscribers by an RA officer, staff by an
 * administrator (the controllers enforce the role). The failure counters start again from zero.
 */
@Injectable()
export class UnlockAccount {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly accounts: AccountService,
  ) {}

  /** `actor` is the audit actor (`staff:<id>`, `cli`). */
  async execute(actor: string, kind: AccountKind, id: string): Promise<{ id: string; locked: false }> {
    if (actor === `${kind}:${id}`) {
      throw AppError.forbidden(
        IdentityErrorCode.SELF_MANAGEMENT_FORBIDDEN,
        '自分自身のロックは解除できません。',
      );
    }
    return this.dataSource.transaction(async (m) => {
      const account = await this.accounts.loadForUpdate(m, id);
      if (!account || account.kind !== kind) throw notFound(kind);
      if (!account.lockedAt) {
        throw AppError.conflict(IdentityErrorCode.NOT_LOCKED, 'このアカウントはロックされていません。');
      }
      const previousReason = account.lockReason;
      const lockedAt = account.lockedAt.toISOString();
      account.lockedAt = null;
      account.lockReason = null;
      account.failedPasswordCount = 0;
      account.failedOtpCount = 0;
      account.updatedAt = this.clock.now();
      await m.getRepository(AccountEntity).save(account);
      await this.audit.append(
        {
          actor,
          action: 'account.unlocked',
          subject: `${kind}:${id}`,
          details: { lockReason: previousReason, lockedAt },
        },
        m,
      );
      return { id, locked: false as const };
    });
  }
}
