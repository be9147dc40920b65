import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PdfErrorCode, type PdfError } from './pdf-errors';
import { PdfDocument, stripDerPadding } from './pdf-document';
import { makeHybridPdf, makePdf } from './testing/make-pdf';
import { appendDss, concatUpdate } from './incremental-writer';
import { sharedPath } from '../../../test/helpers/shared-paths';

const FIXTURES = sharedPath('fixtures/pdf');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));

function loadError(bytes: Uint8Array, opts?: { maxBytes?: number }): PdfError | undefined {
  try {
    PdfDocument.load(bytes, opts);
  } catch (e) {
    return e as PdfError;
  }
  return undefined;
}

/** Outcome expected for every file in the shared fixture folder; a new fixture must be added here. */
const EXPECTED: Record<string, 'signable' | PdfErrorCode> = {
  'loan-encrypted-aes256.pdf': PdfErrorCode.PDF_ENCRYPTED,
  'loan-libreoffice.pdf': 'signable',
  'loan-linearized.pdf': 'signable',
  'loan-objstm-xrefstream.pdf': 'signable',
  'loan-signed-by-other-software.pdf': 'signable',
  'loan-truncated.pdf': PdfErrorCode.PDF_MALFORMED,
  'not-a-pdf.pdf': PdfErrorCode.PDF_MALFORMED,
};

describe('PdfDocument.load on the shared fixtures', () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.pdf'));

  it('knows the expected outcome of every fixture', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('%s', (file) => {
    const bytes = fixture(file);
    const expected = EXPECTED[file];
    if (expected === 'signable') {
      const doc = PdfDocument.load(bytes);
      expect(doc.bytes).toBe(bytes); // not copied
      expect(doc.pageCount()).toBe(9);
      expect(doc.page(8).dict.get('Type')).toBeDefined();
      expect(doc.revisions[doc.revisions.length - 1]).toBe(bytes.length);
    } else {
      const err = loadError(bytes);
      expect(err?.code).toBe(expected);
      expect(err?.message).toMatch(/PDF/);
    }
  });

  it('explains encryption in the refusal', () => {
    expect(loadError(fixture('loan-encrypted-aes256.pdf'))?.message).toContain('暗号化');
  });

  it('reads the signature of a file signed by other software (pyHanko)', () => {
    const bytes = fixture('loan-signed-by-other-software.pdf');
    const doc = PdfDocument.load(bytes);
    expect(doc.revisions).toEqual([111351, bytes.length]);
    const sigs = doc.signatures();
    expect(sigs).toHaveLength(1);
    const s = sigs[0];
    expect(s.fieldName).toBe('ForeignSig');
    expect(s.type).toBe('Sig');
    expect(s.subFilter).toBe('ETSI.CAdES.detached');
    expect(s.byteRange[0]).toBe(0);
    expect(s.revisionEnd).toBe(bytes.length);
    expect(s.signingTime?.toISOString()).toBe('2026-11-22T02:23:06.000Z');
    // /Contents holds exactly the DER: its outer length matches what we return.
    expect(s.contents[0]).toBe(0x30);
    expect(s.contents[1]).toBe(0x82);
    expect(s.contents.length).toBe(4 + ((s.contents[2] << 8) | s.contents[3]));
    // The hex placeholder sits exactly between the two ranges.
    const hex = Buffer.from(bytes.subarray(s.byteRange[1], s.byteRange[2])).toString('latin1');
    expect(hex.startsWith('<') && hex.endsWith('>')).toBe(true);
    expect(hex.slice(1, 1 + s.contents.length * 2).toUpperCase()).toBe(
      Buffer.from(s.contents).toString('hex').toUpperCase(),
    );
    expect(doc.dss()).toBeUndefined();
  });

  it('reads the object-stream / xref-stream fixture through compressed objects', () => {
    const doc = PdfDocument.load(fixture('loan-objstm-xrefstream.pdf'));
    expect(doc.sections[0].kind).toBe('stream');
    const catalogEntry = doc.resolver.entry(doc.catalogRef().num);
    expect(catalogEntry?.type).toBe('compressed');
    expect(doc.catalog().has('Pages')).toBe(true);
  });

  it('reads the linearized fixture through its first-page cross-reference section', () => {
    const doc = PdfDocument.load(fixture('loan-linearized.pdf'));
    expect(doc.sections).toHaveLength(2);
    expect(doc.sections[0].offset).toBeLessThan(2000);
    expect(doc.revisions).toEqual([111851]); // the first-page trailer's "startxref 0" is not a revision
  });

  it('reads a hybrid-reference file (/XRefStm), finding objects hidden from the classic table', () => {
    const doc = PdfDocument.load(makeHybridPdf());
    expect(doc.sections[0].kind).toBe('table');
    expect(doc.resolver.entry(3)?.type).toBe('compressed');
    expect(doc.pageCount()).toBe(1);
    expect(doc.page(0).ref.num).toBe(3);
  });

  it('refuses files over the size limit with PDF_TOO_LARGE', () => {
    const bytes = makePdf({ pages: 1 });
    expect(loadError(bytes, { maxBytes: bytes.length - 1 })?.code).toBe(PdfErrorCode.PDF_TOO_LARGE);
    expect(loadError(bytes, { maxBytes: bytes.length })).toBeUndefined();
  });

  it('refuses damaged cross-reference data instead of repairing it', () => {
    const good = makePdf({ pages: 2 });
    const text = good.toString('latin1');
    const xrefAt = Number(/startxref\n(\d+)/.exec(text)?.[1]);
    // startxref pointing into the middle of an object
    const wrongStart = Buffer.from(text.replace(/startxref\n\d+/, `startxref\n${xrefAt - 40}`), 'latin1');
    expect(loadError(wrongStart)?.code).toBe(PdfErrorCode.PDF_MALFORMED);
    expect(loadError(wrongStart)?.message).toMatch(/壊れています/);
    // an xref entry pointing at the wrong object
    const shifted = Buffer.from(
      text.replace(
        /(xref\n0 \d+\n0000000000 65535 f\r\n)(\d{10})/,
        (_m, head: string, off: string) => `${head}${String(Number(off) + 1).padStart(10, '0')}`,
      ),
      'latin1',
    );
    expect(loadError(shifted)?.code).toBe(PdfErrorCode.PDF_MALFORMED);
    expect(loadError(shifted)?.message).toMatch(/does not point at it/);
    // a /Prev loop
    const loop = Buffer.from(text.replace('/Size', `/Prev ${xrefAt} /Size`), 'latin1');
    expect(loadError(loop)?.code).toBe(PdfErrorCode.PDF_MALFORMED);
    expect(loadError(loop)?.message).toMatch(/loops/);
    // no %%EOF after startxref (truncated in the trailer)
    expect(loadError(good.subarray(0, good.length - 7))?.code).toBe(PdfErrorCode.PDF_MALFORMED);
    // not even a header
    expect(loadError(Buffer.from('hello world, this is text'))?.code).toBe(PdfErrorCode.PDF_MALFORMED);
  });

  it('reads cross-reference entries written to the letter and loosely written ones alike', () => {
    const good = makePdf({ pages: 3 });
    const text = good.toString('latin1');
    const strict = PdfDocument.load(good);
    const loose = (entry: (off: string, gen: string, kind: string) => string) =>
      Buffer.from(
        text.replace(/^(\d{10}) (\d{5}) ([nf])\r\n/gm, (_m, off: string, gen: string, kind: string) =>
          entry(off, gen, kind),
        ),
        'latin1',
      );
    const variants = [
      loose((o, g, k) => `${o} ${g} ${k} \n`), // space + LF, as §7.5.4 also allows
      loose((o, g, k) => `${o} ${g} ${k}\n`), // LF only
      loose((o, g, k) => `${Number(o)} ${Number(g)} ${k}\r\n`), // no leading zeros
      loose((o, g, k) => `${o}  ${g}\t${k}\r\n`), // other whitespace between the fields
    ];
    for (const bytes of variants) {
      // Shorter entries move the table, never the objects: only the startxref offset stays valid.
      const doc = PdfDocument.load(bytes);
      expect([...doc.sections[0].entries]).toEqual([...strict.sections[0].entries]);
      expect(doc.pageCount()).toBe(3);
    }
    // An entry that is neither is still refused, wherever the fast reading stops.
    for (const bad of [`0000000009 00000 x\r\n`, `0000000009 00000 nx\r\n`, `000000000a 00000 n\r\n`]) {
      const broken = Buffer.from(text.replace(/^\d{10} \d{5} n\r\n/m, bad), 'latin1');
      expect(loadError(broken)?.message).toMatch(/bad xref table entry/);
    }
  });

  it('checks that each entry points at its object header, whatever whitespace the header uses', () => {
    const text = makePdf({ pages: 2 }).toString('latin1');
    // "5 0 obj" written as "5\t0  obj" (same length, so every offset stays right): still accepted.
    const spaced = Buffer.from(text.replace('\n5 0 obj\n', '\n5\t0\fobj\n'), 'latin1');
    expect(loadError(spaced)).toBeUndefined();
    // A header without the keyword, or of another object, is refused.
    for (const header of ['5 0 ob \n', '5 0obj \n', '6 0 obj\n', ' 5 0 obj']) {
      const wrong = Buffer.from(text.replace('\n5 0 obj\n', `\n${header}`), 'latin1');
      expect(wrong.length).toBe(text.length);
      expect(loadError(wrong)?.message).toMatch(/does not point at it/);
    }
  });

  it('finds the revisions only when asked, with the same answer', () => {
    const bytes = makePdf({ pages: 2 });
    const doc = PdfDocument.load(bytes);
    expect(doc.revisions).toEqual([bytes.length]);
    expect(doc.revisions).toBe(doc.revisions);
  });

  it('reuses the cross-reference chain of a document the bytes extend, and only of such a one', () => {
    const base = PdfDocument.load(makePdf({ pages: 2 }));
    // An incremental update (a DSS) appended to the base.
    const extended = concatUpdate(
      base.bytes,
      appendDss(base, { certs: [Buffer.from('cert')], ocsps: [], crls: [] }),
    );
    const fresh = PdfDocument.load(extended);
    const reused = PdfDocument.load(extended, { extends: base });
    expect(reused.sections.length).toBe(fresh.sections.length);
    expect(reused.sections.length).toBe(base.sections.length + 1);
    // The base's sections themselves (not parsed again) after the new one.
    expect(reused.sections.slice(1)).toEqual(base.sections);
    reused.sections.slice(1).forEach((s, i) => expect(s).toBe(base.sections[i]));
    expect(reused.dss()?.certs.map((c) => Buffer.from(c).toString())).toEqual(['cert']);
    expect(reused.pageCount()).toBe(2);

    // Bytes that differ inside the base's part: loaded on their own, nothing borrowed.
    const other = Buffer.from(extended);
    other[20] ^= 0x01;
    const unrelated = PdfDocument.load(other, { extends: base });
    unrelated.sections.forEach((s) => expect(base.sections).not.toContain(s));
  });

  it('makePdf produces a file of about the requested size that loads lazily', () => {
    const bytes = makePdf({ pages: 4, targetBytes: 300_000 });
    expect(bytes.length).toBeGreaterThan(280_000);
    expect(bytes.length).toBeLessThan(320_000);
    const doc = PdfDocument.load(bytes);
    expect(doc.pageCount()).toBe(4);
    expect(createHash('sha256').update(doc.bytes).digest('hex')).toBe(
      createHash('sha256').update(bytes).digest('hex'),
    );
  });
});

describe('stripDerPadding', () => {
  it('cuts at the DER length, keeping a trailing zero byte that belongs to the DER', () => {
    const der = Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]);
    expect([...stripDerPadding(Buffer.concat([der, Buffer.alloc(10)]))]).toEqual([...der]);
  });
  it('falls back to trimming zeros for non-DER content', () => {
    expect([...stripDerPadding(Buffer.from([0x01, 0x02, 0x00, 0x00]))]).toEqual([1, 2]);
  });
});
