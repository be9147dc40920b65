import { isAppendOnlyExtension, isRenewalDue, retentionEnd } from './version-chain';

describe('version chain', () => {
  const v1 = Buffer.from('%PDF-1.7 original %%EOF\n');
  it('accepts only the previous bytes followed by more', () => {
    expect(isAppendOnlyExtension(v1, Buffer.concat([v1, Buffer.from('update %%EOF\n')]))).toBe(true);
    expect(isAppendOnlyExtension(v1, v1)).toBe(false);
    expect(isAppendOnlyExtension(v1, v1.subarray(0, 10))).toBe(false);
    const changed = Buffer.concat([v1, Buffer.from('x')]);
    changed[3] ^= 1;
    expect(isAppendOnlyExtension(v1, changed)).toBe(false);
  });

  it('works on views into larger buffers', () => {
    const big = Buffer.concat([Buffer.from('junk'), v1, Buffer.from('more')]);
    const view = new Uint8Array(big.buffer, big.byteOffset + 4, v1.length + 4);
    expect(isAppendOnlyExtension(v1, view)).toBe(true);
  });

  it('is due when protection ends within the window', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(isRenewalDue(new Date('2030-12-31T00:00:00Z'), now, 365)).toBe(true);
    expect(isRenewalDue(new Date('2031-01-02T00:00:00Z'), now, 365)).toBe(false);
    expect(isRenewalDue(new Date('2029-01-01T00:00:00Z'), now, 365)).toBe(true);
  });

  it('counts retention in calendar years from the conclusion date', () => {
    expect(retentionEnd('2026-04-01', 10)).toBe('2036-04-01');
    expect(retentionEnd('2028-02-29', 10)).toBe('2038-02-28');
    expect(retentionEnd('2028-02-29', 4)).toBe('2032-02-29');
  });
});
