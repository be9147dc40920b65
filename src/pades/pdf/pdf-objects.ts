/**
 * The PDF object model (ISO 32000-1 §7.3) as small immutable-ish values, plus the serializer used
 * by the incremental writer. Streams are not copied: a PdfStream points at its raw bytes.
 */

export class PdfName {
  /** The decoded name (after #xx unescaping), as a latin1 string of its bytes, without the slash. */
  constructor(readonly name: string) {}
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
  toString(): string {
    return `${this.num} ${this.gen} R`;
  }
}

export class PdfString {
  /** `hex` records how the string was written, so a rewritten dictionary keeps its look. */
  constructor(
    readonly bytes: Uint8Array,
    readonly hex = false,
  ) {}
}

export class PdfDict {
  readonly map: Map<string, PdfValue>;
  constructor(entries?: Iterable<[string, PdfValue]>) {
    this.map = new Map(entries ?? []);
  }
  get(key: string): PdfValue | undefined {
    return this.map.get(key);
  }
  set(key: string, value: PdfValue): this {
    this.map.set(key, value);
    return this;
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  keys(): string[] {
    return [...this.map.keys()];
  }
  clone(): PdfDict {
    return new PdfDict(this.map);
  }
}

/** A stream whose raw (still encoded) data lies at [start, start+length) of `source`. */
export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    readonly source: Uint8Array,
    readonly start: number,
    readonly length: number,
  ) {}
  raw(): Uint8Array {
    return this.source.subarray(this.start, this.start + this.length);
  }
}

export type PdfValue =
  null | boolean | number | PdfName | PdfString | PdfRef | PdfDict | PdfStream | PdfValue[];

// ---------------------------------------------------------------------------------------------
// Small typed accessors.

export function isName(v: PdfValue | undefined, name?: string): v is PdfName {
  return v instanceof PdfName && (name === undefined || v.name === name);
}
export function nameOf(v: PdfValue | undefined): string | undefined {
  return v instanceof PdfName ? v.name : undefined;
}
export function numberOf(v: PdfValue | undefined): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
export function dictOf(v: PdfValue | undefined): PdfDict | undefined {
  if (v instanceof PdfDict) return v;
  if (v instanceof PdfStream) return v.dict;
  return undefined;
}

/** Text string (§7.9.2.2): UTF-16BE with BOM, UTF-8 with BOM (PDF 2.0), else PDFDocEncoding. */
export function decodeTextString(s: PdfString): string {
  const b = s.bytes;
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) {
    const chars: number[] = [];
    for (let i = 2; i + 1 < b.length; i += 2) chars.push((b[i] << 8) | b[i + 1]);
    return String.fromCharCode(...chars);
  }
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
    return Buffer.from(b.subarray(3)).toString('utf8');
  }
  let out = '';
  for (const c of b) out += String.fromCharCode(PDF_DOC_ENCODING_HIGH[c] ?? c);
  return out;
}

/** PDFDocEncoding differs from Latin-1 at 0x18–0x1F and 0x80–0xA0 (ISO 32000-1 Annex D.2). */
const PDF_DOC_ENCODING_HIGH: Record<number, number> = {
  0x18: 0x02d8,
  0x19: 0x02c7,
  0x1a: 0x02c6,
  0x1b: 0x02d9,
  0x1c: 0x02dd,
  0x1d: 0x02db,
  0x1e: 0x02da,
  0x1f: 0x02dc,
  0x80: 0x2022,
  0x81: 0x2020,
  0x82: 0x2021,
  0x83: 0x2026,
  0x84: 0x2014,
  0x85: 0x2013,
  0x86: 0x0192,
  0x87: 0x2044,
  0x88: 0x2039,
  0x89: 0x203a,
  0x8a: 0x2212,
  0x8b: 0x2030,
  0x8c: 0x201e,
  0x8d: 0x201c,
  0x8e: 0x201d,
  0x8f: 0x2018,
  0x90: 0x2019,
  0x91: 0x201a,
  0x92: 0x2122,
  0x93: 0xfb01,
  0x94: 0xfb02,
  0x95: 0x0141,
  0x96: 0x0152,
  0x97: 0x0160,
  0x98: 0x0178,
  0x99: 0x017d,
  0x9a: 0x0131,
  0x9b: 0x0142,
  0x9c: 0x0153,
  0x9d: 0x0161,
  0x9e: 0x017e,
  0xa0: 0x20ac,
};

/** Encodes a text string: plain literal when printable ASCII, else UTF-16BE with BOM (hex). */
export function textString(text: string): PdfString {
  if (/^[\x20-\x7e]*$/.test(text)) return new PdfString(Buffer.from(text, 'latin1'));
  const units: number[] = [0xfe, 0xff];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    units.push(c >> 8, c & 0xff);
  }
  return new PdfString(Uint8Array.from(units), true);
}

/** PDF date (§7.9.4) in UTC: D:YYYYMMDDHHmmSSZ. */
export function pdfDate(d: Date): PdfString {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const s =
    `D:${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return new PdfString(Buffer.from(s, 'latin1'));
}

/** Parses a PDF date (§7.9.4), tolerating the common variants (missing parts, Z, +09'00'). */
export function parsePdfDate(s: string): Date | undefined {
  const m =
    /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:([Zz+-])(?:(\d{2})'?(\d{2})?'?)?)?/.exec(
      s.trim(),
    );
  if (!m) return undefined;
  const n = (x: string | undefined, def: number) => (x === undefined ? def : Number(x));
  let t = Date.UTC(n(m[1], 0), n(m[2], 1) - 1, n(m[3], 1), n(m[4], 0), n(m[5], 0), n(m[6], 0));
  if (m[7] === '+' || m[7] === '-') {
    const offsetMin = n(m[8], 0) * 60 + n(m[9], 0);
    t -= (m[7] === '+' ? 1 : -1) * offsetMin * 60_000;
  }
  return Number.isNaN(t) ? undefined : new Date(t);
}

// ---------------------------------------------------------------------------------------------
// Serializer (§7.3). Output is latin1 text: every byte value maps to one char.

const REGULAR = (() => {
  const t = new Uint8Array(256);
  for (let c = 0x21; c <= 0x7e; c++) t[c] = 1;
  for (const c of '()<>[]{}/%#') t[c.charCodeAt(0)] = 0;
  return t;
})();

export function serializeName(name: string): string {
  let out = '/';
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i) & 0xff;
    out += REGULAR[c] ? name[i] : `#${c.toString(16).padStart(2, '0').toUpperCase()}`;
  }
  return out;
}

export function serializeNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot write non-finite number ${n}`);
  if (Number.isInteger(n)) return String(n);
  // Reals must not use exponent notation (§7.3.3).
  let s = n.toFixed(10);
  s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

function serializeString(s: PdfString): string {
  if (s.hex) return `<${Buffer.from(s.bytes).toString('hex').toUpperCase()}>`;
  let out = '(';
  for (const c of s.bytes) {
    if (c === 0x28 || c === 0x29 || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c < 0x20 || c > 0x7e) out += `\\${c.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(c);
  }
  return out + ')';
}

/** Serializes a direct value. Streams must be written with `writeStreamObject`. */
export function serialize(v: PdfValue): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return serializeNumber(v);
  if (v instanceof PdfName) return serializeName(v.name);
  if (v instanceof PdfRef) return v.toString();
  if (v instanceof PdfString) return serializeString(v);
  if (Array.isArray(v)) return `[${v.map(serialize).join(' ')}]`;
  if (v instanceof PdfDict) {
    const parts: string[] = [];
    for (const [k, val] of v.map) parts.push(`${serializeName(k)} ${serialize(val)}`);
    return `<<${parts.join(' ')}>>`;
  }
  throw new Error('a stream cannot be written as a direct object');
}
