import { readFileSync } from 'node:fs';
import { PdfDocument } from './pdf-document';
import { PdfDict, PdfName, PdfRef, textString } from './pdf-objects';
import { type SignatureFieldOptions, UpdateBuilder, appendDss, prepareSignature } from './incremental-writer';
import { type RevisionChange, changesAfter } from './revision-diff';
import { makePdf } from './testing/make-pdf';
import { dummyCms, qpdfCheck } from './testing/pdf-test-tools';
import { sharedPath } from '../../../test/helpers/shared-paths';

const SIG: SignatureFieldOptions = { type: 'Sig', subFilter: 'ETSI.CAdES.detached', contentsSize: 4096 };
const TS: SignatureFieldOptions = { type: 'DocTimeStamp', subFilter: 'ETSI.RFC3161', contentsSize: 4096 };

function sign(bytes: Buffer, opts: SignatureFieldOptions = SIG): Buffer {
  const p = prepareSignature(PdfDocument.load(bytes), opts);
  return Buffer.concat([bytes, p.embed(dummyCms(1000))]);
}

/** Appends a hand-made incremental update (what another tool could do after a signature). */
function update(bytes: Buffer, edit: (doc: PdfDocument, u: UpdateBuilder) => void): Buffer {
  const doc = PdfDocument.load(bytes);
  const u = new UpdateBuilder(doc);
  edit(doc, u);
  const out = Buffer.concat([bytes, u.build().appended]);
  expect(qpdfCheck(out).status).toBe(0);
  return out;
}

const kinds = (changes: RevisionChange[]) => [...new Set(changes.map((c) => c.kind))].sort();

describe.each([
  ['classic file', () => makePdf({ pages: 2 })],
  ['xref-stream file', () => readFileSync(sharedPath('fixtures/pdf/loan-objstm-xrefstream.pdf'))],
])('changesAfter on a %s', (_label, input) => {
  it('reports nothing for the revision that is the whole file', () => {
    const signed = sign(input());
    expect(changesAfter(PdfDocument.load(signed), signed.length)).toEqual([]);
  });

  it('classifies a further signature, a DSS and a document timestamp as such', () => {
    const v1 = sign(input());
    const v2 = sign(v1);
    const v3 = Buffer.concat([
      v2,
      appendDss(PdfDocument.load(v2), { certs: [Buffer.from('c')], ocsps: [], crls: [] }),
    ]);
    const v4 = sign(v3, TS);
    const doc = PdfDocument.load(v4);
    const [first, second, ts] = doc.signatures();

    const afterSecond = changesAfter(doc, second.revisionEnd);
    expect(kinds(afterSecond)).toEqual(['doc-timestamp', 'dss', 'signature-field']);
    expect(afterSecond.find((c) => c.objectNumber === ts.objectNumber)?.kind).toBe('doc-timestamp');
    const afterFirst = changesAfter(doc, first.revisionEnd);
    expect(kinds(afterFirst)).toEqual(['doc-timestamp', 'dss', 'signature', 'signature-field']);
    expect(afterFirst.find((c) => c.objectNumber === second.objectNumber)?.kind).toBe('signature');

    // The DSS update alone: only DSS data (catalog gets /DSS).
    const dssOnly = changesAfter(PdfDocument.load(v3), v2.length);
    expect(kinds(dssOnly)).toEqual(['dss']);
    expect(dssOnly.some((c) => c.detail.includes('catalog keys changed: DSS'))).toBe(true);
  });

  it('names a rewritten page content stream as page-content', () => {
    const signed = sign(input());
    const tampered = update(signed, (doc, u) => {
      const contents = doc.page(0).dict.get('Contents');
      const ref = Array.isArray(contents) ? (contents[0] as PdfRef) : (contents as PdfRef);
      u.putStream(
        new PdfRef(ref.num, u.genOf(ref.num)),
        new PdfDict(),
        Buffer.from('BT /F1 30 Tf 72 500 Td (PAID IN FULL) Tj ET'),
      );
    });
    const doc = PdfDocument.load(tampered);
    const changes = changesAfter(doc, doc.signatures()[0].revisionEnd);
    expect(changes).toHaveLength(1);
    expect(changes[0].kind).toBe('page-content');
    expect(changes[0].detail).toContain('page content stream');
  });

  it('names a page whose /Contents now points elsewhere as page-content', () => {
    const signed = sign(input());
    const tampered = update(signed, (doc, u) => {
      const page = doc.page(1);
      const stream = u.alloc();
      u.putStream(stream, new PdfDict(), Buffer.from('0 0 1 rg 0 0 100 100 re f'));
      u.put(new PdfRef(page.ref.num, u.genOf(page.ref.num)), page.dict.clone().set('Contents', stream));
    });
    const doc = PdfDocument.load(tampered);
    const changes = changesAfter(doc, doc.signatures()[0].revisionEnd);
    const page = changes.find((c) => c.detail.includes('page 2'));
    expect(page?.kind).toBe('page-content');
    expect(page?.detail).toContain('Contents');
  });

  it('tells annotations, resources and metadata apart', () => {
    const signed = sign(input());
    const tampered = update(signed, (doc, u) => {
      const page = doc.page(1);
      const note = u.alloc();
      u.put(
        note,
        new PdfDict()
          .set('Type', new PdfName('Annot'))
          .set('Subtype', new PdfName('Text'))
          .set('Rect', [10, 10, 30, 30])
          .set('Contents', textString('note')),
      );
      u.put(new PdfRef(page.ref.num, u.genOf(page.ref.num)), page.dict.clone().set('Annots', [note]));
    });
    const doc = PdfDocument.load(tampered);
    const changes = changesAfter(doc, doc.signatures()[0].revisionEnd);
    expect(kinds(changes)).toEqual(['annotation']);

    const resources = update(signed, (d, u) => {
      const page = d.page(0);
      u.put(
        new PdfRef(page.ref.num, u.genOf(page.ref.num)),
        page.dict.clone().set('Resources', new PdfDict()),
      );
    });
    const rd = PdfDocument.load(resources);
    expect(kinds(changesAfter(rd, rd.signatures()[0].revisionEnd))).toEqual(['page-resources']);

    const info = PdfDocument.load(signed).trailer.get('Info');
    if (info instanceof PdfRef) {
      const meta = update(signed, (_d, u) => u.put(info, new PdfDict().set('Title', textString('changed'))));
      const md = PdfDocument.load(meta);
      expect(kinds(changesAfter(md, md.signatures()[0].revisionEnd))).toEqual(['metadata']);
    }
  });

  it('ignores an unchanged object repeated by a later section', () => {
    const signed = sign(input());
    const same = update(signed, (doc, u) => {
      const page = doc.page(1);
      u.put(new PdfRef(page.ref.num, u.genOf(page.ref.num)), page.dict);
    });
    const sd = PdfDocument.load(same);
    expect(changesAfter(sd, sd.signatures()[0].revisionEnd)).toEqual([]);
  });
});

describe('changesAfter on form fields', () => {
  it('classifies a changed text field value as form-field-value', () => {
    // Revision 1: a text field; revision 2: signed; revision 3: the field's /V changes.
    const base = makePdf();
    let fieldNum = 0;
    const withForm = (() => {
      const doc = PdfDocument.load(base);
      const u = new UpdateBuilder(doc);
      const field = u.alloc();
      fieldNum = field.num;
      u.put(
        field,
        new PdfDict()
          .set('FT', new PdfName('Tx'))
          .set('T', textString('Amount'))
          .set('V', textString('100万円')),
      );
      const catalog = doc
        .catalog()
        .clone()
        .set('AcroForm', new PdfDict().set('Fields', [field]));
      u.put(doc.catalogRef(), catalog);
      return Buffer.concat([base, u.build().appended]);
    })();
    const signed = sign(withForm);
    const changed = update(signed, (doc, u) => {
      const f = (doc.get(fieldNum) as PdfDict).clone().set('V', textString('900万円'));
      u.put(new PdfRef(fieldNum, 0), f);
    });
    const doc = PdfDocument.load(changed);
    expect(doc.signatures()).toHaveLength(1);
    const changes = changesAfter(doc, doc.signatures()[0].revisionEnd);
    expect(changes).toEqual([expect.objectContaining({ objectNumber: fieldNum, kind: 'form-field-value' })]);
  });
});

describe('changesAfter on a file signed by other software (pyHanko)', () => {
  it("classifies the other tool's signing revision and our later updates as signature/DSS changes", () => {
    const foreign = readFileSync(sharedPath('fixtures/pdf/loan-signed-by-other-software.pdf'));
    const first = PdfDocument.load(foreign);
    // pyHanko's own revision: widget on page 1, AcroForm, catalog (/AcroForm, /Version, /Extensions), /Info.
    expect(kinds(changesAfter(first, first.revisions[0]))).toEqual([
      'metadata',
      'signature',
      'signature-field',
    ]);

    const v1 = sign(foreign);
    const v2 = Buffer.concat([
      v1,
      appendDss(PdfDocument.load(v1), { certs: [Buffer.from('x')], ocsps: [], crls: [] }),
    ]);
    const v3 = sign(v2, TS);
    const doc = PdfDocument.load(v3);
    const [theirs, ours] = doc.signatures();
    expect(theirs.fieldName).toBe('ForeignSig');
    expect(kinds(changesAfter(doc, theirs.revisionEnd))).toEqual([
      'doc-timestamp',
      'dss',
      'signature',
      'signature-field',
    ]);
    expect(kinds(changesAfter(doc, ours.revisionEnd))).toEqual(['doc-timestamp', 'dss', 'signature-field']);
  });
});

describe('changesAfter against hidden cross-reference sections (shadow attack)', () => {
  it('treats a section hidden inside signed bytes but linked only by a later update as a later change', () => {
    // v0: plain file. v0b: adds a stream whose data hides a content-stream object and an xref
    // section for it (not linked by v0b's own chain). v1: signed. v2: the attacker's update lists
    // the signed objects again and chains /Prev to the hidden section, swapping page 1's content.
    const v0 = makePdf({ pages: 1 });
    const startxref0 = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(v0.toString('latin1'))?.[1]);
    const contentNum = 6;
    const headerOf7 = '7 0 obj\n<< /Length LEN >>\nstream\n';
    const evil = 'BT /F1 40 Tf 72 600 Td (PAID IN FULL) Tj ET';
    const hiddenObj = `${contentNum} 0 obj\n<< /Length ${evil.length} >>\nstream\n${evil}\nendstream\nendobj\n`;
    const lenDigits = String(hiddenObj.length + 200).length;
    const header = headerOf7.replace('LEN', '0'.repeat(lenDigits));
    const hiddenObjAt = v0.length + header.length;
    const hiddenXrefAt = hiddenObjAt + hiddenObj.length;
    const hiddenXref =
      `xref\n${contentNum} 1\n${String(hiddenObjAt).padStart(10, '0')} 00000 n\r\n` +
      `trailer\n<< /Size 8 /Root 1 0 R /Prev ${startxref0} >>\n`;
    const blob = hiddenObj + hiddenXref;
    const obj7 = `${headerOf7.replace('LEN', String(blob.length).padStart(lenDigits, '0'))}${blob}\nendstream\nendobj\n`;
    const xref0bAt = v0.length + obj7.length;
    const v0b = Buffer.concat([
      v0,
      Buffer.from(
        `${obj7}xref\n7 1\n${String(v0.length).padStart(10, '0')} 00000 n\r\n` +
          `trailer\n<< /Size 8 /Root 1 0 R /Prev ${startxref0} >>\nstartxref\n${xref0bAt}\n%%EOF\n`,
        'latin1',
      ),
    ]);
    const v1 = sign(v0b);
    const signed = PdfDocument.load(v1);
    // The attacker re-lists every object the signed revision changed (so the signature stays
    // visible) and links the hidden section.
    const relisted = new Map<number, number>();
    for (const s of signed.sections.slice(0, 2)) {
      for (const [num, e] of s.entries)
        if (e.type === 'offset' && !relisted.has(num)) relisted.set(num, e.offset);
    }
    let table = 'xref\n';
    for (const [num, off] of [...relisted].sort((a, b) => a[0] - b[0])) {
      table += `${num} 1\n${String(off).padStart(10, '0')} 00000 n\r\n`;
    }
    const v2 = Buffer.concat([
      v1,
      Buffer.from(
        `${table}trailer\n<< /Size ${signed.size} /Root 1 0 R /Prev ${hiddenXrefAt} >>\nstartxref\n${v1.length}\n%%EOF\n`,
        'latin1',
      ),
    ]);
    const doc = PdfDocument.load(v2);
    const sig = doc.signatures()[0];
    expect(sig.revisionEnd).toBe(v1.length);
    // The page now shows the hidden content…
    const contents = doc.resolve(doc.page(0).dict.get('Contents'));
    expect(Buffer.from((contents as { raw(): Uint8Array }).raw()).toString('latin1')).toContain(
      'PAID IN FULL',
    );
    // …and the diff names it, although the hidden section lies inside the signed bytes.
    const changes = changesAfter(doc, sig.revisionEnd);
    expect(changes).toEqual(
      expect.arrayContaining([expect.objectContaining({ objectNumber: contentNum, kind: 'page-content' })]),
    );
  });

  it('reports a signed range that does not end with a complete revision', () => {
    const v1 = sign(makePdf());
    const doc = PdfDocument.load(v1);
    const changes = changesAfter(doc, v1.length - 20);
    expect(changes).toHaveLength(1);
    expect(changes[0].kind).toBe('other');
    expect(changes[0].detail).toContain('does not end with a complete revision');
  });
});
