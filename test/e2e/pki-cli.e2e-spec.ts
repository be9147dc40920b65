import { registerPkiCommands } from '../../src/pki/pki.cli';
import { Command } from 'commander';
import { AppError } from '../../src/common/errors/app-error';
import { CertificateAuthority } from '../../src/pki/certificate-authority.service';
import { toPem } from '../../src/pki/domain/x509';
import { createSubscriberWithCertificate, unlockSubscriberKey } from '../helpers/pki';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

/** `cli pki …` against the real application context (only the PKI commands are registered). */
describe('pki CLI (e2e)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => destroyTestApp(t));

  async function cli(...args: string[]): Promise<{ out: string; error?: AppError }> {
    const program = new Command('cli').exitOverride();
    registerPkiCommands(program, () => Promise.resolve(t.app));
    program.commands.forEach((c) => {
      c.exitOverride();
      c.commands.forEach((s) => s.exitOverride());
    });
    let out = '';
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out += String(s);
      return true;
    });
    try {
      await program.parseAsync(['node', 'cli', ...args]);
      return { out };
    } catch (e) {
      if (e instanceof AppError) return { out, error: e };
      throw e;
    } finally {
      spy.mockRestore();
    }
  }

  it('shows the hierarchy and prints the trust anchor', async () => {
    const status = await cli('pki', 'status', '--json');
    const parsed = JSON.parse(status.out) as { root: { subject: string }; issuing: { subject: string } };
    expect(parsed.root.subject).toContain('ルート認証局');
    expect(parsed.issuing.subject).toContain('署名用発行局');
    const anchor = await cli('pki', 'trust-anchor');
    expect(anchor.out).toBe(toPem(await t.app.get(CertificateAuthority).rootCertificate()));
  });

  it('re-issues CRLs with increasing numbers', async () => {
    const a = /#(\d+) \(issuing CA\)/.exec((await cli('pki', 'crl')).out)![1];
    const b = /#(\d+) \(issuing CA\)/.exec((await cli('pki', 'crl')).out)![1];
    expect(Number(b)).toBe(Number(a) + 1);
  });

  it('revokes by serial and refuses unknown serials and reasons', async () => {
    const { person, certificate } = await createSubscriberWithCertificate(t);
    expect(
      (await cli('pki', 'revoke', '--serial', 'deadbeef', '--reason', 'keyCompromise')).error?.code,
    ).toBe('CERTIFICATE_NOT_FOUND');
    expect(
      (await cli('pki', 'revoke', '--serial', certificate.serialNumber, '--reason', 'stolen')).error?.code,
    ).toBe('INVALID_REVOCATION_REASON');
    const ok = await cli(
      'pki',
      'revoke',
      '--serial',
      certificate.serialNumber.toUpperCase(),
      '--reason',
      'keyCompromise',
    );
    expect(ok.out).toContain(`revoked ${certificate.serialNumber}`);
    await expect(unlockSubscriberKey(t, person.id)).rejects.toMatchObject({ code: 'NO_ACTIVE_CERTIFICATE' });
    expect(
      (await cli('pki', 'revoke', '--serial', certificate.serialNumber, '--reason', 'keyCompromise')).error
        ?.code,
    ).toBe('CERTIFICATE_REVOKED');
  });
});
