import { Command, InvalidArgumentError } from 'commander';
import { readFile } from 'node:fs/promises';
import { X509Certificate } from 'node:crypto';
import type { AppContextFactory } from '../cli';
import { AppError } from '../common/errors/app-error';
import { Clock } from '../platform/clock/clock';
import { writeFileAtomic } from '../platform/fs.util';
import { readPkcs12 } from './domain/pkcs12';
import { PADES_LEVELS, PadesLevel, parseVisibleOption, signatureSpec } from './domain/signature-spec';
import { KeyObjectSigner } from './domain/signer';
import { simpleReport, ValidationReport } from './domain/validation-report';
import { PadesEngine, padesErrorToAppError, readCertificates } from './pades-engine.service';
import { PadesErrorCode } from './pades.errors';

/**
 * `sign`, `timestamp` and `verify`: the PAdES engine from the command line. Outputs are written
 * atomically at the very end, so a refusal never leaves a file behind.
 */
export function registerPadesCommands(program: Command, context: AppContextFactory): void {
  program
    .command('sign')
    .description('sign a PDF (PAdES baseline B-B, B-T, B-LT or B-LTA) with a PKCS#12 key')
    .requiredOption('--in <pdf>', 'PDF to sign')
    .requiredOption('--out <pdf>', 'where to write the signed PDF')
    .requiredOption('--p12 <file>', 'PKCS#12 file with the signing key and certificate chain')
    .requiredOption('--p12-password <pw>', 'password of the PKCS#12 file')
    .requiredOption('--level <level>', 'B-B | B-T | B-LT | B-LTA', parseLevel)
    .option('--tsa-url <url>', "RFC 3161 TSA (default: the service's own TSA, in-process)")
    .option('--certify', 'certification signature (DocMDP P=2: later signatures, DSS and timestamps allowed)')
    .option('--visible <page,x,y,w,h>', 'visible stamp on a page (PDF units, origin bottom-left)')
    .option('--reason <text>', 'reason recorded in the signature')
    .option('--field <name>', 'signature field name (default Signature<n>)')
    .action(
      async (opts: {
        in: string;
        out: string;
        p12: string;
        p12Password: string;
        level: PadesLevel;
        tsaUrl?: string;
        certify?: boolean;
        visible?: string;
        reason?: string;
        field?: string;
      }) =>
        run(async () => {
          const pdf = await readInput(opts.in);
          const p12 = await readPkcs12(await readInput(opts.p12), opts.p12Password);
          const signer = new KeyObjectSigner(p12.key, p12.certificate, p12.chain);
          const app = await context();
          const now = app.get(Clock).now();
          const cn = /CN=([^\n]+)/.exec(new X509Certificate(p12.certificate).subject)?.[1] ?? 'signer';
          const spec = signatureSpec({
            level: opts.level,
            reason: opts.reason,
            fieldName: opts.field,
            certify: opts.certify ? { permission: 2 } : undefined,
            visible: opts.visible
              ? parseVisibleOption(opts.visible, [
                  `Signed by ${cn}`,
                  now.toISOString().replace(/\.\d+Z$/, 'Z'),
                ])
              : undefined,
          });
          const result = await app.get(PadesEngine).sign(pdf, spec, signer, { tsaUrl: opts.tsaUrl });
          await writeFileAtomic(opts.out, result.bytes);
          for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
          process.stdout.write(
            `signed at ${opts.level}: ${result.fields.join(', ')} → ${opts.out} (${result.bytes.length} bytes)\n`,
          );
        }),
    );

  program
    .command('timestamp')
    .description('add validation data (DSS) for every signature and timestamp, then a document timestamp')
    .requiredOption('--in <pdf>', 'PDF to extend')
    .requiredOption('--out <pdf>', 'where to write the result')
    .option('--tsa-url <url>', "RFC 3161 TSA (default: the service's own TSA, in-process)")
    .action(async (opts: { in: string; out: string; tsaUrl?: string }) =>
      run(async () => {
        const pdf = await readInput(opts.in);
        const app = await context();
        const result = await app.get(PadesEngine).timestamp(pdf, { tsaUrl: opts.tsaUrl });
        await writeFileAtomic(opts.out, result.bytes);
        for (const w of result.warnings) process.stderr.write(`warning: ${w}\n`);
        process.stdout.write(`document timestamp ${result.fields.join(', ')} → ${opts.out}\n`);
      }),
    );

  program
    .command('verify')
    .description('validate every signature and document timestamp (exit 0 only if all are TOTAL-PASSED)')
    .argument('<pdf>', 'PDF to validate')
    .option(
      '--trust <pem>',
      'extra trust anchor (PEM or DER), repeatable',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option('--at <iso-time>', 'validate at this time from the embedded data only', parseInstant)
    .option('--json', 'print the detailed report as JSON')
    .action(async (file: string, opts: { trust: string[]; at?: Date; json?: boolean }) =>
      run(async () => {
        const pdf = await readInput(file);
        const extraTrust = (await Promise.all(opts.trust.map((t) => readCertificates(t)))).flat();
        const app = await context();
        const report = await app.get(PadesEngine).verify(pdf, { extraTrust, at: opts.at });
        process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
        process.exitCode = report.indication === 'TOTAL-PASSED' ? 0 : 1;
      }),
    );
}

async function run(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    throw padesErrorToAppError(e);
  }
}

async function readInput(file: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    throw AppError.badRequest(
      PadesErrorCode.INVALID_REQUEST,
      `cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function parseLevel(v: string): PadesLevel {
  if (!(PADES_LEVELS as readonly string[]).includes(v))
    throw new InvalidArgumentError(`must be one of ${PADES_LEVELS.join(', ')}`);
  return v as PadesLevel;
}

function parseInstant(v: string): Date {
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime()))
    throw new InvalidArgumentError('must be an ISO 8601 time, e.g. 2037-04-01T00:00:00Z');
  return d;
}

export function formatReport(report: ValidationReport): string {
  const s = simpleReport(report);
  const lines = [`validation time: ${s.validationTime}${report.offline ? ' (embedded data only)' : ''}`];
  for (const [i, e] of report.entries.entries()) {
    lines.push(
      `#${i + 1} ${e.type === 'signature' ? 'signature' : 'document timestamp'} ${e.fieldName}: ${e.indication}${e.subIndication ? ` / ${e.subIndication}` : ''} (level ${e.level})`,
      `   ${e.message}`,
    );
    for (const c of e.checks) lines.push(`   [${c.result}] ${c.name}: ${c.detail}`);
    if (e.changesAfter.length)
      lines.push(`   changes after: ${[...new Set(e.changesAfter.map((c) => c.kind))].join(', ')}`);
  }
  if (!report.entries.length) lines.push('no signature or document timestamp in this file');
  lines.push(`OVERALL: ${s.indication}`);
  return `${lines.join('\n')}\n`;
}
