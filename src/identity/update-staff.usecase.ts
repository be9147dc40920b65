import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { AccountEntity } from './account.entity';
import { AccountService } from './account.service';
import { actorOf, Principal, StaffRole } from './auth/principal';
import { assertAnotherAdmin, lockActiveStaff, notFound } from './change-account-status.usecase';
import { IdentityMail } from './identity-mail';
import { IdentityErrorCode } from './identity.errors';
import { StaffRecord, toStaffRecord } from './subscriber-directory.service';

export interface UpdateStaffCommand {
  name?: string;
  email?: string;
  roles?: StaffRole[];
}

/** An administrator changes a staff member's name, email or roles (history kept, new email notified). */
@Injectable()
export class UpdateStaff {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly accounts: AccountService,
    private readonly mail: IdentityMail,
  ) {}

  async execute(actor: Principal, id: string, cmd: UpdateStaffCommand): Promise<StaffRecord> {
    const r = await this.dataSource.transaction(async (m) => {
      const activeStaff = await lockActiveStaff(m);
      const a = await this.accounts.loadForUpdate(m, id);
      if (!a || a.kind !== 'staff') throw notFound('staff');
      if (a.status === 'deleted') {
        throw AppError.conflict(
          IdentityErrorCode.INVALID_STATUS_TRANSITION,
          '削除済みの職員は変更できません。',
        );
      }
      const by = actorOf(actor);
      const oldEmail = a.email;
      const fields: string[] = await this.accounts.applyChanges(m, id, a, cmd, ['name', 'email'], by);
      if (cmd.roles !== undefined) {
        const next = [...new Set(cmd.roles)].sort();
        const prev = [...(a.roles ?? [])].sort();
        if (next.join(',') !== prev.join(',')) {
          if (prev.includes(StaffRole.ADMIN) && !next.includes(StaffRole.ADMIN)) {
            if (actor.id === id) {
              throw AppError.forbidden(
                IdentityErrorCode.SELF_MANAGEMENT_FORBIDDEN,
                '自分自身の管理者権限は外せません。',
              );
            }
            assertAnotherAdmin(activeStaff, id);
          }
          await this.accounts.recordChange(m, id, 'roles', prev.join(','), next.join(','), by);
          a.roles = next;
          fields.push('roles');
        }
      }
      if (fields.length > 0) {
        a.updatedAt = this.clock.now();
        await m.getRepository(AccountEntity).save(a);
        await this.audit.append(
          { actor: by, action: 'staff.updated', subject: `staff:${id}`, details: { fields, roles: a.roles } },
          m,
        );
      }
      return { a, emailChanged: a.email !== oldEmail };
    });
    if (r.emailChanged) await this.mail.sendEmailChanged(r.a.email, r.a.name, this.clock.now());
    return toStaffRecord(r.a);
  }
}
