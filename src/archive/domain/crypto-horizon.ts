/**
 * How long the algorithms behind a timestamp keep their force (EC-14). An archive timestamp must
 * be renewed before its TSA certificate expires *or* before its hash/key algorithm stops being
 * acceptable, whichever comes first.
 *
 * Sources:
 * - CRYPTREC LS-0001-2022「暗号強度要件（アルゴリズム及び鍵長選択）に関する設定基準」(2023-03):
 *   security strength 112 bits (RSA-2048, SHA-224, P-224) is acceptable until the end of 2030
 *   (「2030年まで」; after that only for verifying existing data); 128 bits (RSA-3072, P-256,
 *   SHA-256) and above remain acceptable past 2031 — the table's last tabulated period is
 *   「2031年以降」, so we use the end of 2040 as a review horizon (renewal is forced by then,
 *   at the latest, and the table can be moved when CRYPTREC revises it).
 * - CRYPTREC 電子政府推奨暗号リスト (2013, rev. 2023): SHA-1 and RSA-1024 are
 *   「運用監視暗号」/not for new signatures; treated as already ended.
 * - NIST SP 800-57 Part 1 Rev. 5 Table 4 agrees (112 bits through 2030, 128 bits 2031 and beyond).
 */
export type HashName =
  'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'sha3-256' | 'sha3-384' | 'sha3-512';

export interface KeyInfo {
  type: 'rsa' | 'ec' | 'ed25519' | 'ed448' | 'other';
  /** RSA modulus length in bits. */
  bits?: number;
  /** EC named curve (node's name: prime256v1, secp384r1, secp521r1, …). */
  curve?: string;
}

/** End of the period in which a security strength (bits) is acceptable; null = already ended. */
const STRENGTH_HORIZON: { minBits: number; until: string | null }[] = [
  { minBits: 192, until: '2050-12-31T14:59:59Z' },
  { minBits: 128, until: '2040-12-31T14:59:59Z' },
  { minBits: 112, until: '2030-12-31T14:59:59Z' },
  { minBits: 0, until: null },
];

/** Collision resistance of hash functions (bits), NIST SP 800-57 Table 3 / CRYPTREC LS-0001. */
const HASH_STRENGTH: Record<HashName, number> = {
  sha1: 63, // practical collisions (SHAttered, 2017)
  sha224: 112,
  sha256: 128,
  'sha3-256': 128,
  sha384: 192,
  'sha3-384': 192,
  sha512: 256,
  'sha3-512': 256,
};

const CURVE_STRENGTH: Record<string, number> = {
  prime256v1: 128,
  'P-256': 128,
  secp384r1: 192,
  'P-384': 192,
  secp521r1: 256,
  'P-521': 256,
  secp224r1: 112,
};

/** RSA strength by modulus (NIST SP 800-57 Table 2). */
function rsaStrength(bits: number): number {
  if (bits >= 15360) return 256;
  if (bits >= 7680) return 192;
  if (bits >= 3072) return 128;
  if (bits >= 2048) return 112;
  if (bits >= 1024) return 80;
  return 0;
}

export function keyStrength(key: KeyInfo): number {
  switch (key.type) {
    case 'rsa':
      return rsaStrength(key.bits ?? 0);
    case 'ec':
      return CURVE_STRENGTH[key.curve ?? ''] ?? 0;
    case 'ed25519':
      return 128;
    case 'ed448':
      return 224;
    case 'other':
      return 0;
  }
}

export function hashStrength(hash: string): number {
  return HASH_STRENGTH[hash as HashName] ?? 0;
}

/** The instant after which `bits` of security no longer protect a timestamp (epoch 0 = already). */
export function strengthHorizon(bits: number): Date {
  const row = STRENGTH_HORIZON.find((r) => bits >= r.minBits)!;
  return new Date(row.until ?? 0);
}

/** The algorithm horizon of a timestamp: the weakest of its hashes and its TSA key. */
export function algorithmHorizon(hashes: string[], key: KeyInfo): Date {
  const bits = Math.min(keyStrength(key), ...hashes.map(hashStrength));
  return strengthHorizon(bits);
}
