import { Command, InvalidArgumentError } from 'commander';
import type { AppContextFactory } from '../cli';
import { ArchiveQueries } from './archive-queries.service';
import { AuditOriginals } from './audit-originals.usecase';
import { ContractIntake } from './contract-intake.service';
import { RestampOriginals } from './restamp-originals.usecase';

function positiveInt(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('must be a positive integer');
  return n;
}

/** A one-line progress bar on a terminal; plain lines (every 10 %) otherwise. */
function progressPrinter(label: string) {
  const tty = process.stderr.isTTY;
  let lastDecile = -1;
  return {
    update(done: number, total: number, failed = 0) {
      if (tty) {
        const width = 30;
        const frac = total ? Math.min(1, done / total) : 1;
        const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
        process.stderr.write(`\r${label} [${bar}] ${done}/${total}${failed ? ` (${failed} failed)` : ''}`);
        return;
      }
      const decile = total ? Math.floor((done / total) * 10) : 10;
      if (decile !== lastDecile) {
        lastDecile = decile;
        process.stderr.write(`${label}: ${done}/${total}${failed ? ` (${failed} failed)` : ''}\n`);
      }
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

export function registerArchiveCommands(program: Command, context: AppContextFactory): void {
  const archive = program.command('archive').description('the archive of originals (EC-09/10/14)');

  archive
    .command('restamp')
    .description('renew archive timestamps (PAdES document timestamp) of due originals')
    .option('--due', 'only originals whose protection ends within ARCHIVE_RENEWAL_WINDOW_DAYS (default)')
    .option('--all', 'every archived original, once')
    .option('--limit <n>', 'at most n originals', positiveInt)
    .option('--json', 'print the result as JSON')
    .action(async (opts: { due?: boolean; all?: boolean; limit?: number; json?: boolean }) => {
      if (opts.due && opts.all) throw new InvalidArgumentError('--due and --all exclude each other');
      const app = await context();
      const intake = await app.get(ContractIntake).syncCompleted();
      if (intake.imported && !opts.json)
        process.stdout.write(`imported ${intake.imported} completed contract(s)\n`);
      const bar = progressPrinter('restamp');
      const r = await app.get(RestampOriginals).execute({
        mode: opts.all ? 'all' : 'due',
        limit: opts.limit,
        trigger: 'cli',
        actor: 'cli',
        onProgress: (p) => bar.update(p.renewed + p.failed, p.total, p.failed),
      });
      bar.end();
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else {
        process.stdout.write(
          `run ${r.runId}: due ${r.total}, renewed ${r.renewed}, failed ${r.failed} in ${(r.durationMs / 1000).toFixed(1)} s\n`,
        );
        for (const f of r.failures)
          process.stdout.write(`  FAILED ${f.contractId}: ${f.code} ${f.message}\n`);
      }
      process.exitCode = r.failed ? 1 : 0;
    });

  archive
    .command('verify')
    .description('recompute every version hash and validate the current original (exit 1 on any problem)')
    .argument('[id]', 'archive id or contract id (default: all)')
    .option('--all', 'every original (default when no id is given)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string | undefined, opts: { all?: boolean; json?: boolean }) => {
      if (id && opts.all) throw new InvalidArgumentError('give an id or --all, not both');
      const app = await context();
      const bar = progressPrinter('verify');
      const r = await app.get(AuditOriginals).execute({
        id,
        actor: 'cli',
        onProgress: (done, total) => bar.update(done, total),
      });
      bar.end();
      if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
      else {
        for (const p of r.problems)
          process.stdout.write(
            `PROBLEM contract ${p.contractId}${p.version ? ` version ${p.version}` : ''}: ${p.kind} — ${p.detail}\n`,
          );
        process.stdout.write(
          `${r.problems.length ? 'INTEGRITY PROBLEMS FOUND' : 'archive intact'}: ${r.originals} original(s), ${r.versions} version(s), ${r.problems.length} problem(s)\n`,
        );
      }
      process.exitCode = r.problems.length ? 1 : 0;
    });

  archive
    .command('import')
    .description('take completed contracts whose original is not archived yet into the archive')
    .action(async () => {
      const app = await context();
      const r = await app.get(ContractIntake).syncCompleted();
      process.stdout.write(`imported ${r.imported}, failed ${r.failed.length}\n`);
      for (const f of r.failed) process.stdout.write(`  FAILED ${f.contractId}: ${f.error}\n`);
      process.exitCode = r.failed.length ? 1 : 0;
    });

  archive
    .command('runs')
    .description('list the latest re-stamping runs')
    .option('--limit <n>', 'how many', positiveInt, 20)
    .action(async (opts: { limit: number }) => {
      const app = await context();
      for (const r of await app.get(ArchiveQueries).runs(opts.limit))
        process.stdout.write(
          `${r.startedAt} ${r.status.padEnd(11)} ${r.trigger.padEnd(8)} due ${r.due} renewed ${r.renewed} failed ${r.failed}${r.durationMs !== null ? ` ${(r.durationMs / 1000).toFixed(1)} s` : ''}\n`,
        );
    });
}
