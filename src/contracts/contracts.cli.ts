import { Command } from 'commander';
import type { AppContextFactory } from '../cli';
import { ContractSweep } from './contract-sweep.usecase';

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
}
