import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KeyVaultError, PassphraseKeyVault } from './key-vault';
import { loadOrCreateEmbeddedPassphrase } from './vault-passphrase';

const FAST = { memoryKiB: 1024, passes: 1, lanes: 1 };

function newKey() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { der: privateKey.export({ format: 'der', type: 'pkcs8' }), publicKey };
}

describe('PassphraseKeyVault', () => {
  const vault = new PassphraseKeyVault('correct horse battery staple', FAST);

  it('round-trips a service key and the result signs', async () => {
    const { der, publicKey } = newKey();
    const sealed = await vault.seal(der, 'ca:root');
    expect(sealed).toMatch(/^kv1\$svc\$argon2id\$m=1024,t=1,p=1\$/);
    // The sealed text contains neither the DER nor its base64.
    expect(sealed).not.toContain(der.toString('base64').slice(20, 60));
    const key = await vault.unseal(sealed, 'ca:root');
    const sig = sign('sha256', Buffer.from('x'), key);
    expect(verify('sha256', Buffer.from('x'), publicKey, sig)).toBe(true);
  });

  it('refuses a service key under another passphrase, another context or altered', async () => {
    const { der } = newKey();
    const sealed = await vault.seal(der, 'ca:root');
    const other = new PassphraseKeyVault('another passphrase of length', FAST);
    await expect(other.unseal(sealed, 'ca:root')).rejects.toThrow(KeyVaultError);
    await expect(vault.unseal(sealed, 'ca:issuing')).rejects.toThrow(KeyVaultError);
    const parts = sealed.split('$');
    const body = Buffer.from(parts[6], 'base64url');
    body[3] ^= 1;
    parts[6] = body.toString('base64url');
    await expect(vault.unseal(parts.join('$'), 'ca:root')).rejects.toThrow(KeyVaultError);
    await expect(vault.unseal('garbage', 'ca:root')).rejects.toThrow(KeyVaultError);
  });

  it('opens a PIN-sealed key only with the right PIN, the right pepper and the right context', async () => {
    const { der } = newKey();
    const sealed = await vault.sealWithPin(der, '482915', 'key-1');
    expect(sealed.startsWith('kv1$pin$')).toBe(true);
    expect(await vault.unsealWithPin(sealed, '482915', 'key-1')).not.toBeNull();
    expect(await vault.unsealWithPin(sealed, '482916', 'key-1')).toBeNull();
    expect(await vault.unsealWithPin(sealed, '482915', 'key-2')).toBeNull();
    // Same PIN, different server pepper: a stolen database alone is not enough.
    const other = new PassphraseKeyVault('another passphrase of length', FAST);
    expect(await other.unsealWithPin(sealed, '482915', 'key-1')).toBeNull();
    // A PIN-sealed key is not a service key and vice versa.
    await expect(vault.unseal(sealed, 'key-1')).rejects.toThrow('not a service key');
  });

  it('uses a fresh salt each time', async () => {
    const { der } = newKey();
    const a = await vault.sealWithPin(der, '482915');
    const b = await vault.sealWithPin(der, '482915');
    expect(a.split('$')[4]).not.toBe(b.split('$')[4]);
  });

  it('round-trips a secret bound to its context; refuses another context, passphrase or kind', async () => {
    const secret = Buffer.from('Xk3v9QmP2rT7wYb1Lc8dNf4hJs6gVe0a', 'utf8');
    const a = await vault.sealSecret(secret, 'account:1');
    const b = await vault.sealSecret(secret, 'account:1');
    expect(a.startsWith('kv1$sec$argon2id$')).toBe(true);
    expect(a).not.toContain(secret.toString('utf8'));
    expect(a).not.toContain(secret.toString('base64url'));
    // One salt per process (one Argon2id run), a fresh IV per secret.
    expect(a.split('$')[4]).toBe(b.split('$')[4]);
    expect(a.split('$')[5]).not.toBe(b.split('$')[5]);
    expect((await vault.unsealSecret(a, 'account:1')).equals(secret)).toBe(true);
    await expect(vault.unsealSecret(a, 'account:2')).rejects.toThrow(KeyVaultError);
    const other = new PassphraseKeyVault('another passphrase of length', FAST);
    await expect(other.unsealSecret(a, 'account:1')).rejects.toThrow(KeyVaultError);
    await expect(vault.unseal(a, 'account:1')).rejects.toThrow('not a service key');
    const { der } = newKey();
    await expect(vault.unsealSecret(await vault.seal(der, 'x'), 'x')).rejects.toThrow('not a sealed secret');
    await expect(vault.sealSecret(Buffer.alloc(0), 'x')).rejects.toThrow(KeyVaultError);
  });

  it('stores one-time codes as keyed digests bound to what they were issued for', () => {
    const id = '6f1c2a94-3b1e-4c55-9a0e-2f7d8c1b5e40';
    const stored = vault.codeDigest('123456', id);
    expect(stored).toMatch(/^m1\$[A-Za-z0-9_-]{43}$/); // 46 characters: fits the existing 64-character columns
    expect(vault.codeMatches(stored, '123456', id)).toBe(true);
    expect(vault.codeMatches(stored, '123457', id)).toBe(false);
    expect(vault.codeMatches(stored, '123456', 'another-id')).toBe(false);
    expect(vault.codeMatches(null, '123456', id)).toBe(false);
    // Without the key the digest cannot be recomputed by trying the code space.
    const other = new PassphraseKeyVault('another passphrase of some length', FAST);
    expect(other.codeDigest('123456', id)).not.toBe(stored);
    expect(other.codeMatches(stored, '123456', id)).toBe(false);
  });

  it('still accepts a code whose digest was stored unkeyed before the upgrade', () => {
    const id = 'c0ffee00-0000-4000-8000-000000000001';
    const legacy = createHash('sha256').update(`${id}:654321`).digest('hex');
    expect(vault.codeMatches(legacy, '654321', id)).toBe(true);
    expect(vault.codeMatches(legacy, '654320', id)).toBe(false);
  });

  it('refuses to seal something that is not a private key and a short passphrase', async () => {
    await expect(vault.seal(Buffer.from('not a key'))).rejects.toThrow(KeyVaultError);
    expect(() => new PassphraseKeyVault('short')).toThrow(KeyVaultError);
  });
});

describe('embedded passphrase', () => {
  it('creates one 0600 passphrase even when two starts race', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vault-'));
    try {
      const [a, b] = await Promise.all([
        loadOrCreateEmbeddedPassphrase(dir),
        loadOrCreateEmbeddedPassphrase(dir),
      ]);
      expect(a).toBe(b);
      expect(a.length).toBeGreaterThanOrEqual(40);
      const file = path.join(dir, 'ca-passphrase');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').trim()).toBe(a);
      expect(await loadOrCreateEmbeddedPassphrase(dir)).toBe(a);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
