import { Command } from 'commander';
import type { AppContextFactory } from '../cli';
import { RotateTsaCertificate } from './rotate-tsa-certificate.usecase';
import { TsaCredentials } from './tsa-credentials.service';

export function registerTsaCommands(program: Command, context: AppContextFactory): void {
  const tsa = program.command('tsa').description("the service's own RFC 3161 time-stamping authority");
  tsa
    .command('rotate')
    .description('new TSA key and certificate; tokens signed with the old one stay verifiable')
    .option('--reason <text>', 'why (recorded in the audit log)', 'operator request')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { reason: string; json?: boolean }) => {
      const app = await context();
      const r = await app.get(RotateTsaCertificate).execute({ actor: 'cli', reason: opts.reason });
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else
        process.stdout.write(
          `TSA certificate rotated: credential ${r.credentialId}, serial ${r.certificateSerial}, ` +
            `valid ${r.notBefore.toISOString()} – ${r.notAfter.toISOString()}` +
            `${r.previousCredentialId ? ` (retired ${r.previousCredentialId})` : ''}\n`,
        );
    });
  tsa
    .command('status')
    .description('the active TSA certificate')
    .action(async () => {
      const app = await context();
      const active = await app.get(TsaCredentials).active();
      if (!active) {
        process.stdout.write('no TSA credential yet\n');
        process.exitCode = 1;
        return;
      }
      const e = active.entity;
      process.stdout.write(
        `active TSA credential ${e.id} (${e.keyType}), certificate serial ${e.certificateSerial}, ` +
          `valid ${e.notBefore.toISOString()} – ${e.notAfter.toISOString()}\n`,
      );
    });
}
