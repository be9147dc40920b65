import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { AccountLifecycle } from '../identity/account-lifecycle';
import { AccountEntity } from '../identity/account.entity';
import { AccountService } from '../identity/account.service';
import { actorOf, Principal } from '../identity/auth/principal';
import { notFound } from '../identity/change-account-status.usecase';
import { IdentityMail } from '../identity/identity-mail';
import { IdentityErrorCode } from '../identity/identity.errors';
import { SubscriberProfileEntity } from '../identity/subscriber-profile.entity';
import { SubscriberRecord, toSubscriberRecord } from '../identity/subscriber-directory.service';

export interface UpdateSubscriberCommand {
  name?: string;
  nameKana?: string;
  email?: string;
  phone?: string;
  corporationName?: string;
  officerTitle?: string;
  officerAuthority?: string;
}

const PROFILE_FIELDS = ['nameKana', 'phone', 'corporationName', 'officerTitle', 'officerAuthority'] as const;

/**
 * EC-12: the bank updates a subscriber's registration (name, email, …). Each changed field is kept
 * with its old and new value, who and when; the new email address receives a notice. The
 * subscriber then re-applies for a certificate (PKI module).
 */
@Injectable()
export class UpdateSubscriber {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly accounts: AccountService,
    private readonly mail: IdentityMail,
    private readonly lifecycle: AccountLifecycle,
  ) {}

  async execute(officer: Principal, id: string, cmd: UpdateSubscriberCommand): Promise<SubscriberRecord> {
    const r = await this.dataSource.transaction(async (m) => {
      const a = await this.accounts.loadForUpdate(m, id);
      const p = await m.getRepository(SubscriberProfileEntity).findOneBy({ id });
      if (!a || a.kind !== 'subscriber' || !p) throw notFound('subscriber');
      if (a.status === 'deleted') {
        throw AppError.conflict(
          IdentityErrorCode.INVALID_STATUS_TRANSITION,
          '削除済みの利用者は変更できません。',
        );
      }
      const by = actorOf(officer);
      const oldEmail = a.email;
      const fields: string[] = [
        ...(await this.accounts.applyChanges(m, id, a, cmd, ['name', 'email'], by)),
        ...(await this.accounts.applyChanges(m, id, p, cmd, PROFILE_FIELDS, by)),
      ];
      if (p.subscriberKind === 'corporate' && !p.corporationName) {
        throw AppError.badRequest(IdentityErrorCode.CORPORATION_NAME_REQUIRED, '法人名は削除できません。');
      }
      if (fields.length > 0) {
        a.updatedAt = this.clock.now();
        await m.getRepository(AccountEntity).save(a);
        await m.getRepository(SubscriberProfileEntity).save(p);
        await this.lifecycle.subscriberDetailsChanged({ subscriberId: id, fields, actor: by }, m);
        await this.audit.append(
          { actor: by, action: 'subscriber.updated', subject: `subscriber:${id}`, details: { fields } },
          m,
        );
      }
      return { a, p, emailChanged: a.email !== oldEmail };
    });
    if (r.emailChanged) await this.mail.sendEmailChanged(r.a.email, r.a.name, this.clock.now());
    return toSubscriberRecord(r.a, r.p);
  }
}
