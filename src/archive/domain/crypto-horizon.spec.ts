import { algorithmHorizon, hashStrength, keyStrength, strengthHorizon } from './crypto-horizon';

describe('CRYPTREC algorithm horizon', () => {
  it('rates keys and hashes by security strength (NIST SP 800-57 Tables 2/3)', () => {
    expect(keyStrength({ type: 'rsa', bits: 2048 })).toBe(112);
    expect(keyStrength({ type: 'rsa', bits: 3072 })).toBe(128);
    expect(keyStrength({ type: 'rsa', bits: 1024 })).toBe(80);
    expect(keyStrength({ type: 'ec', curve: 'prime256v1' })).toBe(128);
    expect(keyStrength({ type: 'ec', curve: 'secp384r1' })).toBe(192);
    expect(keyStrength({ type: 'ec', curve: 'brainpoolP256r1' })).toBe(0);
    expect(hashStrength('sha1')).toBeLessThan(112);
    expect(hashStrength('sha256')).toBe(128);
    expect(hashStrength('md5')).toBe(0);
  });

  it('ends 112-bit protection (RSA-2048) at the end of 2030 JST', () => {
    expect(algorithmHorizon(['sha256'], { type: 'rsa', bits: 2048 }).toISOString()).toBe(
      '2030-12-31T14:59:59.000Z',
    );
  });

  it('keeps 128-bit (SHA-256 + P-256 / RSA-3072) until the 2040 review horizon', () => {
    expect(algorithmHorizon(['sha256', 'sha256'], { type: 'ec', curve: 'prime256v1' }).toISOString()).toBe(
      '2040-12-31T14:59:59.000Z',
    );
    expect(algorithmHorizon(['sha256'], { type: 'rsa', bits: 3072 })).toEqual(strengthHorizon(128));
  });

  it('takes the weakest part: SHA-1 or an unknown algorithm means the protection has already ended', () => {
    expect(algorithmHorizon(['sha1'], { type: 'ec', curve: 'secp384r1' }).getTime()).toBe(0);
    expect(algorithmHorizon(['sha384', 'unknown'], { type: 'ec', curve: 'secp384r1' }).getTime()).toBe(0);
    expect(algorithmHorizon(['sha384'], { type: 'ec', curve: 'secp384r1' }).toISOString()).toBe(
      '2050-12-31T14:59:59.000Z',
    );
  });
});
