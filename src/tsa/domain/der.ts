/**
 * A minimal, strict DER (ITU-T X.690 §10) writer and reader for the few structures the TSA builds
 * and parses on its hot path (TimeStampReq, TSTInfo, SignedData). pkijs stays the reference for
 * verification; this exists because building a token must cost far less than signing it.
 * The reader refuses indefinite lengths, non-minimal length octets and trailing bytes.
 */

export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  GENERALIZED_TIME: 0x18,
} as const;

/** Context-specific tag number `n`, constructed (explicit or constructed implicit) or primitive. */
export const ctx = (n: number, constructed = true): number => (constructed ? 0xa0 : 0x80) | n;

function lengthOctets(len: number): Buffer {
  if (len < 0x80) return Buffer.from([len]);
  const bytes: number[] = [];
  for (let v = len; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = content.length === 1 ? Buffer.from(content[0]) : Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), lengthOctets(body.length), body]);
}

export const seq = (...items: Uint8Array[]): Buffer => tlv(Tag.SEQUENCE, ...items);

/** SET OF: DER requires the encodings sorted as octet strings (X.690 §11.6). */
export function setOf(...items: Uint8Array[]): Buffer {
  const sorted = items.map((i) => Buffer.from(i)).sort(Buffer.compare);
  return tlv(Tag.SET, ...sorted);
}

export const octetString = (b: Uint8Array): Buffer => tlv(Tag.OCTET_STRING, b);
export const derNull = (): Buffer => Buffer.from([Tag.NULL, 0]);
export const bool = (v: boolean): Buffer => Buffer.from([Tag.BOOLEAN, 1, v ? 0xff : 0]);

/** INTEGER from a non-negative bigint (minimal two's complement). */
export function integer(v: bigint | number): Buffer {
  if (typeof v === 'bigint' && v >= 0n && v <= 0x7fffffffffffn) v = Number(v);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 0x7fffffffffff) {
    // Fast path for the common case (serials, versions): at most 6 content octets.
    let len = 1;
    while (len < 6 && v >= 2 ** (8 * len - 1)) len++;
    const out = Buffer.allocUnsafe(2 + len);
    out[0] = Tag.INTEGER;
    out[1] = len;
    out.writeUIntBE(v, 2, len);
    return out;
  }
  let n = BigInt(v);
  if (n < 0n) throw new RangeError('negative INTEGER not supported');
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  } while (n > 0n);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return tlv(Tag.INTEGER, Buffer.from(bytes));
}

/** INTEGER whose content octets are given (already minimal, as read from a request). */
export const integerRaw = (content: Uint8Array): Buffer => tlv(Tag.INTEGER, content);

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map((p) => {
    if (!/^\d+$/.test(p)) throw new RangeError(`bad OID ${dotted}`);
    return BigInt(p);
  });
  if (parts.length < 2) throw new RangeError(`bad OID ${dotted}`);
  const arcs = [parts[0] * 40n + parts[1], ...parts.slice(2)];
  const out: number[] = [];
  for (const arc of arcs) {
    const chunk: number[] = [];
    let v = arc;
    do {
      chunk.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] |= 0x80;
    out.push(...chunk);
  }
  return tlv(Tag.OID, Buffer.from(out));
}

/** GeneralizedTime in UTC with milliseconds when non-zero (RFC 3161 §2.4.2: no trailing zeros). */
export function generalizedTime(d: Date): Buffer {
  const year = d.getUTCFullYear();
  if (year < 1000 || year > 9999) throw new RangeError(`GeneralizedTime year ${year} out of range`);
  let s = `${year}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}`;
  s += `${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  if (ms) s += `.${(ms < 10 ? '00' : ms < 100 ? '0' : '') + ms}`.replace(/0+$/, '');
  s += 'Z';
  const out = Buffer.allocUnsafe(2 + s.length);
  out[0] = Tag.GENERALIZED_TIME;
  out[1] = s.length;
  out.write(s, 2, 'latin1');
  return out;
}

const two = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** An AlgorithmIdentifier with absent parameters (SHA-2, ECDSA) or NULL (RSA). */
export const algorithmId = (algOid: string, nullParams = false): Buffer =>
  nullParams ? seq(oid(algOid), derNull()) : seq(oid(algOid));

// ---------------------------------------------------------------------------------------------
// Single-allocation writer

/**
 * A DER value whose encoding is not written yet: lengths are summed bottom-up as the tree is built,
 * and encode() writes the whole tree into one buffer. The tlv()/seq() helpers above copy every
 * level again (each Buffer.concat allocates), which made assembling a 1–2 KB token cost more than
 * half of its ECDSA signature; this writer copies each leaf exactly once.
 */
export interface DerTree {
  tag: number;
  parts: (Uint8Array | DerTree)[];
  /** Length of the content octets. */
  len: number;
  /** Length of the whole encoding (tag, length octets, content). */
  size: number;
}

function lengthOctetCount(len: number): number {
  if (len < 0x80) return 1;
  let n = 1;
  for (let v = len; v > 0; v = Math.floor(v / 256)) n++;
  return n;
}

/** A constructed (or primitive, when given raw content) value made of already-encoded parts. */
export function node(tag: number, ...parts: (Uint8Array | DerTree)[]): DerTree {
  let len = 0;
  for (const p of parts) len += p instanceof Uint8Array ? p.length : p.size;
  return { tag, parts, len, size: 1 + lengthOctetCount(len) + len };
}

function writeTree(t: DerTree, out: Buffer, offset: number): number {
  let pos = offset;
  out[pos++] = t.tag;
  const len = t.len;
  if (len < 0x80) out[pos++] = len;
  else {
    const n = lengthOctetCount(len) - 1;
    out[pos++] = 0x80 | n;
    for (let i = n - 1; i >= 0; i--) out[pos++] = Math.floor(len / 256 ** i) & 0xff;
  }
  for (const p of t.parts) {
    if (p instanceof Uint8Array) {
      out.set(p, pos);
      pos += p.length;
    } else pos = writeTree(p, out, pos);
  }
  return pos;
}

/** Encodes the tree in one allocation. */
export function encode(t: DerTree): Buffer {
  const out = Buffer.allocUnsafe(t.size);
  if (writeTree(t, out, 0) !== t.size) throw new Error('DER writer: length mismatch');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Reader

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

export interface Node {
  tag: number;
  /** Offset of the tag in the original buffer, and the end (exclusive) of the whole TLV. */
  start: number;
  end: number;
  /** Content octets. */
  content: Buffer;
  /** The whole TLV (tag, length, content). */
  raw: Buffer;
}

/** Reads one TLV at `offset` of `buf`. */
export function readNode(buf: Buffer, offset = 0): Node {
  if (offset + 2 > buf.length) throw new DerError('truncated TLV');
  const tag = buf[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used here');
  let pos = offset + 1;
  let len = buf[pos++];
  if (len === 0x80) throw new DerError('indefinite length is not DER');
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n > 4) throw new DerError('length too large');
    if (pos + n > buf.length) throw new DerError('truncated length');
    if (buf[pos] === 0) throw new DerError('non-minimal length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[pos++];
    if (len < 0x80) throw new DerError('non-minimal length');
  }
  const end = pos + len;
  if (end > buf.length) throw new DerError('truncated content');
  return { tag, start: offset, end, content: buf.subarray(pos, end), raw: buf.subarray(offset, end) };
}

/** Reads exactly one TLV spanning the whole buffer. */
export function readOne(buf: Buffer, expectTag?: number): Node {
  const n = readNode(buf, 0);
  if (n.end !== buf.length) throw new DerError('trailing bytes after DER value');
  if (expectTag !== undefined && n.tag !== expectTag)
    throw new DerError(`expected tag 0x${expectTag.toString(16)}, found 0x${n.tag.toString(16)}`);
  return n;
}

/** The children of a constructed node. */
export function children(node: Node): Node[] {
  if (!(node.tag & 0x20)) throw new DerError('not a constructed value');
  const out: Node[] = [];
  let pos = 0;
  while (pos < node.content.length) {
    const child = readNode(node.content, pos);
    out.push(child);
    pos = child.end;
  }
  return out;
}

export function expectTag(node: Node | undefined, tag: number, what: string): Node {
  if (!node) throw new DerError(`${what} missing`);
  if (node.tag !== tag) throw new DerError(`${what}: unexpected tag 0x${node.tag.toString(16)}`);
  return node;
}

export function readOid(node: Node): string {
  if (node.tag !== Tag.OID || node.content.length === 0) throw new DerError('not an OBJECT IDENTIFIER');
  const arcs: bigint[] = [];
  let v = 0n;
  for (let i = 0; i < node.content.length; i++) {
    const b = node.content[i];
    if (v === 0n && b === 0x80) throw new DerError('non-minimal OID arc');
    v = (v << 7n) | BigInt(b & 0x7f);
    if (!(b & 0x80)) {
      arcs.push(v);
      v = 0n;
    } else if (i === node.content.length - 1) throw new DerError('truncated OID');
  }
  const first = arcs[0] < 80n ? arcs[0] / 40n : 2n;
  const second = arcs[0] - first * 40n;
  return [first, second, ...arcs.slice(1)].join('.');
}

/** INTEGER content validated as minimal; returns the bigint (negative values refused). */
export function readInteger(node: Node): bigint {
  const c = node.content;
  if (node.tag !== Tag.INTEGER || c.length === 0) throw new DerError('not an INTEGER');
  if (c.length > 1 && ((c[0] === 0 && !(c[1] & 0x80)) || (c[0] === 0xff && c[1] & 0x80)))
    throw new DerError('non-minimal INTEGER');
  if (c[0] & 0x80) throw new DerError('negative INTEGER');
  return c.length === 0 ? 0n : BigInt(`0x${c.toString('hex')}`);
}

export function readBoolean(node: Node): boolean {
  if (node.tag !== Tag.BOOLEAN || node.content.length !== 1) throw new DerError('not a BOOLEAN');
  if (node.content[0] !== 0 && node.content[0] !== 0xff) throw new DerError('non-DER BOOLEAN');
  return node.content[0] === 0xff;
}
