import { Command } from 'commander';
import type { AppContextFactory } from '../cli';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ContractSweep } from './contract-sweep.usecase';
import { describeDemo, seedDemo } from './demo/demo-seed';

export function registerContractsCommands(program: Command, context: AppContextFactory): void {
  const contracts = program.command('contracts').description('the e-contract workflow');
  contracts
    .command('sweep')
    .description('expire contracts past their deadline, send reminders, retry failed invitations')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const app = await context();
      const r = await app.get(ContractSweep).run();
      process.stdout.write(
        opts.json
          ? `${JSON.stringify(r)}\n`
          : `expired ${r.expired}, reminded ${r.reminded}, invited ${r.invited}\n`,
      );
    });

  const demo = program.command('demo').description('demo data for a first walk through the service');
  demo
    .command('seed')
    .description(
      'create demo staff, two subscribers with certificates and PINs, a branch-manager identity and a contract',
    )
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const app = await context();
      const seed = await seedDemo(app);
      const config = app.get<AppConfig>(APP_CONFIG);
      process.stdout.write(opts.json ? `${JSON.stringify(seed)}\n` : describeDemo(seed, config.publicUrl));
    });
}
