import 'reflect-metadata';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Command, CommanderError } from 'commander';
import { AppModule } from './app.module';
import { AppError } from './common/errors/app-error';
import { ConfigError, loadConfig } from './config/app-config';
import { registerPlatformCommands } from './platform/platform.cli';
import { registerPkiCommands } from './pki/pki.cli';
import { registerIdentityCommands } from './identity/identity.cli';
import { registerBankingCommands } from './banking/banking.cli';
import { registerContractsCommands } from './contracts/contracts.cli';
import { registerTsaCommands } from './tsa/tsa.cli';
import { registerPadesCommands } from './pades/pades.cli';
import { registerArchiveCommands } from './archive/archive.cli';

/**
 * `npm run cli -- <command>`: the same modules as the service, without the HTTP server or the
 * scheduler. Each module registers its commands through a `register…Commands(program, ctx)` function.
 */
export type AppContextFactory = () => Promise<INestApplicationContext>;

export function buildProgram(context: AppContextFactory): Command {
  const program = new Command('cli')
    .description('電子契約サービス command line')
    .showHelpAfterError()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerPlatformCommands(program, context);
  registerPkiCommands(program, context);
  registerIdentityCommands(program, context);
  registerBankingCommands(program, context);
  registerContractsCommands(program, context);
  registerTsaCommands(program, context);
  registerPadesCommands(program, context);
  registerArchiveCommands(program, context);
  return program;
}

async function main(argv: string[]): Promise<number> {
  let ctx: INestApplicationContext | undefined;
  const context: AppContextFactory = async () => {
    if (!ctx) {
      const config = { ...loadConfig(), SCHEDULER_ENABLED: false, LOG_LEVEL: 'warn' as const };
      ctx = await NestFactory.createApplicationContext(AppModule.forRoot({ config }), {
        logger: ['error', 'warn'],
      });
    }
    return ctx;
  };
  const program = buildProgram(context).exitOverride();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 2;
    }
    if (e instanceof AppError) {
      process.stderr.write(`error ${e.code}: ${e.message}\n`);
      return e.status >= 500 ? 1 : 2;
    }
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    await ctx?.close();
  }
}

if (require.main === module) {
  // `npm run cli -- … | head` closes the pipe early: that is the reader's choice, not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  void main(process.argv).then((code) => process.exit(code));
}
