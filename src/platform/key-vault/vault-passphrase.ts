import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../fs.util';

export const EMBEDDED_PASSPHRASE_FILE = 'ca-passphrase';

/**
 * Embedded mode: the vault passphrase is a random 256-bit value in `CERTS_DIR/ca-passphrase`
 * (mode 0600), created on first start. Two processes starting together both try an exclusive
 * create; the loser reads the winner's file, so there is only ever one passphrase.
 * Production supplies CA_KEY_PASSPHRASE (or an HSM-backed KeyVault) instead.
 */
export async function loadOrCreateEmbeddedPassphrase(certsDir: string): Promise<string> {
  const file = path.join(certsDir, EMBEDDED_PASSPHRASE_FILE);
  const existing = await readPassphrase(file);
  if (existing) return existing;
  await writeFileAtomic(file, `${randomBytes(32).toString('base64url')}\n`, { exclusive: true, mode: 0o600 });
  const created = await readPassphrase(file);
  if (!created) throw new Error(`${file} is empty`);
  return created;
}

async function readPassphrase(file: string): Promise<string | undefined> {
  try {
    const text = (await fs.readFile(file, 'utf8')).trim();
    return text || undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}
