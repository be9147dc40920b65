import { Command } from 'commander';
import type { AppContextFactory } from '../cli';
import { AppError, CommonErrorCode } from '../common/errors/app-error';
import { StartupNotices } from '../platform/startup-notices';
import { DataSource } from 'typeorm';
import { AccountEntity } from './account.entity';
import { ReissueCredentials } from './reissue-credentials.usecase';
import { StaffDirectory } from './subscriber-directory.service';
import { UnlockAccount } from './unlock-account.usecase';

async function findByLoginId(ds: DataSource, loginId: string): Promise<AccountEntity> {
  const a = await ds.getRepository(AccountEntity).findOneBy({ loginId });
  if (!a) throw AppError.notFound(CommonErrorCode.NOT_FOUND, `no account with login ID ${loginId}`);
  return a;
}

/**
 * `identity …` commands for the operator at the server: recovering the last administrator (new
 * temporary password and login URL), lifting a lockout, listing staff. Every change is audited
 * with actor `cli`.
 */
export function registerIdentityCommands(program: Command, context: AppContextFactory): void {
  const identity = program.command('identity').description('accounts, login URLs and lockouts');

  const printNotices = (app: Awaited<ReturnType<AppContextFactory>>) => {
    for (const line of app.get(StartupNotices).drain()) process.stdout.write(`${line}\n`);
  };

  identity
    .command('reissue <loginId>')
    .description('issue a new temporary password and personal login URL (prints them once)')
    .action(async (loginId: string) => {
      const app = await context();
      printNotices(app);
      const a = await findByLoginId(app.get(DataSource), loginId);
      const r = await app.get(ReissueCredentials).execute('cli', a.kind, a.id);
      process.stdout.write(
        `login ID: ${r.loginId}\ntemporary password: ${r.temporaryPassword}\nlogin URL: ${r.loginUrl}\n`,
      );
    });

  identity
    .command('unlock <loginId>')
    .description('lift a lockout')
    .action(async (loginId: string) => {
      const app = await context();
      printNotices(app);
      const a = await findByLoginId(app.get(DataSource), loginId);
      await app.get(UnlockAccount).execute('cli', a.kind, a.id);
      process.stdout.write(`unlocked ${loginId}\n`);
    });

  identity
    .command('staff')
    .description('list staff accounts')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const app = await context();
      printNotices(app);
      const staff = await app.get(StaffDirectory).list({ includeDeleted: true });
      if (opts.json) process.stdout.write(`${JSON.stringify(staff)}\n`);
      else
        for (const s of staff)
          process.stdout.write(
            `${s.loginId}\t${s.status}${s.locked ? ' (locked)' : ''}\t${s.roles.join(',')}\t${s.name}\n`,
          );
    });
}
