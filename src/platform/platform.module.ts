import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import * as path from 'node:path';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AuditEntryEntity, AuditHeadEntity, AuditPendingEntity } from './audit/audit-entry.entity';
import { AuditLog } from './audit/audit-log';
import { Clock, SystemClock } from './clock/clock';
import { FileStore, LocalFileStore } from './file-store/file-store';
import { DevMailboxController } from './mail/dev-mailbox.controller';
import { MailSender } from './mail/mail-sender';
import { OutboxMailSender } from './mail/outbox-mail-sender';
import { SmtpMailSender } from './mail/smtp-mail-sender';
import { StartupNotices } from './startup-notices';

export interface PlatformOverrides {
  clock?: Clock;
  mail?: MailSender;
  fileStore?: FileStore;
}

/**
 * Side effects behind injectable ports: clock, mail, file store, audit log.
 * Tests pass overrides (a SettableClock, say) through AppModule.forRoot.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(overrides: PlatformOverrides = {}): DynamicModule {
    const providers: Provider[] = [
      { provide: Clock, useValue: overrides.clock ?? new SystemClock() },
      {
        provide: MailSender,
        inject: [APP_CONFIG, Clock],
        useFactory: (config: AppConfig, clock: Clock) =>
          overrides.mail ??
          (config.SMTP_URL
            ? new SmtpMailSender(config.SMTP_URL, config.MAIL_FROM)
            : new OutboxMailSender(path.join(config.storageDir, 'outbox'), config.MAIL_FROM, clock)),
      },
      {
        provide: FileStore,
        inject: [APP_CONFIG],
        useFactory: (config: AppConfig) =>
          overrides.fileStore ?? new LocalFileStore(path.join(config.storageDir, 'archive', 'objects')),
      },
      AuditLog,
      StartupNotices,
    ];
    return {
      module: PlatformModule,
      imports: [TypeOrmModule.forFeature([AuditEntryEntity, AuditHeadEntity, AuditPendingEntity])],
      controllers: [DevMailboxController],
      providers,
      exports: [Clock, MailSender, FileStore, AuditLog, StartupNotices],
    };
  }
}
