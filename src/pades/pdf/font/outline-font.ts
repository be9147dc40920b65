import { readCffOutlines } from './cff-outlines';
import { readTrueTypeOutlines } from './truetype-outlines';

/**
 * Just enough of OpenType (ISO/IEC 14496-22) to draw text as vector outlines in a signature stamp:
 * the table directory (also inside a TrueType Collection), cmap, hmtx, and glyph outlines from
 * either CFF (e.g. Noto Sans CJK) or glyf (e.g. IPAex, DejaVu).
 *
 * Why outlines rather than an embedded font: a stamp drawn as paths needs no font resource at all,
 * so a PDF/A file stays PDF/A (no non-embedded font, no font subset to validate), and Japanese
 * names render the same in every viewer.
 */

export type PathCommand =
  | { op: 'M'; x: number; y: number }
  | { op: 'L'; x: number; y: number }
  | { op: 'C'; x1: number; y1: number; x2: number; y2: number; x: number; y: number }
  | { op: 'Z' };

export interface OutlineFont {
  readonly familyName: string;
  readonly unitsPerEm: number;
  /** Glyph id for a Unicode code point (0 = .notdef when the font lacks it). */
  glyphId(codePoint: number): number;
  advanceWidth(glyphId: number): number;
  /** Outline in font units (y up), closed subpaths. */
  outline(glyphId: number): PathCommand[];
}

export class FontError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FontError';
  }
}

interface Table {
  offset: number;
  length: number;
}

export interface FontFace {
  index: number;
  familyName: string;
}

/** Faces of a font file (one for .otf/.ttf, several for a .ttc). */
export function listFontFaces(data: Uint8Array): FontFace[] {
  return faceOffsets(data).map((offset, index) => ({
    index,
    familyName: familyNameOf(data, tablesAt(data, offset)),
  }));
}

/**
 * Loads a face for outline drawing. `face` picks a face of a collection by index or by a pattern
 * matched against its family name (e.g. /JP/ for "Noto Sans CJK JP").
 */
export function loadOutlineFont(data: Uint8Array, opts: { face?: number | RegExp } = {}): OutlineFont {
  const offsets = faceOffsets(data);
  let index = 0;
  if (typeof opts.face === 'number') index = opts.face;
  else if (opts.face) {
    const pattern = opts.face;
    index = listFontFaces(data).findIndex((f) => pattern.test(f.familyName));
    if (index < 0) throw new FontError(`no face matching ${String(pattern)} in the font file`);
  }
  if (index < 0 || index >= offsets.length) throw new FontError(`font face ${index} does not exist`);
  const tables = tablesAt(data, offsets[index]);
  const dv = view(data);
  const need = (tag: string) => {
    const t = tables.get(tag);
    if (!t) throw new FontError(`font has no '${tag}' table`);
    return t;
  };
  const head = need('head');
  const unitsPerEm = dv.getUint16(head.offset + 18);
  const indexToLocFormat = dv.getInt16(head.offset + 50);
  const hhea = need('hhea');
  const numberOfHMetrics = dv.getUint16(hhea.offset + 34);
  const hmtx = need('hmtx');
  const numGlyphs = dv.getUint16(need('maxp').offset + 4);
  const cmapLookup = readCmap(data, need('cmap'));
  const cff = tables.get('CFF ');
  const glyf = tables.get('glyf');
  const outlines = cff
    ? readCffOutlines(data.subarray(cff.offset, cff.offset + cff.length))
    : glyf
      ? readTrueTypeOutlines(data, glyf, need('loca'), indexToLocFormat, numGlyphs)
      : undefined;
  if (!outlines) throw new FontError('font has neither CFF nor glyf outlines');
  const cache = new Map<number, PathCommand[]>();
  return {
    familyName: familyNameOf(data, tables),
    unitsPerEm,
    glyphId: (cp) => {
      const g = cmapLookup(cp);
      return g > 0 && g < numGlyphs ? g : 0;
    },
    advanceWidth: (gid) => {
      const i = Math.min(gid, numberOfHMetrics - 1);
      return dv.getUint16(hmtx.offset + i * 4);
    },
    outline: (gid) => {
      let o = cache.get(gid);
      if (!o) {
        o = outlines(gid);
        cache.set(gid, o);
      }
      return o;
    },
  };
}

function view(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

function tag(data: Uint8Array, at: number): string {
  return String.fromCharCode(data[at], data[at + 1], data[at + 2], data[at + 3]);
}

function faceOffsets(data: Uint8Array): number[] {
  if (data.length < 12) throw new FontError('font file too short');
  const dv = view(data);
  if (tag(data, 0) === 'ttcf') {
    const n = dv.getUint32(8);
    if (n < 1 || 12 + n * 4 > data.length) throw new FontError('bad TrueType Collection header');
    return Array.from({ length: n }, (_, i) => dv.getUint32(12 + i * 4));
  }
  const version = dv.getUint32(0);
  if (version !== 0x00010000 && tag(data, 0) !== 'OTTO' && tag(data, 0) !== 'true') {
    throw new FontError('not an OpenType/TrueType font');
  }
  return [0];
}

function tablesAt(data: Uint8Array, offset: number): Map<string, Table> {
  const dv = view(data);
  const numTables = dv.getUint16(offset + 4);
  const tables = new Map<string, Table>();
  for (let i = 0; i < numTables; i++) {
    const rec = offset + 12 + i * 16;
    const t = { offset: dv.getUint32(rec + 8), length: dv.getUint32(rec + 12) };
    if (t.offset + t.length > data.length)
      throw new FontError(`table ${tag(data, rec)} lies outside the file`);
    tables.set(tag(data, rec), t);
  }
  return tables;
}

function familyNameOf(data: Uint8Array, tables: Map<string, Table>): string {
  const name = tables.get('name');
  if (!name) return '';
  const dv = view(data);
  const count = dv.getUint16(name.offset + 2);
  const strings = name.offset + dv.getUint16(name.offset + 4);
  let fallback = '';
  for (let i = 0; i < count; i++) {
    const rec = name.offset + 6 + i * 12;
    const platform = dv.getUint16(rec);
    const nameId = dv.getUint16(rec + 6);
    const length = dv.getUint16(rec + 8);
    const off = strings + dv.getUint16(rec + 10);
    if (nameId !== 1 && nameId !== 4) continue;
    if (platform === 3 || platform === 0) {
      let s = '';
      for (let k = 0; k + 1 < length; k += 2) s += String.fromCharCode(dv.getUint16(off + k));
      if (nameId === 4) return s;
      fallback ||= s;
    } else if (platform === 1) {
      fallback ||= Buffer.from(data.subarray(off, off + length)).toString('latin1');
    }
  }
  return fallback;
}

/** cmap format 12 (full Unicode) or 4 (BMP), Windows or Unicode platform. */
function readCmap(data: Uint8Array, cmap: Table): (cp: number) => number {
  const dv = view(data);
  const n = dv.getUint16(cmap.offset + 2);
  let best: { format: number; at: number } | undefined;
  for (let i = 0; i < n; i++) {
    const rec = cmap.offset + 4 + i * 8;
    const platform = dv.getUint16(rec);
    const encoding = dv.getUint16(rec + 2);
    const at = cmap.offset + dv.getUint32(rec + 4);
    const format = dv.getUint16(at);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    if (format === 12 && best?.format !== 12) best = { format, at };
    else if (format === 4 && !best) best = { format, at };
  }
  if (!best) throw new FontError('font has no Unicode cmap (format 4 or 12)');
  const at = best.at;
  if (best.format === 12) {
    const groups = dv.getUint32(at + 12);
    return (cp) => {
      let lo = 0;
      let hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const g = at + 16 + mid * 12;
        const start = dv.getUint32(g);
        const end = dv.getUint32(g + 4);
        if (cp < start) hi = mid - 1;
        else if (cp > end) lo = mid + 1;
        else return dv.getUint32(g + 8) + (cp - start);
      }
      return 0;
    };
  }
  const segX2 = dv.getUint16(at + 6);
  const ends = at + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const rangeOffsets = deltas + segX2;
  return (cp) => {
    if (cp > 0xffff) return 0;
    for (let i = 0; i < segX2; i += 2) {
      if (cp > dv.getUint16(ends + i)) continue;
      const start = dv.getUint16(starts + i);
      if (cp < start) return 0;
      const delta = dv.getInt16(deltas + i);
      const ro = dv.getUint16(rangeOffsets + i);
      if (ro === 0) return (cp + delta) & 0xffff;
      const g = dv.getUint16(rangeOffsets + i + ro + (cp - start) * 2);
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
}
