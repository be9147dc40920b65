import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AuditLog } from '../platform/audit/audit-log';
import { StartupNotices } from '../platform/startup-notices';
import { AccountEntity } from './account.entity';
import { AccountService } from './account.service';
import { StaffRole } from './auth/principal';

/**
 * First start (no staff account exists): creates the administrator from ADMIN_LOGIN_ID,
 * ADMIN_EMAIL and ADMIN_PASSWORD (generated when absent), always as a temporary password. The
 * login URL, and the password only when generated, go to StartupNotices (stdout), never to the log.
 */
@Injectable()
export class BootstrapAdmin implements OnApplicationBootstrap {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly accounts: AccountService,
    private readonly audit: AuditLog,
    private readonly notices: StartupNotices,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.ensureAdmin();
  }

  /** Returns true when it created the administrator. */
  async ensureAdmin(): Promise<boolean> {
    const issued = await this.dataSource.transaction(async (m) => {
      if (await m.getRepository(AccountEntity).existsBy({ kind: 'staff' })) return undefined;
      const issued = await this.accounts.create(m, {
        kind: 'staff',
        name: '管理者',
        email: this.config.ADMIN_EMAIL,
        roles: [StaffRole.ADMIN],
        loginId: this.config.ADMIN_LOGIN_ID,
        initialPassword: this.config.ADMIN_PASSWORD,
        createdBy: 'system',
      });
      await this.audit.append(
        {
          actor: 'system',
          action: 'staff.registered',
          subject: `staff:${issued.account.id}`,
          details: { loginId: issued.account.loginId, roles: issued.account.roles, bootstrap: true },
        },
        m,
      );
      return issued;
    });
    if (!issued) return false;
    this.notices.add(
      '初期管理者を作成しました (first administrator created):',
      `  ログインID: ${issued.account.loginId}`,
      `  ログインURL: ${issued.loginUrl}`,
      this.config.ADMIN_PASSWORD
        ? '  仮パスワード: ADMIN_PASSWORD の値（初回ログイン時に変更が必要です）'
        : `  仮パスワード: ${issued.temporaryPassword}（初回ログイン時に変更が必要です）`,
    );
    return true;
  }
}
