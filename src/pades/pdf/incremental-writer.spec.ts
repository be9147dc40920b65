import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PdfErrorCode, type PdfError } from './pdf-errors';
import { PdfDocument } from './pdf-document';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, dictOf, textString } from './pdf-objects';
import { type SignatureFieldOptions, UpdateBuilder, appendDss, prepareSignature } from './incremental-writer';
import { makeHybridPdf, makePdf } from './testing/make-pdf';
import { dummyCms, pdfsig, qpdfCheck, writeTemp } from './testing/pdf-test-tools';
import { sharedPath } from '../../../test/helpers/shared-paths';

const FIXTURES = sharedPath('fixtures/pdf');
const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const SIGNING_TIME = new Date('2026-04-01T00:30:00Z');

const SIG: SignatureFieldOptions = {
  type: 'Sig',
  subFilter: 'ETSI.CAdES.detached',
  contentsSize: 8192,
  signingTime: SIGNING_TIME,
  name: '山田 太郎',
  reason: '金銭消費貸借契約への同意',
  location: 'Tokyo',
};
const TIMESTAMP: SignatureFieldOptions = {
  type: 'DocTimeStamp',
  subFilter: 'ETSI.RFC3161',
  contentsSize: 6000,
};

/** Prepares, embeds a dummy CMS and returns the whole new file. */
function sign(bytes: Buffer, opts: SignatureFieldOptions, der = dummyCms(3000)) {
  const prepared = prepareSignature(PdfDocument.load(bytes), opts);
  const out = Buffer.concat([bytes, prepared.embed(der)]);
  return { prepared, out, der };
}

function expectQpdfClean(bytes: Uint8Array) {
  const r = qpdfCheck(bytes);
  expect(r.output).not.toMatch(/WARNING|error:/i);
  expect(r.output).toMatch(/No syntax or stream encoding errors found/);
  expect(r.status).toBe(0);
}

function errorOf(fn: () => unknown): PdfError | undefined {
  try {
    fn();
  } catch (e) {
    return e as PdfError;
  }
  return undefined;
}

const INPUTS: [string, () => Buffer][] = [
  ['loan-libreoffice.pdf', () => fixture('loan-libreoffice.pdf')],
  ['loan-linearized.pdf', () => fixture('loan-linearized.pdf')],
  ['loan-objstm-xrefstream.pdf', () => fixture('loan-objstm-xrefstream.pdf')],
  ['loan-signed-by-other-software.pdf', () => fixture('loan-signed-by-other-software.pdf')],
  ['generated classic file', () => makePdf({ pages: 2 })],
  ['generated hybrid-reference file', () => makeHybridPdf()],
  [
    'qpdf linearized file with object streams',
    () => qpdfRewrite(['--linearize', '--object-streams=generate']),
  ],
  ['qpdf QDF file', () => qpdfRewrite(['--qdf'])],
  ['Chromium-printed file (Skia PDF)', () => chromiumPdf()],
];

/** The generated file rewritten by qpdf (another writer's object layout and xref style). */
function qpdfRewrite(args: string[]): Buffer {
  const input = writeTemp('qpdf-in.pdf', makePdf({ pages: 3 }));
  const output = `${input}.out.pdf`;
  const r = spawnSync('qpdf', [...args, input, output]);
  if (r.status !== 0) throw new Error(`qpdf failed: ${r.stderr.toString()}`);
  return readFileSync(output);
}

let chromiumCache: Buffer | undefined;
/** A contract page printed by Chromium (what the web front end's "print to PDF" produces). */
function chromiumPdf(): Buffer {
  if (chromiumCache) return chromiumCache;
  const out = writeTemp('chromium.pdf', Buffer.alloc(0));
  const html =
    'data:text/html;charset=utf-8,' + encodeURIComponent('<h1>金銭消費貸借契約書</h1><p>Loan agreement</p>');
  const r = spawnSync(
    '/usr/bin/chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      `--print-to-pdf=${out}`,
      html,
    ],
    { timeout: 60_000 },
  );
  chromiumCache = readFileSync(out);
  if (chromiumCache.length === 0) throw new Error(`chromium produced no PDF: ${r.stderr?.toString()}`);
  return chromiumCache;
}

describe.each(INPUTS)('signing %s', (_label, input) => {
  it('appends a valid signature update that keeps the original as a byte-exact prefix', () => {
    const original = input();
    const before = PdfDocument.load(original);
    const earlier = before.signatures();
    const { prepared, out, der } = sign(original, SIG);

    expect(prepared.original).toBe(before.bytes);
    expect(out.subarray(0, original.length).equals(original)).toBe(true);
    const [a, b, c, d] = prepared.byteRange;
    expect(a).toBe(0);
    expect(b).toBe(prepared.contentsOffset);
    expect(c).toBe(prepared.contentsOffset + prepared.contentsSize * 2 + 2);
    expect(c + d).toBe(out.length);
    expect(String.fromCharCode(out[b])).toBe('<');
    expect(String.fromCharCode(out[c - 1])).toBe('>');

    const expected = createHash('sha256')
      .update(out.subarray(0, b))
      .update(out.subarray(c, c + d))
      .digest();
    expect(prepared.hash('sha256').equals(expected)).toBe(true);
    const expected512 = createHash('sha512').update(out.subarray(0, b)).update(out.subarray(c)).digest();
    expect(prepared.hash('sha512').equals(expected512)).toBe(true);

    expectQpdfClean(out);

    const after = PdfDocument.load(out);
    // The writer follows the base file's cross-reference style and chains /Prev to it.
    expect(after.sections[0].kind).toBe(before.sections[0].kind);
    expect(after.trailer.get('Prev')).toBe(before.startxref);
    expect(after.size).toBeGreaterThan(before.size);
    // §14.4 /ID: the first element is kept; a file without one (Chromium writes none) gets one.
    const idBefore = before.resolve(before.trailer.get('ID')) as PdfString[] | undefined;
    const idAfter = after.resolve(after.trailer.get('ID')) as PdfString[];
    expect(idAfter.map((x) => x.bytes.length)).toEqual([16, 16]);
    if (idBefore) {
      expect(Buffer.from(idAfter[0].bytes).equals(Buffer.from(idBefore[0].bytes))).toBe(true);
      expect(Buffer.from(idAfter[1].bytes).equals(Buffer.from(idBefore[1].bytes))).toBe(false);
    }
    expect(after.revisions[after.revisions.length - 1]).toBe(out.length);

    const sigs = after.signatures();
    expect(sigs).toHaveLength(earlier.length + 1);
    const s = sigs[sigs.length - 1];
    expect(s.fieldName).toBe('Signature1');
    expect(s.type).toBe('Sig');
    expect(s.subFilter).toBe('ETSI.CAdES.detached');
    expect(s.byteRange).toEqual(prepared.byteRange);
    expect(Buffer.from(s.contents).equals(der)).toBe(true);
    expect(s.signingTime?.toISOString()).toBe(SIGNING_TIME.toISOString());
    expect(s.name).toBe('山田 太郎');
    expect(s.reason).toBe('金銭消費貸借契約への同意');
    expect(s.location).toBe('Tokyo');
    expect(s.revisionEnd).toBe(out.length);
    expect(s.objectNumber).toBe(prepared.objectNumber);
    expect(s.docMdp).toBeUndefined();
    // Earlier signatures still cover exactly the same bytes.
    expect(sigs.slice(0, -1).map((x) => x.byteRange)).toEqual(earlier.map((x) => x.byteRange));

    // Invisible widget merged with the field, on page 1, listed in the AcroForm with SigFlags 3.
    const form = after.acroForm();
    expect(form?.get('SigFlags')).toBe(3);
    const field = after.fields().find((f) => f.fullName === 'Signature1');
    expect(field?.dict.get('F')).toBe(132);
    expect(field?.dict.get('Rect')).toEqual([0, 0, 0, 0]);
    const annots = after.resolve(after.page(0).dict.get('Annots')) as unknown[];
    expect(annots.map(String)).toContain(String(field?.ref));

    expect(pdfsig(out)).toContain('Signature Field Name: Signature1');
  });

  it('carries a chain of four updates: approval signature, second signature, DSS, document timestamp', () => {
    const v0 = input();
    const v1 = sign(v0, { ...SIG, certify: undefined }).out;
    const v2 = sign(v1, { ...SIG, fieldName: 'Guarantor', name: 'Suzuki' }).out;
    const dss = {
      certs: [Buffer.from('cert-A'), Buffer.from('cert-B')],
      ocsps: [Buffer.from('ocsp-1')],
      crls: [Buffer.from('crl-1')],
    };
    const v3 = Buffer.concat([v2, appendDss(PdfDocument.load(v2), dss)]);
    const ts = sign(v3, TIMESTAMP, dummyCms(2500, 0x33));
    const v4 = ts.out;
    for (const [prev, next] of [
      [v0, v1],
      [v1, v2],
      [v2, v3],
      [v3, v4],
    ]) {
      expect(next.subarray(0, prev.length).equals(prev)).toBe(true);
      expectQpdfClean(next);
    }
    const doc = PdfDocument.load(v4);
    const sigs = doc.signatures();
    const ours = sigs.slice(-3);
    expect(ours.map((s) => [s.fieldName, s.type])).toEqual([
      ['Signature1', 'Sig'],
      ['Guarantor', 'Sig'],
      ['DocTimeStamp1', 'DocTimeStamp'],
    ]);
    expect(ours[2].subFilter).toBe('ETSI.RFC3161');
    expect(ours[2].signingTime).toBeUndefined();
    expect(ours.map((s) => s.revisionEnd)).toEqual([v1.length, v2.length, v4.length]);
    expect(doc.revisions.slice(-4)).toEqual([v1.length, v2.length, v3.length, v4.length]);
    expect(doc.dss()).toEqual({
      certs: dss.certs.map((b) => Buffer.from(b)),
      ocsps: dss.ocsps.map((b) => Buffer.from(b)),
      crls: dss.crls.map((b) => Buffer.from(b)),
    });
    // The DocTimeStamp dictionary carries /Type /DocTimeStamp and no /M.
    const tsDict = doc.get(ours[2].objectNumber) as PdfDict;
    expect((tsDict.get('Type') as PdfName).name).toBe('DocTimeStamp');
    expect(tsDict.has('M')).toBe(false);

    const listing = pdfsig(v4);
    for (const name of ['Signature1', 'Guarantor', 'DocTimeStamp1'])
      expect(listing).toContain(`Signature Field Name: ${name}`);
  });
});

describe('prepareSignature rules', () => {
  it('writes a certification signature (DocMDP) that is read back with its permission', () => {
    const { out } = sign(makePdf(), { ...SIG, certify: { permission: 2 } });
    const doc = PdfDocument.load(out);
    expect(doc.signatures()[0].docMdp).toBe(2);
    const perms = dictOf(doc.resolve(doc.catalog().get('Perms')));
    expect(perms?.get('DocMDP')).toEqual(new PdfRef(doc.signatures()[0].objectNumber, 0));
    expectQpdfClean(out);
    // /P 2 allows approval signatures and document timestamps.
    const approved = sign(out, SIG).out;
    expect(
      PdfDocument.load(approved)
        .signatures()
        .map((s) => s.fieldName),
    ).toEqual(['Signature1', 'Signature2']);
  });

  it('refuses a signature after a certification signature with /P 1 (PDF_SIGNING_FORBIDDEN), still allows a document timestamp', () => {
    const { out } = sign(makePdf(), { ...SIG, certify: { permission: 1 } });
    const doc = PdfDocument.load(out);
    expect(doc.signatures()[0].docMdp).toBe(1);
    const err = errorOf(() => prepareSignature(doc, SIG));
    expect(err?.code).toBe(PdfErrorCode.PDF_SIGNING_FORBIDDEN);
    expect(err?.message).toContain('P=1');
    // ETSI EN 319 142-1 §5.4: DSS and document timestamps are not restricted by DocMDP.
    const ts = sign(out, TIMESTAMP).out;
    expectQpdfClean(ts);
  });

  it('refuses a certification signature when the document is already signed', () => {
    const signed = fixture('loan-signed-by-other-software.pdf');
    const err = errorOf(() =>
      prepareSignature(PdfDocument.load(signed), { ...SIG, certify: { permission: 2 } }),
    );
    expect(err?.code).toBe(PdfErrorCode.PDF_SIGNING_FORBIDDEN);
  });

  it('refuses a field name that is taken or not a partial name', () => {
    const doc = PdfDocument.load(fixture('loan-signed-by-other-software.pdf'));
    expect(errorOf(() => prepareSignature(doc, { ...SIG, fieldName: 'ForeignSig' }))?.code).toBe(
      PdfErrorCode.PDF_SIGNATURE_FIELD_INVALID,
    );
    expect(errorOf(() => prepareSignature(doc, { ...SIG, fieldName: 'a.b' }))?.code).toBe(
      PdfErrorCode.PDF_SIGNATURE_FIELD_INVALID,
    );
    expect(errorOf(() => prepareSignature(doc, { ...SIG, fieldName: '' }))?.code).toBe(
      PdfErrorCode.PDF_SIGNATURE_FIELD_INVALID,
    );
  });

  it('refuses a DER larger than the placeholder with SIGNATURE_TOO_LARGE and leaves the placeholder zeroed', () => {
    const prepared = prepareSignature(PdfDocument.load(makePdf()), { ...SIG, contentsSize: 100 });
    expect(errorOf(() => prepared.embed(dummyCms(200)))?.code).toBe(PdfErrorCode.SIGNATURE_TOO_LARGE);
    const placeholder = Buffer.from(prepared.appended).toString(
      'latin1',
      prepared.contentsOffset - prepared.original.length,
    );
    expect(placeholder.startsWith(`<${'0'.repeat(200)}>`)).toBe(true);
    // Exactly the reserved size fits.
    const exact = Buffer.alloc(100, 0x41);
    const appended = prepared.embed(exact);
    const doc = PdfDocument.load(Buffer.concat([prepared.original, appended]));
    expect(Buffer.from(doc.signatures()[0].contents).equals(exact)).toBe(true);
  });

  it("places /ByteRange and /Contents by the layout, even when the signer's texts contain those keys", () => {
    const tricky = '/ByteRange [0 1 2 3] /Contents <00>';
    const { prepared, out, der } = sign(makePdf(), {
      ...SIG,
      name: tricky,
      reason: tricky,
      location: tricky,
    });
    expectQpdfClean(out);
    const s = PdfDocument.load(out).signatures()[0];
    expect(s.name).toBe(tricky);
    expect(s.reason).toBe(tricky);
    expect(s.byteRange).toEqual(prepared.byteRange);
    expect(Buffer.from(s.contents).equals(der)).toBe(true);
    const [, b, c, d] = prepared.byteRange;
    expect(out.toString('latin1', b, b + 1)).toBe('<');
    const ranges = createHash('sha256')
      .update(out.subarray(0, b))
      .update(out.subarray(c, c + d))
      .digest();
    expect(prepared.hash('sha256').equals(ranges)).toBe(true);
  });

  it('writes the DER into a laid-out file exactly as embed writes it into the update', () => {
    const prepared = prepareSignature(PdfDocument.load(makePdf()), SIG);
    const der = dummyCms(3000);
    const viaEmbed = Buffer.concat([prepared.original, prepared.embed(der)]);
    const laidOut = Buffer.concat([prepared.original, prepared.appended]);
    prepared.writeContents(laidOut, prepared.contentsOffset + 1, der);
    expect(laidOut.equals(viaEmbed)).toBe(true);
    // The prepared update itself is left as it was (zero placeholder).
    expect(Buffer.from(prepared.appended).includes(Buffer.from(der.toString('hex').toUpperCase()))).toBe(
      false,
    );
    expect(
      errorOf(() => prepared.writeContents(laidOut, prepared.contentsOffset + 1, dummyCms(9000)))?.code,
    ).toBe(PdfErrorCode.SIGNATURE_TOO_LARGE);
  });

  it('rejects nonsensical sizes, pages and stamp rectangles', () => {
    const doc = PdfDocument.load(makePdf({ pages: 2 }));
    expect(() => prepareSignature(doc, { ...SIG, contentsSize: 0 })).toThrow(RangeError);
    expect(() => prepareSignature(doc, { ...TIMESTAMP, certify: { permission: 2 } })).toThrow(RangeError);
    const page3 = errorOf(() =>
      prepareSignature(doc, { ...SIG, visible: { page: 3, rect: [0, 0, 10, 10], lines: [] } }),
    );
    expect(page3?.code).toBe(PdfErrorCode.PDF_SIGNATURE_FIELD_INVALID);
    expect(page3?.message).toContain('2 ページ');
    const rect = errorOf(() =>
      prepareSignature(doc, { ...SIG, visible: { page: 1, rect: [10, 10, 5, 5], lines: [] } }),
    );
    expect(rect?.code).toBe(PdfErrorCode.PDF_SIGNATURE_FIELD_INVALID);
  });

  it('draws an opaque visible stamp with an appearance stream on the chosen page', () => {
    const input = fixture('loan-objstm-xrefstream.pdf');
    const { out } = sign(input, {
      ...SIG,
      visible: { page: 2, rect: [50, 50, 250, 110], lines: ['Signed by Yamada Taro', '2026-04-01', '山田'] },
    });
    expectQpdfClean(out);
    const doc = PdfDocument.load(out);
    const field = doc.fields().find((f) => f.fullName === 'Signature1');
    expect(field?.dict.get('Rect')).toEqual([50, 50, 250, 110]);
    expect(field?.dict.get('F')).toBe(4);
    expect(field?.dict.get('P')).toEqual(doc.page(1).ref);
    const ap = doc.resolve(dictOf(field?.dict.get('AP'))?.get('N'));
    expect(ap).toBeInstanceOf(PdfStream);
    const ops = doc.resolver.decode(ap as PdfStream).toString('latin1');
    expect(ops).toContain('(Signed by Yamada Taro) Tj');
    expect(ops).toContain('(??) Tj'); // non-ASCII is not drawn with the standard font
    expect(ops).not.toMatch(/\/ca|\/CA|\bgs\b/); // no transparency (PDF/A)
    const annots = doc.resolve(doc.page(1).dict.get('Annots')) as unknown[];
    expect(annots.map(String)).toContain(String(field?.ref));
  });
});

describe('appendDss', () => {
  it.each([
    ['classic', () => makePdf()],
    ['xref stream', () => fixture('loan-objstm-xrefstream.pdf')],
  ])('merges with an existing DSS on a %s file, deduplicating by content and keeping VRI', (_l, input) => {
    const v0 = input();
    const vriKey = 'A'.repeat(40);
    const v1 = Buffer.concat([
      v0,
      appendDss(PdfDocument.load(v0), {
        certs: [Buffer.from('cert-A')],
        ocsps: [Buffer.from('ocsp-1')],
        crls: [],
        vri: new Map([
          [vriKey, { certs: [Buffer.from('cert-A')], ocsps: [Buffer.from('ocsp-1')], crls: [] }],
        ]),
      }),
    ]);
    expectQpdfClean(v1);
    const vriKey2 = 'B'.repeat(40);
    const v2 = Buffer.concat([
      v1,
      appendDss(PdfDocument.load(v1), {
        certs: [Buffer.from('cert-A'), Buffer.from('cert-B'), Buffer.from('cert-B')],
        ocsps: [],
        crls: [Buffer.from('crl-1')],
        vri: new Map([
          [vriKey2, { certs: [Buffer.from('cert-B')], ocsps: [], crls: [Buffer.from('crl-1')] }],
        ]),
      }),
    ]);
    expectQpdfClean(v2);
    expect(v2.subarray(0, v1.length).equals(v1)).toBe(true);
    const doc = PdfDocument.load(v2);
    const dss = doc.dss();
    expect(dss?.certs.map((b) => Buffer.from(b).toString())).toEqual(['cert-A', 'cert-B']);
    expect(dss?.ocsps.map((b) => Buffer.from(b).toString())).toEqual(['ocsp-1']);
    expect(dss?.crls.map((b) => Buffer.from(b).toString())).toEqual(['crl-1']);
    const esic = dictOf(dictOf(doc.resolve(doc.catalog().get('Extensions')))?.get('ESIC'));
    expect(esic?.get('ExtensionLevel')).toBe(1);
    const dssDict = dictOf(doc.resolve(doc.catalog().get('DSS')));
    const vri = dictOf(doc.resolve(dssDict?.get('VRI')));
    expect(vri?.keys().sort()).toEqual([vriKey, vriKey2]);
    const v1Entry = dictOf(doc.resolve(vri?.get(vriKey)));
    expect(doc.dssStreams(v1Entry?.get('Cert')).map((b) => Buffer.from(b).toString())).toEqual(['cert-A']);
    expect(doc.dssStreams(v1Entry?.get('OCSP')).map((b) => Buffer.from(b).toString())).toEqual(['ocsp-1']);
    const v2Entry = dictOf(doc.resolve(vri?.get(vriKey2)));
    expect(doc.dssStreams(v2Entry?.get('CRL')).map((b) => Buffer.from(b).toString())).toEqual(['crl-1']);
  });

  it('rejects VRI keys that are not upper-case SHA-1 hex', () => {
    const doc = PdfDocument.load(makePdf());
    expect(() =>
      appendDss(doc, {
        certs: [],
        ocsps: [],
        crls: [],
        vri: new Map([['abc', { certs: [], ocsps: [], crls: [] }]]),
      }),
    ).toThrow(RangeError);
  });
});

describe('signing a prepared empty signature field', () => {
  it('fills an existing unsigned field in place instead of adding a new one', () => {
    const base = makePdf();
    // Revision 1: a template with an empty visible signature field "BorrowerSignature" on page 1.
    const template = (() => {
      const doc = PdfDocument.load(base);
      const u = new UpdateBuilder(doc);
      const field = u.alloc();
      const page = doc.page(0);
      u.put(
        field,
        new PdfDict()
          .set('FT', new PdfName('Sig'))
          .set('T', textString('BorrowerSignature'))
          .set('Type', new PdfName('Annot'))
          .set('Subtype', new PdfName('Widget'))
          .set('F', 4)
          .set('Rect', [100, 100, 300, 150])
          .set('P', page.ref),
      );
      u.put(
        doc.catalogRef(),
        doc
          .catalog()
          .clone()
          .set('AcroForm', new PdfDict().set('Fields', [field])),
      );
      u.put(page.ref, page.dict.clone().set('Annots', [field]));
      return Buffer.concat([base, u.build().appended]);
    })();
    const before = PdfDocument.load(template);
    const placed = errorOf(() =>
      prepareSignature(before, {
        ...SIG,
        fieldName: 'BorrowerSignature',
        visible: { page: 1, rect: [0, 0, 10, 10], lines: [] },
      }),
    );
    expect(placed?.code).toBe(PdfErrorCode.PDF_SIGNATURE_FIELD_INVALID);
    const { out } = sign(template, { ...SIG, fieldName: 'BorrowerSignature' });
    expectQpdfClean(out);
    const doc = PdfDocument.load(out);
    expect(doc.fields().map((f) => f.fullName)).toEqual(['BorrowerSignature']);
    expect(doc.signatures().map((s) => s.fieldName)).toEqual(['BorrowerSignature']);
    expect(doc.fields()[0].dict.get('Rect')).toEqual([100, 100, 300, 150]);
    expect(doc.acroForm()?.get('SigFlags')).toBe(3);
    // The page is untouched: the widget was already in its /Annots.
    expect(doc.resolver.entry(doc.page(0).ref.num)).toEqual(before.resolver.entry(before.page(0).ref.num));
    // A signed field cannot be signed again.
    expect(errorOf(() => prepareSignature(doc, { ...SIG, fieldName: 'BorrowerSignature' }))?.code).toBe(
      PdfErrorCode.PDF_SIGNATURE_FIELD_INVALID,
    );
  });
});

describe('laziness', () => {
  it('prepares a signature on a 2000-page file reading only the objects it needs', () => {
    const bytes = makePdf({ pages: 2000, targetBytes: 4_000_000 });
    const doc = PdfDocument.load(bytes);
    const prepared = prepareSignature(doc, SIG);
    // Catalog, page tree root, first page, and nothing of the 4000 page/content objects besides.
    expect(doc.resolver.parsedObjects).toBeLessThanOrEqual(5);
    expect(prepared.appended.length).toBeLessThan(prepared.contentsSize * 2 + 4096);
    const out = Buffer.concat([bytes, prepared.embed(dummyCms(1000))]);
    expect(PdfDocument.load(out).signatures()).toHaveLength(1);
  });
});
