import { randomInt } from 'node:crypto';
import { randomToken } from '../../common/crypto/secrets';

/**
 * Generators for what the bank hands to a new person (EC-02): login ID, temporary password and
 * the personal login key (EC-05 (1)).
 */

/** Letters and digits that cannot be misread on a printed notice (no 0/O, 1/l/I). */
const READABLE = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A temporary password of 16 readable characters (≈ 93 bits). */
export function generateTemporaryPassword(length = 16): string {
  let s = '';
  for (let i = 0; i < length; i++) s += READABLE[randomInt(READABLE.length)];
  return s;
}

/** 128 random bits, URL-safe (base64url, 22 characters). */
export function generateLoginKey(): string {
  return randomToken(16);
}

/** `S` + 8 digits for staff, `U` + 8 digits for subscribers: random, so IDs do not reveal counts. */
export function generateLoginId(kind: 'staff' | 'subscriber'): string {
  const prefix = kind === 'staff' ? 'S' : 'U';
  return `${prefix}${String(randomInt(10_000_000, 100_000_000))}`;
}

export const LOGIN_ID_PATTERN = /^[A-Za-z0-9._-]{3,64}$/;
export const LOGIN_KEY_PATTERN = /^[A-Za-z0-9_-]{22,128}$/;
