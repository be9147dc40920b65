import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { AccountLifecycle } from './account-lifecycle';
import { AccountEntity, AccountKind, AccountStatus } from './account.entity';
import { AccountService } from './account.service';
import { actorOf, Principal, StaffRole } from './auth/principal';
import { SessionService } from './auth/session.service';
import { IdentityErrorCode } from './identity.errors';
import { SubscriberProfileEntity } from './subscriber-profile.entity';

export type StatusAction = 'suspend' | 'restrict' | 'reactivate' | 'delete';

const TRANSITIONS: Record<StatusAction, { from: AccountStatus[]; to: AccountStatus }> = {
  suspend: { from: ['active', 'restricted'], to: 'suspended' },
  // EC-18: restricted subscribers may still log in, but pending work is not processed.
  restrict: { from: ['active'], to: 'restricted' },
  reactivate: { from: ['suspended', 'restricted'], to: 'active' },
  // EC-12: a user who leaves is deleted; login is disabled and every record is kept.
  delete: { from: ['active', 'suspended', 'restricted'], to: 'deleted' },
};

export function notFound(kind: AccountKind) {
  return kind === 'staff'
    ? AppError.notFound(IdentityErrorCode.STAFF_NOT_FOUND, '職員が見つかりません。')
    : AppError.notFound(IdentityErrorCode.SUBSCRIBER_NOT_FOUND, '利用者が見つかりません。');
}

/**
 * Row-locks every active staff account in id order (PostgreSQL). Called first in any transaction
 * that may take an administrator away, so two administrators suspending each other at the same
 * moment are serialised and the second sees the first's change (SQLite serialises writers).
 */
export async function lockActiveStaff(m: EntityManager): Promise<AccountEntity[]> {
  const qb = m
    .getRepository(AccountEntity)
    .createQueryBuilder('a')
    .where('a.kind = :kind AND a.status = :status', { kind: 'staff', status: 'active' })
    .orderBy('a.id', 'ASC');
  if (m.connection.options.type === 'postgres') qb.setLock('pessimistic_write');
  return qb.getMany();
}

/** Refuses a change that would leave no active administrator. */
export function assertAnotherAdmin(activeStaff: AccountEntity[], exceptId: string): void {
  const others = activeStaff.filter((a) => a.id !== exceptId && (a.roles ?? []).includes(StaffRole.ADMIN));
  if (others.length === 0) {
    throw AppError.conflict(
      IdentityErrorCode.LAST_ADMIN,
      '有効な管理者が他にいないため、この変更はできません。',
    );
  }
}

/**
 * Suspends, restricts, reactivates or deletes an account. Suspension and deletion end every
 * session at once. The change is kept in the account history and the audit log with who and when.
 */
@Injectable()
export class ChangeAccountStatus {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly accounts: AccountService,
    private readonly sessions: SessionService,
    private readonly lifecycle: AccountLifecycle,
  ) {}

  async execute(
    actor: Principal,
    kind: AccountKind,
    id: string,
    action: StatusAction,
    reason?: string,
  ): Promise<{ id: string; status: AccountStatus }> {
    if (actor.id === id) {
      throw AppError.forbidden(
        IdentityErrorCode.SELF_MANAGEMENT_FORBIDDEN,
        '自分自身の状態は変更できません。',
      );
    }
    const rule = TRANSITIONS[action];
    if (kind === 'staff' && action === 'restrict') {
      throw AppError.badRequest(
        IdentityErrorCode.INVALID_STATUS_TRANSITION,
        '職員には利用制限を設定できません。',
      );
    }
    return this.dataSource.transaction(async (m) => {
      const activeStaff = kind === 'staff' ? await lockActiveStaff(m) : [];
      const account = await this.accounts.loadForUpdate(m, id);
      if (!account || account.kind !== kind) throw notFound(kind);
      const from = account.status;
      if (!rule.from.includes(from)) {
        throw AppError.conflict(
          IdentityErrorCode.INVALID_STATUS_TRANSITION,
          `現在の状態（${from}）からはこの操作（${action}）はできません。`,
          { from, action },
        );
      }
      if (kind === 'staff' && rule.to !== 'active' && (account.roles ?? []).includes(StaffRole.ADMIN)) {
        assertAnotherAdmin(activeStaff, account.id);
      }
      const now = this.clock.now();
      account.status = rule.to;
      account.updatedAt = now;
      await m.getRepository(AccountEntity).save(account);
      if (kind === 'subscriber') {
        await m
          .getRepository(SubscriberProfileEntity)
          .update(
            { id },
            { statusReason: reason ?? null, statusChangedAt: now, statusChangedBy: actorOf(actor) },
          );
      }
      await this.accounts.recordChange(m, id, 'status', from, rule.to, actorOf(actor));
      const ended =
        rule.to === 'suspended' || rule.to === 'deleted'
          ? await this.sessions.endAll(m, id, rule.to === 'suspended' ? 'suspended' : 'deleted')
          : 0;
      await this.lifecycle.statusChanged(
        { kind, accountId: id, from, to: rule.to, actor: actorOf(actor), reason: reason ?? null },
        m,
      );
      await this.audit.append(
        {
          actor: actorOf(actor),
          action: 'account.status.changed',
          subject: `${kind}:${id}`,
          details: { from, to: rule.to, reason: reason ?? null, sessionsEnded: ended },
        },
        m,
      );
      return { id, status: rule.to };
    });
  }
}
