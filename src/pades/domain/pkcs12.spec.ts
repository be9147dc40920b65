import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createPadesFixture } from '../../../test/helpers/pades';
import { PadesErrorCode } from '../pades.errors';
import { readPkcs12 } from './pkcs12';

describe('readPkcs12', () => {
  let dir: string;
  let fx: Awaited<ReturnType<typeof createPadesFixture>>;
  beforeAll(async () => {
    fx = await createPadesFixture();
    dir = mkdtempSync(path.join(tmpdir(), 'p12-'));
    writeFileSync(path.join(dir, 'key.pem'), fx.signer.key.export({ type: 'pkcs8', format: 'pem' }));
    writeFileSync(path.join(dir, 'cert.pem'), fx.signer.pem);
    writeFileSync(path.join(dir, 'root.pem'), fx.pki.root.pem);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function makeP12(name: string, extra: string[] = []): Buffer {
    const out = path.join(dir, name);
    execFileSync('openssl', [
      'pkcs12',
      '-export',
      '-inkey',
      path.join(dir, 'key.pem'),
      '-in',
      path.join(dir, 'cert.pem'),
      '-certfile',
      path.join(dir, 'root.pem'),
      '-passout',
      'pass:s3cret-pw',
      '-out',
      out,
      ...extra,
    ]);
    return readFileSync(out);
  }

  it('opens an OpenSSL 3 default P12 (PBES2/AES-256, PBKDF2-SHA256, SHA-256 MAC)', async () => {
    const p12 = await readPkcs12(makeP12('default.p12'), 's3cret-pw');
    expect(Buffer.from(p12.certificate).equals(Buffer.from(fx.signer.cert))).toBe(true);
    expect(p12.chain.map((c) => Buffer.from(c).toString('base64'))).toEqual([
      Buffer.from(fx.pki.root.cert).toString('base64'),
    ]);
    expect(p12.key.asymmetricKeyType).toBe('ec');
  });

  it('refuses a wrong password with PKCS12_INVALID', async () => {
    await expect(readPkcs12(makeP12('wrong.p12'), 'not-the-password')).rejects.toMatchObject({
      code: PadesErrorCode.PKCS12_INVALID,
    });
  });

  it('refuses garbage with PKCS12_INVALID', async () => {
    await expect(readPkcs12(Buffer.from('not a p12'), 'x')).rejects.toMatchObject({
      code: PadesErrorCode.PKCS12_INVALID,
    });
  });
});
