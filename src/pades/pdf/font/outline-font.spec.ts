import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { PdfDocument } from '../pdf-document';
import { PdfDict, PdfStream, dictOf } from '../pdf-objects';
import { prepareSignature } from '../incremental-writer';
import { makePdf } from '../testing/make-pdf';
import { qpdfCheck, writeTemp } from '../testing/pdf-test-tools';
import { drawTextAsPaths } from './glyph-text';
import { FontError, type OutlineFont, listFontFaces, loadOutlineFont } from './outline-font';

// CI installs fonts-noto-cjk (.ci/run); the bank's servers need the same package for Japanese stamps.
const NOTO = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc';
const TRUETYPE = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf',
].find((p) => existsSync(p));

let noto: OutlineFont;
beforeAll(() => {
  noto = loadOutlineFont(readFileSync(NOTO), { face: /CJK JP$/ });
});

function contours(font: OutlineFont, ch: string) {
  const outline = font.outline(font.glyphId(ch.codePointAt(0) ?? 0));
  return {
    outline,
    moves: outline.filter((c) => c.op === 'M').length,
    closes: outline.filter((c) => c.op === 'Z').length,
  };
}

describe('loadOutlineFont (CFF, CID-keyed: Noto Sans CJK JP)', () => {
  it('picks the Japanese face of the collection by name', () => {
    expect(listFontFaces(readFileSync(NOTO)).map((f) => f.familyName)).toContain('Noto Sans CJK JP');
    expect(noto.familyName).toBe('Noto Sans CJK JP');
    expect(noto.unitsPerEm).toBe(1000);
  });

  it('maps kanji, kana and ASCII to glyphs with closed outlines inside the em box', () => {
    for (const ch of ['山', '田', 'あ', 'ア', 'A', '9']) {
      const gid = noto.glyphId(ch.codePointAt(0) ?? 0);
      expect(gid).toBeGreaterThan(0);
      const { outline, moves, closes } = contours(noto, ch);
      expect(moves).toBeGreaterThan(0);
      expect(closes).toBe(moves);
      for (const c of outline) {
        if (c.op === 'Z') continue;
        expect(c.x).toBeGreaterThanOrEqual(-100);
        expect(c.x).toBeLessThanOrEqual(1100);
        expect(c.y).toBeGreaterThanOrEqual(-200);
        expect(c.y).toBeLessThanOrEqual(1000);
      }
    }
    // 山 is one contour; 田 is an outer box with four inner squares.
    expect(contours(noto, '山').moves).toBe(1);
    expect(contours(noto, '田').moves).toBe(5);
    expect(noto.advanceWidth(noto.glyphId('山'.codePointAt(0) ?? 0))).toBe(1000);
  });

  it('returns .notdef for characters the font lacks', () => {
    expect(noto.glyphId(0x10ffff)).toBe(0);
  });
});

(TRUETYPE ? describe : describe.skip)('loadOutlineFont (TrueType glyf)', () => {
  it('reads simple and composite glyphs', () => {
    const font = loadOutlineFont(readFileSync(TRUETYPE ?? ''));
    expect(contours(font, 'o').moves).toBe(2);
    // é is a composite of e (2 contours) and the acute accent (1).
    expect(contours(font, 'é').moves).toBe(3);
    expect(contours(font, 'é').outline.some((c) => c.op === 'C')).toBe(true);
  });
});

describe('font refusals', () => {
  it('refuses files that are not fonts and faces that do not exist', () => {
    expect(() => loadOutlineFont(Buffer.from('%PDF-1.7 not a font'))).toThrow(FontError);
    expect(() => loadOutlineFont(readFileSync(NOTO), { face: /Klingon/ })).toThrow(FontError);
    expect(() => loadOutlineFont(readFileSync(NOTO), { face: 99 })).toThrow(FontError);
  });
});

describe('drawTextAsPaths', () => {
  it('fits the longest line into the box width', () => {
    const ops = drawTextAsPaths(noto, ['山'.repeat(40)], { x: 0, y: 0, width: 100, height: 50 });
    const xs = [...ops.matchAll(/(-?[\d.]+) (-?[\d.]+) [ml] /g)].map((m) => Number(m[1]));
    expect(Math.max(...xs)).toBeLessThanOrEqual(100);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
  });
});

/** Dark pixels of page 1 inside a PDF rectangle, rendered by poppler at 72 dpi. */
function inkInside(pdf: Buffer, rect: [number, number, number, number]): number {
  const file = writeTemp('ink.pdf', pdf);
  const r = spawnSync('pdftoppm', ['-r', '72', '-gray', '-f', '1', '-l', '1', file], { maxBuffer: 1 << 26 });
  const pgm = r.stdout;
  const header = /^P5\s+(\d+)\s+(\d+)\s+255\s/.exec(pgm.toString('latin1', 0, 40));
  if (!header) throw new Error(`pdftoppm failed: ${r.stderr?.toString()}`);
  const [width, height] = [Number(header[1]), Number(header[2])];
  const data = pgm.subarray(header[0].length);
  let ink = 0;
  // Inset by 3pt to skip the border.
  for (let y = height - rect[3] + 3; y < height - rect[1] - 3; y++) {
    for (let x = rect[0] + 3; x < rect[2] - 3; x++) if (data[y * width + x] < 128) ink++;
  }
  return ink;
}

describe('visible stamp with Japanese text drawn as outlines', () => {
  it('renders the Japanese lines (poppler sees ink) without any font resource', () => {
    const rect: [number, number, number, number] = [72, 500, 372, 590];
    const stamp = (lines: string[]) => {
      const base = makePdf();
      const p = prepareSignature(PdfDocument.load(base), {
        type: 'Sig',
        subFilter: 'ETSI.CAdES.detached',
        contentsSize: 64,
        visible: { page: 1, rect, lines, font: noto },
      });
      return Buffer.concat([base, p.embed(Buffer.from([0x30, 0x00]))]);
    };
    const withText = stamp(['借主 山田 太郎', '署名日時 2026-04-01 09:30 JST', '役割: 連帯保証人']);
    const empty = stamp([]);
    expect(qpdfCheck(withText).status).toBe(0);
    expect(inkInside(empty, rect)).toBe(0);
    expect(inkInside(withText, rect)).toBeGreaterThan(500);
    // The appearance has no /Font resource (PDF/A: nothing to embed) and no transparency.
    const doc = PdfDocument.load(withText);
    const field = doc.fields()[0];
    const ap = doc.resolve(dictOf(doc.resolve(field.dict.get('AP')))?.get('N'));
    expect(ap).toBeInstanceOf(PdfStream);
    const text = doc.resolver.decode(ap as PdfStream).toString('latin1');
    expect(dictOf(ap)?.get('Resources')).toEqual(new PdfDict());
    expect(text).not.toMatch(/\bTf\b|\/ca|\/CA|\bgs\b/);
    expect(text).toMatch(/ c /);
  });
});
