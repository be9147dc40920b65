import { malformed } from './pdf-errors';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfValue } from './pdf-objects';

/**
 * A minimal, strict object parser (ISO 32000-1 §7.2–7.3). It parses one object at a given offset
 * and never scans the whole file: the document resolves objects lazily through the xref.
 * Anything it cannot read is PDF_MALFORMED; it never guesses.
 */

const WHITESPACE = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WHITESPACE[c] = 1;
const DELIMITER = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIMITER[c.charCodeAt(0)] = 1;

const MAX_DEPTH = 64;

const HEX_VALUE = new Uint8Array(256).fill(255);
for (let i = 0; i < 10; i++) HEX_VALUE[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX_VALUE[0x41 + i] = 10 + i;
  HEX_VALUE[0x61 + i] = 10 + i;
}

export function isWhitespace(c: number): boolean {
  return WHITESPACE[c] === 1;
}

function isRegular(c: number): boolean {
  return WHITESPACE[c] === 0 && DELIMITER[c] === 0;
}

/** Resolves the indirect /Length of a stream while parsing (the document provides it). */
export type LengthResolver = (ref: PdfRef) => number | undefined;

export class PdfLexer {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    readonly end: number = bytes.length,
  ) {}

  skipWhitespace(): void {
    const b = this.bytes;
    while (this.pos < this.end) {
      const c = b[this.pos];
      if (WHITESPACE[c]) this.pos++;
      else if (c === 0x25 /* % comment */) {
        while (this.pos < this.end && b[this.pos] !== 0x0a && b[this.pos] !== 0x0d) this.pos++;
      } else break;
    }
  }

  /** Reads a run of regular characters (a keyword or number), after whitespace. */
  readToken(): string {
    this.skipWhitespace();
    const start = this.pos;
    while (this.pos < this.end && isRegular(this.bytes[this.pos])) this.pos++;
    return latin1(this.bytes, start, this.pos);
  }

  peekToken(): string {
    const save = this.pos;
    const t = this.readToken();
    this.pos = save;
    return t;
  }

  readInt(what: string): number {
    const t = this.readToken();
    if (!/^\d+$/.test(t)) throw malformed(`expected ${what} at offset ${this.pos}`);
    return Number(t);
  }

  expectKeyword(k: string): void {
    const t = this.readToken();
    if (t !== k) throw malformed(`expected '${k}' at offset ${this.pos}, found '${t.slice(0, 20)}'`);
  }

  parseValue(depth = 0): PdfValue {
    if (depth > MAX_DEPTH) throw malformed('objects nested too deeply');
    this.skipWhitespace();
    if (this.pos >= this.end) throw malformed('unexpected end of data while reading an object');
    const b = this.bytes;
    const c = b[this.pos];
    switch (c) {
      case 0x2f /* / */:
        return this.parseName();
      case 0x28 /* ( */:
        return this.parseLiteralString();
      case 0x3c /* < */:
        if (b[this.pos + 1] === 0x3c) return this.parseDict(depth);
        return this.parseHexString();
      case 0x5b /* [ */: {
        this.pos++;
        const arr: PdfValue[] = [];
        for (;;) {
          this.skipWhitespace();
          if (this.pos >= this.end) throw malformed('unterminated array');
          if (b[this.pos] === 0x5d) {
            this.pos++;
            return arr;
          }
          arr.push(this.parseValue(depth + 1));
        }
      }
      default:
        break;
    }
    const start = this.pos;
    const token = this.readToken();
    if (token === '') throw malformed(`unexpected character 0x${c.toString(16)} at offset ${start}`);
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (token === 'null') return null;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(token)) {
      if (/^\d+$/.test(token)) {
        // Maybe "num gen R".
        const save = this.pos;
        const gen = this.readToken();
        if (/^\d+$/.test(gen)) {
          const r = this.readToken();
          if (r === 'R') return new PdfRef(Number(token), Number(gen));
        }
        this.pos = save;
      }
      return Number(token);
    }
    throw malformed(`unexpected token '${token.slice(0, 20)}' at offset ${start}`);
  }

  private parseName(): PdfName {
    const b = this.bytes;
    this.pos++; // '/'
    let out = '';
    while (this.pos < this.end && isRegular(b[this.pos])) {
      const c = b[this.pos];
      if (c === 0x23 /* # */ && this.pos + 2 < this.end + 1) {
        const hex = latin1(b, this.pos + 1, this.pos + 3);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw malformed(`bad #xx escape in name at offset ${this.pos}`);
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 3;
      } else {
        out += String.fromCharCode(c);
        this.pos++;
      }
    }
    return new PdfName(out);
  }

  private parseLiteralString(): PdfString {
    const b = this.bytes;
    this.pos++; // '('
    const out: number[] = [];
    let nesting = 1;
    while (this.pos < this.end) {
      const c = b[this.pos++];
      if (c === 0x5c /* \ */) {
        if (this.pos >= this.end) break;
        const e = b[this.pos++];
        switch (e) {
          case 0x6e:
            out.push(0x0a);
            break;
          case 0x72:
            out.push(0x0d);
            break;
          case 0x74:
            out.push(0x09);
            break;
          case 0x62:
            out.push(0x08);
            break;
          case 0x66:
            out.push(0x0c);
            break;
          case 0x0d: // line continuation
            if (b[this.pos] === 0x0a) this.pos++;
            break;
          case 0x0a:
            break;
          default:
            if (e >= 0x30 && e <= 0x37) {
              let v = e - 0x30;
              for (let k = 0; k < 2 && b[this.pos] >= 0x30 && b[this.pos] <= 0x37; k++)
                v = v * 8 + (b[this.pos++] - 0x30);
              out.push(v & 0xff);
            } else out.push(e); // \( \) \\ and unknown escapes: the char itself
        }
      } else if (c === 0x28) {
        nesting++;
        out.push(c);
      } else if (c === 0x29) {
        if (--nesting === 0) return new PdfString(Uint8Array.from(out), false);
        out.push(c);
      } else if (c === 0x0d) {
        // §7.3.4.2: an unescaped end-of-line is read as \n.
        if (b[this.pos] === 0x0a) this.pos++;
        out.push(0x0a);
      } else out.push(c);
    }
    throw malformed('unterminated literal string');
  }

  private parseHexString(): PdfString {
    const b = this.bytes;
    this.pos++; // '<'
    // Signature /Contents are tens of kilobytes of hex: decode with a table, no per-char strings.
    const close = b.indexOf(0x3e, this.pos);
    if (close < 0 || close > this.end) throw malformed('unterminated hex string');
    const len = close - this.pos;
    if ((len & 1) === 0) {
      // Fast path (every signature /Contents the engine writes): Node's native hex decoder stops at
      // the first pair that is not two hex digits, so a result of exactly len/2 bytes proves every
      // character was a hex digit; anything else (whitespace, bad characters) takes the loop below,
      // which accepts or refuses it exactly as before.
      const fast = Buffer.from(latin1(b, this.pos, close), 'hex');
      if (fast.length === len >> 1) {
        this.pos = close + 1;
        // Copied out of Buffer's shared pool: the string owns its bytes, as the loop's result does.
        return new PdfString(new Uint8Array(fast), true);
      }
    }
    const out = new Uint8Array((close - this.pos + 1) >> 1);
    let n = 0;
    let high = -1;
    for (let p = this.pos; p < close; p++) {
      const c = b[p];
      const v = HEX_VALUE[c];
      if (v === 255) {
        if (WHITESPACE[c]) continue;
        throw malformed(`bad character in hex string at offset ${p}`);
      }
      if (high < 0) high = v;
      else {
        out[n++] = (high << 4) | v;
        high = -1;
      }
    }
    if (high >= 0) out[n++] = high << 4; // odd digit count: final digit is followed by 0 (§7.3.4.3)
    this.pos = close + 1;
    return new PdfString(out.subarray(0, n), true);
  }

  private parseDict(depth: number): PdfDict {
    const b = this.bytes;
    this.pos += 2;
    const dict = new PdfDict();
    for (;;) {
      this.skipWhitespace();
      if (this.pos >= this.end) throw malformed('unterminated dictionary');
      if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
        this.pos += 2;
        return dict;
      }
      if (b[this.pos] !== 0x2f) throw malformed(`dictionary key expected at offset ${this.pos}`);
      const key = this.parseName().name;
      dict.set(key, this.parseValue(depth + 1));
    }
  }
}

export interface IndirectObject {
  num: number;
  gen: number;
  value: PdfValue;
  /** Offset just after `endobj` (or after the value when `endobj` is missing). */
  end: number;
}

/**
 * Parses "num gen obj … endobj" at `offset`. A dictionary followed by `stream` becomes a
 * PdfStream pointing into `bytes` (§7.3.8); /Length is trusted only when `endstream` follows it.
 */
export function parseIndirectObject(
  bytes: Uint8Array,
  offset: number,
  resolveLength: LengthResolver,
  expectedNum?: number,
): IndirectObject {
  if (offset < 0 || offset >= bytes.length) throw malformed(`object offset ${offset} is outside the file`);
  const lx = new PdfLexer(bytes, offset);
  const num = lx.readInt('object number');
  const gen = lx.readInt('generation number');
  lx.expectKeyword('obj');
  if (expectedNum !== undefined && num !== expectedNum) {
    throw malformed(
      `cross-reference points object ${expectedNum} at offset ${offset}, which holds object ${num}`,
    );
  }
  let value = lx.parseValue();
  const afterValue = lx.pos;
  const kw = lx.readToken();
  if (kw === 'stream' && value instanceof PdfDict) {
    // §7.3.8.1: `stream` is followed by CRLF or LF (a lone CR is tolerated).
    let start = lx.pos;
    if (bytes[start] === 0x0d) start++;
    if (bytes[start] === 0x0a) start++;
    const length = streamLength(bytes, value, start, resolveLength);
    value = new PdfStream(value, bytes, start, length);
    const elx = new PdfLexer(bytes, start + length);
    elx.expectKeyword('endstream');
    const endobj = elx.readToken();
    return { num, gen, value, end: endobj === 'endobj' ? elx.pos : start + length };
  }
  return { num, gen, value, end: kw === 'endobj' ? lx.pos : afterValue };
}

function streamLength(
  bytes: Uint8Array,
  dict: PdfDict,
  start: number,
  resolveLength: LengthResolver,
): number {
  const raw = dict.get('Length');
  const declared = typeof raw === 'number' ? raw : raw instanceof PdfRef ? resolveLength(raw) : undefined;
  if (
    declared !== undefined &&
    Number.isInteger(declared) &&
    declared >= 0 &&
    start + declared <= bytes.length
  ) {
    const lx = new PdfLexer(bytes, start + declared);
    if (lx.readToken() === 'endstream') return declared;
  }
  // A wrong /Length is a common writer bug; accept it only when `endstream` is unambiguous.
  const idx = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).indexOf('endstream', start, 'latin1');
  if (idx < 0) throw malformed(`stream at offset ${start} has no endstream`);
  let end = idx;
  if (bytes[end - 1] === 0x0a) end--;
  if (bytes[end - 1] === 0x0d) end--;
  return Math.max(0, end - start);
}

export function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT_TEXT && start >= 0 && end <= bytes.length) {
    // Tokens (numbers, keywords, `obj`, `R`) are a few bytes: building the string directly costs a
    // fifth of creating a Buffer view to decode them.
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
    return s;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, Math.max(0, end - start)).toString('latin1');
}

const SHORT_TEXT = 32;
