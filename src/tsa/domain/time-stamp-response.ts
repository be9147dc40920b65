import { DerError, Tag, children, expectTag, integer, readInteger, readOne, seq, tlv } from './der';
import { PkiFailureInfo } from './time-stamp-request';

/** PKIStatus values (RFC 3161 §2.4.2). */
export enum PkiStatus {
  granted = 0,
  grantedWithMods = 1,
  rejection = 2,
  waiting = 3,
  revocationWarning = 4,
  revocationNotification = 5,
}

/** A TimeStampResp carrying only a rejection PKIStatusInfo (no token). */
export function encodeRejection(failInfo: PkiFailureInfo, text: string): Buffer {
  const bitBytes = Buffer.alloc((failInfo >> 3) + 1);
  bitBytes[failInfo >> 3] = 0x80 >> (failInfo & 7);
  // DER named bit list: trailing zero bits are removed and counted as unused (X.690 §11.2.2).
  const unused = 7 - (failInfo & 7);
  const failBits = tlv(Tag.BIT_STRING, Buffer.from([unused]), bitBytes);
  const statusString = seq(tlv(Tag.UTF8_STRING, Buffer.from(text, 'utf8')));
  return seq(seq(integer(PkiStatus.rejection), statusString, failBits));
}

export interface ParsedTimeStampResponse {
  status: number;
  statusText: string[];
  /** The set failure bits (names), if any. */
  failInfo: string[];
  /** DER of the TimeStampToken when present. */
  token?: Buffer;
}

/** Parses a TimeStampResp (client side); throws DerError on malformed input. */
export function parseTimeStampResponse(der: Uint8Array): ParsedTimeStampResponse {
  const parts = children(readOne(Buffer.from(der), Tag.SEQUENCE));
  if (parts.length < 1 || parts.length > 2) throw new DerError('TimeStampResp must have 1 or 2 fields');
  const info = children(expectTag(parts[0], Tag.SEQUENCE, 'PKIStatusInfo'));
  const status = Number(readInteger(expectTag(info[0], Tag.INTEGER, 'status')));
  const out: ParsedTimeStampResponse = { status, statusText: [], failInfo: [] };
  for (const f of info.slice(1)) {
    if (f.tag === Tag.SEQUENCE) out.statusText = children(f).map((s) => s.content.toString('utf8'));
    else if (f.tag === Tag.BIT_STRING) {
      const bytes = f.content.subarray(1);
      for (let bit = 0; bit < bytes.length * 8; bit++)
        if (bytes[bit >> 3] & (0x80 >> (bit & 7))) out.failInfo.push(PkiFailureInfo[bit] ?? `bit${bit}`);
    } else throw new DerError('unexpected field in PKIStatusInfo');
  }
  if (parts[1]) out.token = Buffer.from(expectTag(parts[1], Tag.SEQUENCE, 'timeStampToken').raw);
  return out;
}
