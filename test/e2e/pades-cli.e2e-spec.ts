import { CommanderError } from 'commander';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildProgram } from '../../src/cli';
import { AppError } from '../../src/common/errors/app-error';
import { padesLevel } from '../../src/pades/domain/pades-signing';
import { signatureSpec } from '../../src/pades/domain/signature-spec';
import { KeyObjectSigner } from '../../src/pades/domain/signer';
import type { ValidationReport } from '../../src/pades/domain/validation-report';
import { CertificateAuthority } from '../../src/pki/certificate-authority.service';
import { createTestApp, destroyTestApp } from '../helpers/test-app';
import { addDays, createPadesFixture, FIXTURES, serveCrl, verifyIndependently } from '../helpers/pades';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** Runs a CLI command in-process against the test app, the way `src/cli.ts` main() does. */
async function runCli(t: TestApp, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    stdout += String(s);
    return true;
  });
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  process.exitCode = undefined;
  const program = buildProgram(() => Promise.resolve(t.app)).exitOverride();
  program.commands.forEach((c) => c.exitOverride());
  let code: number;
  try {
    await program.parseAsync(['node', 'cli', ...args]);
    code = process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
    else if (e instanceof AppError) {
      stderr += `error ${e.code}: ${e.message}\n`;
      code = e.status >= 500 ? 1 : 2;
    } else {
      stderr += `error: ${e instanceof Error ? e.message : String(e)}\n`;
      code = 1;
    }
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined;
  }
  return { code, stdout, stderr };
}

describe('PAdES CLI: sign, timestamp, verify', () => {
  let t: TestApp;
  let fx: Awaited<ReturnType<typeof createPadesFixture>>;
  let crlServer: Awaited<ReturnType<typeof serveCrl>>;
  let dir: string;
  let p12: string;
  let fixtureRoot: string;
  let serviceRoot: string;

  beforeAll(async () => {
    t = await createTestApp();
    dir = t.dir;
    let crlSource: () => Promise<Uint8Array> = () => Promise.reject(new Error('not ready'));
    crlServer = await serveCrl(() => crlSource());
    fx = await createPadesFixture(addDays(t.clock.now(), -1), { crlUrl: crlServer.url });
    crlSource = () => fx.pki.crl(t.clock.now());
    writeFileSync(path.join(dir, 'key.pem'), fx.signer.key.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(path.join(dir, 'cert.pem'), fx.signer.pem);
    fixtureRoot = path.join(dir, 'fixture-root.pem');
    writeFileSync(fixtureRoot, fx.pki.root.pem);
    p12 = path.join(dir, 'signer.p12');
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-inkey',
      path.join(dir, 'key.pem'),
      '-in',
      path.join(dir, 'cert.pem'),
      '-certfile',
      fixtureRoot,
      '-passout',
      'pass:p12-secret-pw',
      '-out',
      p12,
    ]);
    const root = await t.app.get(CertificateAuthority).rootCertificate();
    serviceRoot = path.join(dir, 'service-root.pem');
    writeFileSync(serviceRoot, new X509Certificate(root).toString());
  });
  afterAll(async () => {
    await crlServer.close();
    await destroyTestApp(t);
  });

  const signArgs = (input: string, out: string, level: string, extra: string[] = []) => [
    'sign',
    '--in',
    input,
    '--out',
    out,
    '--p12',
    p12,
    '--p12-password',
    'p12-secret-pw',
    '--level',
    level,
    ...extra,
  ];

  it('signs at B-LTA with the in-process TSA; independent tools and our verify accept it; timestamp renews it', async () => {
    const input = path.join(FIXTURES, 'loan-objstm-xrefstream.pdf');
    const out = path.join(dir, 'signed-lta.pdf');
    const r = await runCli(t, signArgs(input, out, 'B-LTA', ['--certify', '--visible', '1,360,60,200,50']));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(crlServer.hits).toBeGreaterThan(0); // the DSS got the CRL from the certificate's URL
    const indep = verifyIndependently(out, {
      trust: [fixtureRoot, serviceRoot],
      prefix: input,
      expectSignatures: 1,
      expectDocTimestamps: 1,
      expectDss: true,
    });
    expect(indep.checks.filter((c) => !c.accepted)).toEqual([]);

    const v = await runCli(t, ['verify', out, '--trust', fixtureRoot, '--json']);
    const report = JSON.parse(v.stdout) as ValidationReport;
    expect(report.entries.map((e) => [e.type, e.indication, e.level])).toEqual([
      ['signature', 'TOTAL-PASSED', 'B-LTA'],
      ['document-timestamp', 'TOTAL-PASSED', 'B-LTA'],
    ]);
    expect(v.code).toBe(0);

    const renewed = path.join(dir, 'renewed.pdf');
    const ts = await runCli(t, ['timestamp', '--in', out, '--out', renewed]);
    expect(ts.code).toBe(0);
    const indep2 = verifyIndependently(renewed, {
      trust: [fixtureRoot, serviceRoot],
      prefix: out,
      expectDocTimestamps: 2,
    });
    expect({ failed: indep2.checks.filter((c) => !c.accepted), stderr: indep2.stderr }).toEqual({
      failed: [],
      stderr: '',
    });
    expect(indep2.exitCode).toBe(0);
    const v2 = await runCli(t, ['verify', renewed, '--trust', fixtureRoot]);
    expect(v2.stdout).toMatch(/OVERALL: TOTAL-PASSED/);
    expect(v2.code).toBe(0);
  });

  it('verify exits 1 when the signer is not trusted, and --at far in the future reports from embedded data', async () => {
    const out = path.join(dir, 'signed-t.pdf');
    expect((await runCli(t, signArgs(path.join(FIXTURES, 'loan-libreoffice.pdf'), out, 'B-T'))).code).toBe(0);
    const untrusted = await runCli(t, ['verify', out]);
    expect(untrusted.stdout).toMatch(/NO_CERTIFICATE_CHAIN_FOUND/);
    expect(untrusted.code).toBe(1);
    const later = await runCli(t, [
      'verify',
      out,
      '--trust',
      fixtureRoot,
      '--at',
      '2045-01-01T00:00:00Z',
      '--json',
    ]);
    const report = JSON.parse(later.stdout) as ValidationReport;
    expect(report.offline).toBe(true);
    expect(report.entries[0].indication).not.toBe('TOTAL-PASSED');
    expect(later.code).toBe(1);
  });

  it('co-signs a file signed by other software; both signatures stay intact; the foreign CRL is honestly unknown', async () => {
    const input = path.join(FIXTURES, 'loan-signed-by-other-software.pdf');
    const out = path.join(dir, 'cosigned.pdf');
    const r = await runCli(t, signArgs(input, out, 'B-LT'));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning: no revocation data could be obtained/);
    const otherRoot = path.join(FIXTURES, 'other-software-root.pem');
    const indep = verifyIndependently(out, {
      trust: [fixtureRoot, serviceRoot, otherRoot],
      prefix: input,
      expectSignatures: 2,
    });
    expect(indep.checks.filter((c) => !c.accepted)).toEqual([]);
    const v = await runCli(t, ['verify', out, '--trust', fixtureRoot, '--trust', otherRoot, '--json']);
    const report = JSON.parse(v.stdout) as ValidationReport;
    expect(report.entries[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'TRY_LATER' });
    expect(report.entries[0].checks.find((c) => c.name === 'message-digest')?.result).toBe('passed');
    expect(report.entries[1]).toMatchObject({ indication: 'TOTAL-PASSED', level: 'B-LT' });
    expect(v.code).toBe(1);
  });

  it.each([
    ['loan-encrypted-aes256.pdf', 'PDF_ENCRYPTED'],
    ['loan-truncated.pdf', 'PDF_MALFORMED'],
    ['not-a-pdf.pdf', 'PDF_MALFORMED'],
  ])('refuses to sign %s with %s and leaves no output file', async (file, code) => {
    const out = path.join(dir, `refused-${file}`);
    const r = await runCli(t, signArgs(path.join(FIXTURES, file), out, 'B-T'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(code);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
  });

  it('refuses to sign after a certification signature with /P 1 (PDF_SIGNING_FORBIDDEN)', async () => {
    const signer = new KeyObjectSigner(fx.signer.key, fx.signer.cert, [fx.pki.root.cert]);
    const locked = await padesLevel('B-B', { now: () => t.clock.now() }).sign(
      readFileSync(path.join(FIXTURES, 'loan-libreoffice.pdf')),
      signatureSpec({ level: 'B-B', certify: { permission: 1 } }),
      signer,
    );
    const input = path.join(dir, 'locked.pdf');
    writeFileSync(input, locked.bytes);
    const out = path.join(dir, 'locked-signed.pdf');
    const r = await runCli(t, signArgs(input, out, 'B-B'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PDF_SIGNING_FORBIDDEN');
    expect(existsSync(out)).toBe(false);
  });

  it('bad input: a wrong P12 password, an unknown level, a bad --at and a non-PDF to verify all exit 2', async () => {
    const input = path.join(FIXTURES, 'loan-libreoffice.pdf');
    const out = path.join(dir, 'never.pdf');
    const wrongPw = await runCli(t, [
      'sign',
      '--in',
      input,
      '--out',
      out,
      '--p12',
      p12,
      '--p12-password',
      'nope',
      '--level',
      'B-B',
    ]);
    expect(wrongPw.code).toBe(2);
    expect(wrongPw.stderr).toContain('PKCS12_INVALID');
    expect((await runCli(t, signArgs(input, out, 'B-X'))).code).toBe(2);
    expect(existsSync(out)).toBe(false);
    expect((await runCli(t, ['verify', input, '--at', 'yesterday'])).code).toBe(2);
    const notPdf = await runCli(t, ['verify', path.join(FIXTURES, 'not-a-pdf.pdf')]);
    expect(notPdf.code).toBe(2);
    expect(notPdf.stderr).toContain('PDF_MALFORMED');
  });
});
