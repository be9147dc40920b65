import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditLog } from '../platform/audit/audit-log';
import { AccountService, RegisteredAccount, toRegisteredAccount } from './account.service';
import { StaffRole } from './auth/principal';
import { IdentityMail } from './identity-mail';

export interface RegisterStaffCommand {
  name: string;
  email: string;
  roles: StaffRole[];
  loginId?: string;
}

export type { RegisteredAccount };

/** An administrator registers a staff member (roles as given); the login URL is mailed, the password is not. */
@Injectable()
export class RegisterStaff {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly accounts: AccountService,
    private readonly mail: IdentityMail,
  ) {}

  async execute(actor: string, cmd: RegisterStaffCommand): Promise<RegisteredAccount> {
    const issued = await this.dataSource.transaction(async (m) => {
      const issued = await this.accounts.create(m, {
        kind: 'staff',
        name: cmd.name,
        email: cmd.email,
        roles: cmd.roles,
        loginId: cmd.loginId,
        createdBy: actor,
      });
      await this.audit.append(
        {
          actor,
          action: 'staff.registered',
          subject: `staff:${issued.account.id}`,
          details: { loginId: issued.account.loginId, roles: issued.account.roles },
        },
        m,
      );
      return issued;
    });
    await this.mail.sendWelcome(issued.account.email, issued.account.name, issued.loginUrl);
    return toRegisteredAccount(issued);
  }
}
