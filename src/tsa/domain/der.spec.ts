import * as asn1js from 'asn1js';
import { Tag, encode, generalizedTime, integer, node, readInteger, readOne, seq, tlv } from './der';

describe('DER writer', () => {
  it('encodes INTEGER minimally on the fast path and beyond it, as asn1js reads it', () => {
    const values = [
      0n,
      1n,
      127n,
      128n,
      255n,
      256n,
      32767n,
      32768n,
      2n ** 47n - 1n,
      2n ** 47n,
      2n ** 64n + 5n,
    ];
    for (const v of values) {
      const der = integer(v);
      expect(readInteger(readOne(der, Tag.INTEGER))).toBe(v);
      const parsed = asn1js.fromBER(new Uint8Array(der).buffer);
      expect(parsed.offset).toBe(der.length);
      expect((parsed.result as asn1js.Integer).toBigInt()).toBe(v);
      if (v <= BigInt(Number.MAX_SAFE_INTEGER)) expect(integer(Number(v)).equals(der)).toBe(true);
    }
    expect(() => integer(-1n)).toThrow(RangeError);
  });

  it('writes GeneralizedTime in UTC without trailing zeros in the fraction', () => {
    const text = (d: string) => generalizedTime(new Date(d)).subarray(2).toString('latin1');
    expect(text('2026-11-22T02:45:22.123Z')).toBe('20261122024522.123Z');
    expect(text('2026-01-02T03:04:05.100Z')).toBe('20260102030405.1Z');
    expect(text('2026-01-02T03:04:05.010Z')).toBe('20260102030405.01Z');
    expect(text('2026-01-02T03:04:05.000Z')).toBe('20260102030405Z');
    expect(generalizedTime(new Date('2026-01-02T03:04:05Z'))[0]).toBe(Tag.GENERALIZED_TIME);
  });

  it('writes a tree in one buffer byte-identical to the copying helpers, including long lengths', () => {
    const small = Buffer.from([1, 2, 3]);
    const big = Buffer.alloc(300, 7);
    const huge = Buffer.alloc(70_000, 9);
    const tree = node(
      Tag.SEQUENCE,
      small,
      node(Tag.OCTET_STRING, big),
      node(0xa0, node(Tag.OCTET_STRING, huge)),
    );
    const expected = seq(small, tlv(Tag.OCTET_STRING, big), tlv(0xa0, tlv(Tag.OCTET_STRING, huge)));
    const out = encode(tree);
    expect(out.equals(expected)).toBe(true);
    expect(tree.size).toBe(out.length);
    expect(readOne(out, Tag.SEQUENCE).end).toBe(out.length);
  });
});
