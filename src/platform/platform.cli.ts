import { Command } from 'commander';
import type { AppContextFactory } from '../cli';
import { AuditLog } from './audit/audit-log';

export function registerPlatformCommands(program: Command, context: AppContextFactory): void {
  const audit = program.command('audit').description('the append-only audit log');
  audit
    .command('verify')
    .description('walk the hash chain and report the first broken link (exit 1 if broken)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const app = await context();
      const result = await app.get(AuditLog).verify();
      if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.ok) process.stdout.write(`audit chain intact: ${result.checked} entries checked\n`);
      else
        process.stdout.write(
          `audit chain BROKEN after ${result.checked} entries: ${describe(result.firstBreak)}\n`,
        );
      process.exitCode = result.ok ? 0 : 1;
    });
}

function describe(b: import('./audit/audit-chain').ChainBreak | undefined): string {
  if (!b) return 'unknown';
  switch (b.kind) {
    case 'modified':
      return `entry ${b.seq} was modified (its hash no longer matches its content)`;
    case 'missing':
      return `entry ${b.expectedSeq} is missing (next entry found is ${b.foundSeq})`;
    case 'relinked':
      return `entry ${b.seq} does not link to the entry before it`;
    case 'truncated':
      return `entries after ${b.lastSeq} were removed (the head records ${b.headSeq})`;
  }
}
