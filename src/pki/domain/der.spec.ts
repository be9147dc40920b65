import * as asn1js from 'asn1js';
import { der, derIntegerHex, derTime } from './der';

describe('DER writers (compared with asn1js)', () => {
  it.each(['01', '7f', '80', 'ff', '00ff', '0000ab', '1d52152bca6dfe0dae619d517973d601', 'f'])(
    'INTEGER %s',
    (hex) => {
      const value = BigInt(`0x${hex}`);
      const parsed = asn1js.fromBER(new Uint8Array(derIntegerHex(hex)));
      expect(parsed.offset).toBe(derIntegerHex(hex).length);
      expect((parsed.result as asn1js.Integer).toBigInt()).toBe(value);
      // Minimal: no superfluous leading byte.
      const body = derIntegerHex(hex).subarray(2);
      expect(body.length === 1 || !(body[0] === 0 && (body[1] & 0x80) === 0)).toBe(true);
    },
  );

  it('writes UTCTime until 2049 and GeneralizedTime from 2050, without fractions', () => {
    expect(derTime(new Date('2049-12-31T23:59:59.999Z')).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(derTime(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\x18\x0f20500101000000Z');
  });

  it('uses long-form lengths from 128 bytes', () => {
    expect(der(0x04, [Buffer.alloc(127)]).subarray(0, 2)).toEqual(Buffer.from([0x04, 0x7f]));
    expect(der(0x04, [Buffer.alloc(128)]).subarray(0, 3)).toEqual(Buffer.from([0x04, 0x81, 0x80]));
    expect(der(0x04, [Buffer.alloc(70000)]).subarray(0, 5)).toEqual(
      Buffer.from([0x04, 0x83, 0x01, 0x11, 0x70]),
    );
  });
});
