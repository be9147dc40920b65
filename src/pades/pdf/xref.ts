import { malformed } from './pdf-errors';
import { PdfDict, PdfRef, PdfStream, type PdfValue, isName, numberOf } from './pdf-objects';
import { PdfLexer, isWhitespace, latin1, parseIndirectObject } from './pdf-parser';
import { decodeStream } from './stream-filters';

/**
 * Cross-reference reading (ISO 32000-1 §7.5.4–7.5.8): classic tables, xref streams with /W and
 * /Index, hybrid-reference files (/XRefStm) and /Prev chains. Broken data is refused, never
 * reconstructed: a signing service must sign exactly the document the reader will see.
 */

export type XrefEntry =
  | { type: 'free'; gen: number }
  | { type: 'offset'; offset: number; gen: number }
  | { type: 'compressed'; stream: number; index: number; gen: 0 };

export interface XrefSection {
  /** Offset of the `xref` keyword or of the xref stream object. */
  offset: number;
  kind: 'table' | 'stream';
  entries: Map<number, XrefEntry>;
  trailer: PdfDict;
  /** Object number of the xref stream itself (kind 'stream', or the /XRefStm of a hybrid table). */
  streamObjects: number[];
}

/** Finds the last `startxref` (§7.5.5) within the file's tail. */
export function findStartXref(bytes: Uint8Array): number {
  const tailStart = Math.max(0, bytes.length - 2048);
  const tail = latin1(bytes, tailStart, bytes.length);
  const idx = tail.lastIndexOf('startxref');
  if (idx < 0) throw malformed('no startxref near the end of the file (truncated or not a PDF)');
  const m = /^startxref\s+(\d+)\s+%%EOF/.exec(tail.slice(idx));
  if (!m) throw malformed('startxref is not followed by an offset and %%EOF (truncated file)');
  const offset = Number(m[1]);
  if (offset <= 0 || offset >= bytes.length)
    throw malformed(`startxref offset ${offset} is outside the file`);
  return offset;
}

/**
 * Reads every section of the /Prev chain, latest first. `known`: the chain of a document these
 * bytes start with (its startxref and sections); when the chain reaches that startxref, the rest is
 * taken from it instead of being parsed again. The caller guarantees the bytes up to the known
 * document's end are its bytes.
 */
export function readXrefChain(
  bytes: Uint8Array,
  startxref: number,
  known?: { startxref: number; sections: readonly XrefSection[] },
): XrefSection[] {
  const sections: XrefSection[] = [];
  const seen = new Set<number>();
  let offset: number | undefined = startxref;
  while (offset !== undefined) {
    if (offset === known?.startxref) {
      // The rest of the chain was read before from the same bytes (see PdfDocument.load).
      sections.push(...known.sections);
      break;
    }
    if (seen.has(offset)) throw malformed(`cross-reference /Prev chain loops at offset ${offset}`);
    if (sections.length > 10_000) throw malformed('too many cross-reference sections');
    seen.add(offset);
    const section = readSection(bytes, offset);
    sections.push(section);
    const prev = section.trailer.get('Prev');
    if (prev === undefined) offset = undefined;
    else if (typeof prev === 'number' && Number.isInteger(prev) && prev >= 0 && prev < bytes.length)
      offset = prev;
    else throw malformed('trailer /Prev is not a valid offset');
  }
  return sections;
}

function readSection(bytes: Uint8Array, offset: number): XrefSection {
  const lx = new PdfLexer(bytes, offset);
  const first = lx.peekToken();
  if (first === 'xref') return readTable(bytes, offset);
  if (/^\d+$/.test(first)) return readXrefStream(bytes, offset);
  throw malformed(`no cross-reference section at offset ${offset}`);
}

function readTable(bytes: Uint8Array, offset: number): XrefSection {
  const lx = new PdfLexer(bytes, offset);
  lx.expectKeyword('xref');
  const entries = new Map<number, XrefEntry>();
  for (;;) {
    const tok = lx.peekToken();
    if (tok === 'trailer') break;
    const start = lx.readInt('xref subsection start');
    const count = lx.readInt('xref subsection count');
    if (count > 10_000_000) throw malformed('implausible xref subsection size');
    for (let i = 0; i < count; i++) {
      const fast = standardEntryAt(bytes, lx);
      if (fast) {
        const num = start + i;
        if (entries.has(num)) continue;
        entries.set(num, fast);
        continue;
      }
      const off = lx.readToken();
      const gen = lx.readToken();
      const kind = lx.readToken();
      if (!/^\d{1,10}$/.test(off) || !/^\d{1,5}$/.test(gen) || (kind !== 'n' && kind !== 'f')) {
        throw malformed(`bad xref table entry for object ${start + i} at offset ${lx.pos}`);
      }
      const num = start + i;
      if (entries.has(num)) continue; // first occurrence wins within a section
      if (kind === 'f') entries.set(num, { type: 'free', gen: Number(gen) });
      else entries.set(num, { type: 'offset', offset: Number(off), gen: Number(gen) });
    }
  }
  lx.expectKeyword('trailer');
  const trailer = lx.parseValue();
  if (!(trailer instanceof PdfDict)) throw malformed('trailer is not a dictionary');
  const section: XrefSection = { offset, kind: 'table', entries, trailer, streamObjects: [] };
  // §7.5.8.4 hybrid-reference file: the /XRefStm entries are searched after the table's own
  // in-use entries but before /Prev; a free table entry does not hide a stream entry.
  const xrefStm = trailer.get('XRefStm');
  if (xrefStm !== undefined) {
    if (typeof xrefStm !== 'number' || xrefStm <= 0 || xrefStm >= bytes.length) {
      throw malformed('trailer /XRefStm is not a valid offset');
    }
    const hybrid = readXrefStream(bytes, xrefStm);
    for (const [num, e] of hybrid.entries) {
      const own = entries.get(num);
      if (!own || own.type === 'free') entries.set(num, e);
    }
    section.streamObjects.push(...hybrid.streamObjects);
  }
  return section;
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/**
 * §7.5.4: an entry written as the standard says (exactly 10 digits, a space, 5 digits, a space,
 * `n` or `f`, then the end-of-line), read straight from the bytes; undefined for anything else,
 * which the token reader then reads (or refuses) as before. A string per token was most of the
 * cost of loading a file with many objects.
 */
function standardEntryAt(bytes: Uint8Array, lx: PdfLexer): XrefEntry | undefined {
  lx.skipWhitespace();
  const p = lx.pos;
  if (p + 19 > lx.end) return undefined;
  let off = 0;
  for (let k = 0; k < 10; k++) {
    const c = bytes[p + k];
    if (!isDigit(c)) return undefined;
    off = off * 10 + (c - 0x30);
  }
  if (bytes[p + 10] !== 0x20 || bytes[p + 16] !== 0x20 || !isWhitespace(bytes[p + 18])) return undefined;
  let gen = 0;
  for (let k = 11; k < 16; k++) {
    const c = bytes[p + k];
    if (!isDigit(c)) return undefined;
    gen = gen * 10 + (c - 0x30);
  }
  const kind = bytes[p + 17];
  if (kind !== 0x6e /* n */ && kind !== 0x66 /* f */) return undefined;
  lx.pos = p + 18;
  return kind === 0x66 ? { type: 'free', gen } : { type: 'offset', offset: off, gen };
}

function readXrefStream(bytes: Uint8Array, offset: number): XrefSection {
  const obj = parseIndirectObject(bytes, offset, () => undefined);
  const stream = obj.value;
  if (!(stream instanceof PdfStream) || !isName(stream.dict.get('Type'), 'XRef')) {
    throw malformed(`object at offset ${offset} is not a cross-reference stream`);
  }
  const dict = stream.dict;
  const data = decodeStream(stream, (v) => (v instanceof PdfRef ? undefined : v));
  const w = dict.get('W');
  if (!Array.isArray(w) || w.length !== 3 || !w.every((x) => typeof x === 'number' && x >= 0 && x <= 8)) {
    throw malformed('xref stream /W is not three small integers');
  }
  const [w0, w1, w2] = w as number[];
  const size = numberOf(dict.get('Size'));
  if (size === undefined) throw malformed('xref stream has no /Size');
  const indexValue = dict.get('Index') ?? [0, size];
  if (
    !Array.isArray(indexValue) ||
    indexValue.length % 2 ||
    !indexValue.every((x) => typeof x === 'number')
  ) {
    throw malformed('xref stream /Index is not pairs of integers');
  }
  const index = indexValue;
  const rowLen = w0 + w1 + w2;
  const entries = new Map<number, XrefEntry>();
  let pos = 0;
  const field = (width: number, def: number) => {
    if (width === 0) return def;
    let v = 0;
    for (let i = 0; i < width; i++) v = v * 256 + data[pos++];
    return v;
  };
  for (let k = 0; k < index.length; k += 2) {
    const start = index[k];
    const count = index[k + 1];
    for (let i = 0; i < count; i++) {
      if (pos + rowLen > data.length) throw malformed('xref stream is shorter than its /Index says');
      const type = field(w0, 1);
      const f2 = field(w1, 0);
      const f3 = field(w2, 0);
      const num = start + i;
      if (entries.has(num)) continue;
      if (type === 0) entries.set(num, { type: 'free', gen: f3 });
      else if (type === 1) entries.set(num, { type: 'offset', offset: f2, gen: f3 });
      else if (type === 2) entries.set(num, { type: 'compressed', stream: f2, index: f3, gen: 0 });
      // §7.5.8.3: other types are references to the null object; ignore them.
    }
  }
  return { offset, kind: 'stream', entries, trailer: dict, streamObjects: [obj.num] };
}

/**
 * Lazy object lookup over a list of sections (latest first). Only the objects asked for are parsed;
 * decoded object streams are cached because signatures read several objects from the same one.
 */
export class ObjectResolver {
  private readonly merged = new Map<number, XrefEntry>();
  private readonly cache = new Map<number, PdfValue>();
  private readonly objStmCache = new Map<number, { data: Buffer; offsets: Map<number, number> }>();
  private readonly resolving = new Set<number>();

  constructor(
    readonly bytes: Uint8Array,
    readonly sections: XrefSection[],
  ) {
    for (const s of sections) {
      for (const [num, e] of s.entries) if (!this.merged.has(num)) this.merged.set(num, e);
    }
  }

  /** How many objects have been parsed so far (laziness is what keeps 50 MB signings cheap). */
  get parsedObjects(): number {
    return this.cache.size;
  }

  entry(num: number): XrefEntry | undefined {
    return this.merged.get(num);
  }

  objectNumbers(): number[] {
    return [...this.merged.keys()];
  }

  /** The object's value, or null for free/missing objects (§7.3.10). */
  get(num: number): PdfValue {
    if (this.cache.has(num)) return this.cache.get(num) ?? null;
    const e = this.merged.get(num);
    if (!e || e.type === 'free') return null;
    if (this.resolving.has(num)) throw malformed(`object ${num} refers to itself while being read`);
    this.resolving.add(num);
    try {
      const value =
        e.type === 'offset'
          ? parseIndirectObject(this.bytes, e.offset, (r) => this.lengthOf(r), num).value
          : this.fromObjectStream(num, e.stream, e.index);
      this.cache.set(num, value);
      return value;
    } finally {
      this.resolving.delete(num);
    }
  }

  resolve(v: PdfValue | undefined): PdfValue | undefined {
    let cur = v;
    for (let i = 0; cur instanceof PdfRef; i++) {
      if (i > 32) throw malformed('reference chain too long');
      cur = this.get(cur.num);
    }
    return cur;
  }

  decode(stream: PdfStream): Buffer {
    return decodeStream(stream, (v) => this.resolve(v));
  }

  private lengthOf(ref: PdfRef): number | undefined {
    const v = this.get(ref.num);
    return typeof v === 'number' ? v : undefined;
  }

  private fromObjectStream(num: number, streamNum: number, index: number): PdfValue {
    let parsed = this.objStmCache.get(streamNum);
    if (!parsed) {
      const e = this.merged.get(streamNum);
      if (!e || e.type !== 'offset') throw malformed(`object stream ${streamNum} is not a plain object`);
      const stream = this.get(streamNum);
      if (!(stream instanceof PdfStream) || !isName(stream.dict.get('Type'), 'ObjStm')) {
        throw malformed(`object ${streamNum} is not an object stream`);
      }
      const n = numberOf(stream.dict.get('N'));
      const first = numberOf(stream.dict.get('First'));
      if (n === undefined || first === undefined)
        throw malformed(`object stream ${streamNum} lacks /N or /First`);
      const data = this.decode(stream);
      const lx = new PdfLexer(data, 0, first);
      const offsets = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        const objNum = lx.readInt('object number in object stream');
        const off = lx.readInt('offset in object stream');
        if (!offsets.has(objNum)) offsets.set(objNum, first + off);
      }
      parsed = { data, offsets };
      this.objStmCache.set(streamNum, parsed);
    }
    const at = parsed.offsets.get(num);
    if (at === undefined || at >= parsed.data.length) {
      throw malformed(`object ${num} is not in object stream ${streamNum} (index ${index})`);
    }
    return new PdfLexer(parsed.data, at).parseValue();
  }
}
