import { appendUpdate } from './append-buffer';

describe('appendUpdate', () => {
  it('copies the original once, then appends in place while earlier views keep their bytes', () => {
    const original = Buffer.from('%PDF-1.7 original');
    const v1 = appendUpdate(original, Buffer.from(' update1'));
    const v2 = appendUpdate(v1, Buffer.from(' update2'));
    expect(v2.buffer).toBe(v1.buffer); // no new copy
    expect(v1.toString()).toBe('%PDF-1.7 original update1');
    expect(v2.toString()).toBe('%PDF-1.7 original update1 update2');
    expect(original.toString()).toBe('%PDF-1.7 original');
  });

  it('never overwrites a newer update when an older view is extended again (copies instead)', () => {
    const v1 = appendUpdate(Buffer.from('base'), Buffer.from('-a'));
    const v2 = appendUpdate(v1, Buffer.from('-b'));
    const branch = appendUpdate(v1, Buffer.from('-c'));
    expect(branch.buffer).not.toBe(v1.buffer);
    expect(v2.toString()).toBe('base-a-b');
    expect(branch.toString()).toBe('base-a-c');
  });

  it('grows when the headroom is used up', () => {
    const v1 = appendUpdate(Buffer.from('x'), Buffer.alloc(10));
    const big = Buffer.alloc(400 * 1024, 1);
    const v2 = appendUpdate(v1, big);
    expect(v2.length).toBe(11 + big.length);
    expect(v2.subarray(11).equals(big)).toBe(true);
  });
});
