import { Algorithm, hashRaw } from '@node-rs/argon2';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  hkdfSync,
  KeyObject,
  randomBytes,
} from 'node:crypto';
import { constantTimeEqual, sha256Hex } from '../../common/crypto/secrets';

/**
 * Private keys at rest, always encrypted (EC-03/EC-04; CONVENTIONS "Private keys at rest always
 * encrypted"). Two kinds of sealing:
 *
 * - **service keys** (CA, OCSP responder, TSA): sealed under the vault passphrase
 *   (`CA_KEY_PASSPHRASE`, or in embedded mode a random one kept in `CERTS_DIR/ca-passphrase`);
 * - **subscriber / signer keys**: sealed under a key derived from the holder's PIN. The PIN is
 *   never stored. Argon2id also takes a server-side pepper derived from the vault passphrase, so a
 *   copy of the database alone cannot be brute-forced offline over the small PIN space
 *   (NIST SP 800-63B §5.1.1.2 "activation secret" guidance).
 *
 * Format (one line of text, safe for a text column):
 * `kv1$<kind>$argon2id$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<iv>$<ciphertext+tag>` (base64url),
 * AES-256-GCM with the header and the caller's context string as associated data, so a sealed
 * key cannot be moved to another row (context = the row's id) without failing authentication.
 */
export abstract class KeyVault {
  /** Seals a PKCS#8 DER private key of the service. */
  abstract seal(pkcs8Der: Uint8Array, context?: string): Promise<string>;
  /** Opens a service key; throws if the sealed text is damaged or the passphrase is wrong. */
  abstract unseal(sealed: string, context?: string): Promise<KeyObject>;
  /** Seals a PKCS#8 DER private key under a PIN (plus the server pepper). */
  abstract sealWithPin(pkcs8Der: Uint8Array, pin: string, context?: string): Promise<string>;
  /** Opens a PIN-sealed key; `null` when the PIN is wrong (never throws for a wrong PIN). */
  abstract unsealWithPin(sealed: string, pin: string, context?: string): Promise<KeyObject | null>;
  /**
   * Seals a short secret that the service must be able to read back (not a private key, e.g. the
   * key of a personal login URL) under the vault passphrase, bound to `context`.
   */
  abstract sealSecret(secret: Uint8Array, context: string): Promise<string>;
  /** Opens a sealed secret; throws if the text is damaged, moved to another context or the passphrase is wrong. */
  abstract unsealSecret(sealed: string, context: string): Promise<Buffer>;
  /**
   * What is stored of a one-time code (login OTP, transfer confirmation code) bound to what it was
   * issued for (`boundTo`: the challenge or transfer id): a keyed digest, `m1$` + HMAC-SHA-256 under
   * a key derived from the vault passphrase. A plain hash of a 6-digit code is no protection (a
   * copy of the database gives the code after a million guesses); without the key it is.
   */
  abstract codeDigest(code: string, boundTo: string): string;

  /** Whether `code` is the one whose digest was stored (constant time). */
  codeMatches(stored: string | null | undefined, code: string, boundTo: string): boolean {
    if (!stored) return false;
    // Digests written before codes were keyed were SHA-256 of `boundTo:code` in hex. A code lives
    // minutes, so this only lets codes issued just before an upgrade be used after it.
    const expected = stored.startsWith(CODE_DIGEST_PREFIX)
      ? this.codeDigest(code, boundTo)
      : sha256Hex(`${boundTo}:${code}`);
    return constantTimeEqual(expected, stored);
  }
}

const CODE_DIGEST_PREFIX = 'm1$';

export class KeyVaultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyVaultError';
  }
}

/** Argon2id cost (OWASP 2023 minimum: 19 MiB, 2 passes, 1 lane). Stored per key so it can grow. */
export interface KdfCost {
  memoryKiB: number;
  passes: number;
  lanes: number;
}
export const DEFAULT_KDF_COST: KdfCost = { memoryKiB: 19_456, passes: 2, lanes: 1 };

type Kind = 'svc' | 'pin' | 'sec';

interface Parsed {
  kind: Kind;
  cost: KdfCost;
  salt: Buffer;
  iv: Buffer;
  body: Buffer;
  header: string;
}

const PREFIX = 'kv1';

export class PassphraseKeyVault extends KeyVault {
  private readonly pepper: Buffer;
  /** HMAC key for one-time code digests (see codeDigest). */
  private readonly codeKey: Buffer;
  private readonly serviceKeys = new Map<string, Promise<Buffer>>();
  /**
   * Secrets sealed by this process share one salt, so Argon2id runs once per process rather than
   * once per secret (a login URL is read back for every invitation mail). Each seal still has its
   * own random 96-bit IV; the key cache holds one entry per salt, i.e. per process that sealed.
   */
  private readonly secretSalt = randomBytes(16);

  constructor(
    private readonly passphrase: string,
    private readonly cost: KdfCost = DEFAULT_KDF_COST,
  ) {
    super();
    if (passphrase.length < 16)
      throw new KeyVaultError('the key vault passphrase must have at least 16 characters');
    this.pepper = Buffer.from(hkdfSync('sha256', passphrase, 'econtract-key-vault', 'pin-pepper', 32));
    this.codeKey = Buffer.from(
      hkdfSync('sha256', passphrase, 'econtract-key-vault', 'one-time-code-mac', 32),
    );
  }

  codeDigest(code: string, boundTo: string): string {
    const mac = createHmac('sha256', this.codeKey).update(`${boundTo}:${code}`).digest('base64url');
    return `${CODE_DIGEST_PREFIX}${mac}`;
  }

  /** A short, non-secret fingerprint of the passphrase, to tell operators which one is in use. */
  passphraseFingerprint(): string {
    return createHash('sha256').update('fingerprint:').update(this.passphrase).digest('hex').slice(0, 16);
  }

  seal(pkcs8Der: Uint8Array, context = ''): Promise<string> {
    return this.sealWith('svc', pkcs8Der, this.passphrase, context);
  }

  async unseal(sealed: string, context = ''): Promise<KeyObject> {
    const p = parse(sealed);
    if (p.kind !== 'svc') throw new KeyVaultError('not a service key');
    const key = await this.serviceKey(p);
    const der = open(p, key, context);
    if (!der) {
      throw new KeyVaultError(
        'the key vault passphrase (CA_KEY_PASSPHRASE) does not open this key, or the key was altered',
      );
    }
    return toKeyObject(der);
  }

  sealWithPin(pkcs8Der: Uint8Array, pin: string, context = ''): Promise<string> {
    return this.sealWith('pin', pkcs8Der, pin, context);
  }

  async unsealWithPin(sealed: string, pin: string, context = ''): Promise<KeyObject | null> {
    const p = parse(sealed);
    if (p.kind !== 'pin') throw new KeyVaultError('not a PIN-sealed key');
    const der = open(p, await this.derive('pin', pin, p.salt, p.cost), context);
    return der ? toKeyObject(der) : null;
  }

  async sealSecret(secret: Uint8Array, context: string): Promise<string> {
    if (secret.length === 0) throw new KeyVaultError('nothing to seal');
    const c = this.cost;
    const header = `${PREFIX}$sec$argon2id$m=${c.memoryKiB},t=${c.passes},p=${c.lanes}`;
    const key = await this.serviceKey({ kind: 'sec', cost: c, salt: this.secretSalt });
    return this.encrypt(header, key, this.secretSalt, secret, context);
  }

  async unsealSecret(sealed: string, context: string): Promise<Buffer> {
    const p = parse(sealed);
    if (p.kind !== 'sec') throw new KeyVaultError('not a sealed secret');
    const plain = open(p, await this.serviceKey(p), context);
    if (!plain) {
      throw new KeyVaultError(
        'the key vault passphrase (CA_KEY_PASSPHRASE) does not open this secret, or it was altered or moved',
      );
    }
    return plain;
  }

  private async sealWith(kind: Kind, pkcs8Der: Uint8Array, secret: string, context: string): Promise<string> {
    // Refuse anything that is not a private key: sealing garbage would fail only at use.
    toKeyObject(Buffer.from(pkcs8Der));
    const salt = randomBytes(16);
    const c = this.cost;
    const header = `${PREFIX}$${kind}$argon2id$m=${c.memoryKiB},t=${c.passes},p=${c.lanes}`;
    const key = await this.derive(kind, secret, salt, c);
    return this.encrypt(header, key, salt, pkcs8Der, context);
  }

  private encrypt(header: string, key: Buffer, salt: Buffer, plain: Uint8Array, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad(header, context));
    const body = Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return [header, b64(salt), b64(iv), b64(body)].join('$');
  }

  /** The passphrase-derived key is the same for every service key with one salt: cache it. */
  private serviceKey(p: Pick<Parsed, 'kind' | 'salt' | 'cost'>): Promise<Buffer> {
    const id = `${p.kind}:${p.salt.toString('hex')}:${p.cost.memoryKiB}:${p.cost.passes}:${p.cost.lanes}`;
    let k = this.serviceKeys.get(id);
    if (!k) {
      k = this.derive(p.kind, this.passphrase, p.salt, p.cost);
      this.serviceKeys.set(id, k);
    }
    return k;
  }

  private derive(kind: Kind, secret: string, salt: Buffer, cost: KdfCost): Promise<Buffer> {
    return hashRaw(secret.normalize('NFC'), {
      algorithm: Algorithm.Argon2id,
      memoryCost: cost.memoryKiB,
      timeCost: cost.passes,
      parallelism: cost.lanes,
      outputLen: 32,
      salt,
      // The pepper only for PINs: the passphrase itself is already high-entropy.
      secret: kind === 'pin' ? this.pepper : undefined,
    });
  }
}

function open(p: Parsed, key: Buffer, context: string): Buffer | null {
  if (p.body.length < 17) throw new KeyVaultError('sealed key is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, p.iv);
  decipher.setAAD(aad(p.header, context));
  decipher.setAuthTag(p.body.subarray(p.body.length - 16));
  try {
    return Buffer.concat([decipher.update(p.body.subarray(0, p.body.length - 16)), decipher.final()]);
  } catch {
    return null; // GCM authentication failed: wrong secret, wrong context or altered data
  }
}

function aad(header: string, context: string): Buffer {
  return Buffer.from(`${header}\u0000${context}`, 'utf8');
}

function parse(sealed: string): Parsed {
  const parts = sealed.trim().split('$');
  const m = parts.length === 7 ? /^m=(\d+),t=(\d+),p=(\d+)$/.exec(parts[3]) : null;
  const kind = parts[1];
  if (
    !m ||
    parts[0] !== PREFIX ||
    (kind !== 'svc' && kind !== 'pin' && kind !== 'sec') ||
    parts[2] !== 'argon2id'
  ) {
    throw new KeyVaultError('not a sealed key of this vault (expected kv1$…)');
  }
  return {
    kind,
    cost: { memoryKiB: Number(m[1]), passes: Number(m[2]), lanes: Number(m[3]) },
    header: parts.slice(0, 4).join('$'),
    salt: Buffer.from(parts[4], 'base64url'),
    iv: Buffer.from(parts[5], 'base64url'),
    body: Buffer.from(parts[6], 'base64url'),
  };
}

function toKeyObject(der: Buffer): KeyObject {
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    throw new KeyVaultError('the data is not a PKCS#8 private key');
  }
}

function b64(b: Buffer): string {
  return b.toString('base64url');
}
