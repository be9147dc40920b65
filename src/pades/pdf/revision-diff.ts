import type { PdfDocument } from './pdf-document';
import { PdfDict, PdfRef, PdfStream, type PdfValue, dictOf, isName, nameOf, serialize } from './pdf-objects';
import { PdfError } from './pdf-errors';
import type { ObjectResolver, XrefEntry, XrefSection } from './xref';

export type RevisionChangeKind =
  | 'dss'
  | 'doc-timestamp'
  | 'signature'
  | 'signature-field'
  | 'form-field-value'
  | 'annotation'
  | 'page-content'
  | 'page-resources'
  | 'catalog'
  | 'metadata'
  | 'other';

export interface RevisionChange {
  objectNumber: number;
  generation: number;
  kind: RevisionChangeKind;
  detail: string;
}

/**
 * Objects (re)defined by the cross-reference sections written after `revisionEnd`, classified so
 * the validator can apply ETSI EN 319 142-1 §5.4 / ISO 32000-1 §12.8.2.2 (DocMDP): DSS, document
 * timestamps, further signatures and their fields are acceptable; page content is not.
 * Objects are compared with their definition as of `revisionEnd`, so a section that merely repeats
 * an unchanged entry is not reported.
 */
export function changesAfter(doc: PdfDocument, revisionEnd: number): RevisionChange[] {
  let beforeSections: XrefSection[];
  try {
    beforeSections = doc.sectionsAt(revisionEnd);
  } catch (e) {
    if (!(e instanceof PdfError)) throw e;
    // The signed bytes do not end with "startxref n %%EOF": whatever follows cannot be attributed.
    return [
      {
        objectNumber: 0,
        generation: 0,
        kind: 'other',
        detail: `the signed range does not end with a complete revision: ${e.message}`,
      },
    ];
  }
  const beforeOffsets = new Set(beforeSections.map((s) => s.offset));
  // Every section of the current chain that the signed revision's own chain does not contain.
  const later = doc.sections.filter((s) => !beforeOffsets.has(s.offset));
  if (later.length === 0) return [];
  const before = doc.resolverAt(revisionEnd);
  const latest = doc.resolver;
  const ctx = new DiffContext(doc, before, latest);

  // Latest definition of each object touched after the revision (sections are latest first).
  const touched = new Map<number, XrefEntry>();
  const containers = new Set<number>();
  for (const s of later) {
    s.streamObjects.forEach((n) => containers.add(n));
    for (const [num, e] of s.entries) {
      if (!touched.has(num)) touched.set(num, e);
      if (e.type === 'compressed') containers.add(e.stream);
    }
  }
  const out: RevisionChange[] = [];
  for (const [num, e] of [...touched].sort((a, b) => a[0] - b[0])) {
    if (num === 0 || containers.has(num)) continue;
    const prevEntry = before.entry(num);
    if (sameEntry(prevEntry, e)) continue;
    if (e.type === 'free') {
      if (prevEntry && prevEntry.type !== 'free') {
        out.push({ objectNumber: num, generation: e.gen, kind: 'other', detail: `object ${num} deleted` });
      }
      continue;
    }
    const value = latest.get(num);
    if (value instanceof PdfStream && isName(value.dict.get('Type'), 'ObjStm')) continue;
    const prev = prevEntry && prevEntry.type !== 'free' ? before.get(num) : undefined;
    if (prev !== undefined && equalValues(prev, value)) continue;
    const [kind, detail] = ctx.classify(num, value, prev);
    out.push({ objectNumber: num, generation: e.gen, kind, detail });
  }
  return out;
}

function sameEntry(a: XrefEntry | undefined, b: XrefEntry): boolean {
  if (!a || a.type !== b.type) return false;
  if (a.type === 'offset' && b.type === 'offset') return a.offset === b.offset && a.gen === b.gen;
  if (a.type === 'compressed' && b.type === 'compressed') return a.stream === b.stream && a.index === b.index;
  return a.type === 'free';
}

function equalValues(a: PdfValue, b: PdfValue): boolean {
  if (a instanceof PdfStream || b instanceof PdfStream) {
    if (!(a instanceof PdfStream && b instanceof PdfStream)) return false;
    return serialize(a.dict) === serialize(b.dict) && Buffer.from(a.raw()).equals(Buffer.from(b.raw()));
  }
  return serialize(a) === serialize(b);
}

const PAGE_VISUAL_KEYS = new Set(['Contents', 'MediaBox', 'CropBox', 'Rotate', 'UserUnit', 'Group']);

class DiffContext {
  private readonly dssObjects = new Set<number>();
  private readonly sigFieldObjects = new Set<number>();
  private readonly sigAppearanceObjects = new Set<number>();
  private readonly contentObjects = new Set<number>();
  private readonly resourceObjects = new Set<number>();
  private readonly pageNumbers = new Map<number, number>();
  private readonly catalogNum: number;
  private readonly acroFormNums = new Set<number>();
  private readonly metadataNums = new Set<number>();

  constructor(
    private readonly doc: PdfDocument,
    private readonly before: ObjectResolver,
    private readonly latest: ObjectResolver,
  ) {
    this.catalogNum = doc.catalogRef().num;
    const info = doc.trailer.get('Info');
    if (info instanceof PdfRef) this.metadataNums.add(info.num);
    for (const r of [before, latest]) {
      const catalog = dictOf(r.get(this.catalogNum));
      if (!catalog) continue;
      const form = catalog.get('AcroForm');
      if (form instanceof PdfRef) this.acroFormNums.add(form.num);
      const fields = dictOf(r.resolve(form))?.get('Fields');
      if (fields instanceof PdfRef) this.acroFormNums.add(fields.num);
      const md = catalog.get('Metadata');
      if (md instanceof PdfRef) this.metadataNums.add(md.num);
      this.collectPages(r, catalog.get('Pages'), 0);
    }
    const catalog = dictOf(latest.get(this.catalogNum));
    this.reach(latest, catalog?.get('DSS'), this.dssObjects, 0);
    for (const f of doc.fields()) {
      if (f.fieldType !== 'Sig' || !f.ref) continue;
      this.sigFieldObjects.add(f.ref.num);
      this.reach(latest, f.dict.get('AP'), this.sigAppearanceObjects, 0);
    }
  }

  /** Marks every indirect object reachable from `v` (bounded depth; DSS/appearance trees are shallow). */
  private reach(r: ObjectResolver, v: PdfValue | undefined, into: Set<number>, depth: number): void {
    if (v === undefined || depth > 12) return;
    if (v instanceof PdfRef) {
      if (into.has(v.num)) return;
      into.add(v.num);
      this.reach(r, r.get(v.num), into, depth + 1);
    } else if (Array.isArray(v)) v.forEach((x) => this.reach(r, x, into, depth + 1));
    else if (v instanceof PdfDict) v.map.forEach((x) => this.reach(r, x, into, depth + 1));
    else if (v instanceof PdfStream) v.dict.map.forEach((x) => this.reach(r, x, into, depth + 1));
  }

  private collectPages(r: ObjectResolver, node: PdfValue | undefined, depth: number): void {
    if (!(node instanceof PdfRef) || depth > 64) return;
    const d = dictOf(r.get(node.num));
    if (!d) return;
    const kids = r.resolve(d.get('Kids'));
    if (Array.isArray(kids)) {
      for (const k of kids) this.collectPages(r, k, depth + 1);
      return;
    }
    if (!this.pageNumbers.has(node.num)) this.pageNumbers.set(node.num, this.pageNumbers.size + 1);
    const contents = d.get('Contents');
    const list = r.resolve(contents);
    if (contents instanceof PdfRef) this.contentObjects.add(contents.num);
    if (Array.isArray(list)) list.forEach((c) => c instanceof PdfRef && this.contentObjects.add(c.num));
    const res = d.get('Resources');
    if (res instanceof PdfRef) this.resourceObjects.add(res.num);
    const resDict = dictOf(r.resolve(res));
    resDict?.map.forEach((sub) => {
      if (sub instanceof PdfRef) this.resourceObjects.add(sub.num);
      dictOf(r.resolve(sub))?.map.forEach((x) => x instanceof PdfRef && this.resourceObjects.add(x.num));
    });
  }

  classify(num: number, value: PdfValue, prev: PdfValue | undefined): [RevisionChangeKind, string] {
    const d = dictOf(value);
    const type = nameOf(d?.get('Type'));
    const label = prev === undefined ? `new object ${num}` : `object ${num} redefined`;
    if (this.dssObjects.has(num)) return ['dss', `${label}: document security store data`];
    if (d && (type === 'DocTimeStamp' || isName(d.get('SubFilter'), 'ETSI.RFC3161'))) {
      return ['doc-timestamp', `${label}: document timestamp dictionary`];
    }
    if (d && (type === 'Sig' || (d.has('ByteRange') && d.has('Contents')))) {
      return ['signature', `${label}: signature dictionary`];
    }
    if (num === this.catalogNum) return this.classifyCatalog(label, dictOf(prev), d);
    if (this.acroFormNums.has(num)) return this.classifyAcroForm(label, value, prev);
    const pageNo = this.pageNumbers.get(num);
    if (pageNo !== undefined || type === 'Page') return this.classifyPage(label, pageNo, dictOf(prev), d);
    if (this.contentObjects.has(num)) return ['page-content', `${label}: page content stream`];
    if (this.sigFieldObjects.has(num)) return ['signature-field', `${label}: signature field/widget`];
    if (this.sigAppearanceObjects.has(num)) return ['signature-field', `${label}: signature appearance`];
    if (this.resourceObjects.has(num)) return ['page-resources', `${label}: page resources`];
    if (this.metadataNums.has(num) || type === 'Metadata') return ['metadata', `${label}: document metadata`];
    if (d && (d.has('FT') || (d.has('Parent') && d.has('T')))) {
      return ['form-field-value', `${label}: form field ${nameOf(d.get('FT')) ?? ''}`.trim()];
    }
    if (d && (type === 'Annot' || (d.has('Subtype') && d.has('Rect')))) {
      return ['annotation', `${label}: ${nameOf(d.get('Subtype')) ?? ''} annotation`];
    }
    return ['other', `${label}${type ? ` (/Type /${type})` : ''}`];
  }

  private changedKeys(prev: PdfDict | undefined, next: PdfDict | undefined): string[] {
    const keys = new Set([...(prev?.keys() ?? []), ...(next?.keys() ?? [])]);
    return [...keys].filter((k) => {
      const a = prev?.get(k);
      const b = next?.get(k);
      if (a === undefined || b === undefined) return a !== b;
      return !equalValues(a, b);
    });
  }

  private classifyCatalog(
    label: string,
    prev: PdfDict | undefined,
    next: PdfDict | undefined,
  ): [RevisionChangeKind, string] {
    const changed = this.changedKeys(prev, next);
    const detail = `${label}: catalog keys changed: ${changed.join(', ') || '(none)'}`;
    // Signing tools declare the ESIC extension / PDF version when they add a DSS (ETSI EN 319 142-1 §5.4.2).
    const dssKeys = new Set(['DSS', 'Extensions', 'Version']);
    if (changed.every((k) => dssKeys.has(k))) return ['dss', detail];
    const allowed = new Set([...dssKeys, 'AcroForm']);
    if (changed.every((k) => allowed.has(k))) {
      const form = this.classifyAcroForm(
        label,
        this.latest.resolve(next?.get('AcroForm')) ?? null,
        this.before.resolve(prev?.get('AcroForm')),
      );
      if (form[0] === 'signature-field') return ['signature-field', detail];
    }
    return ['catalog', detail];
  }

  /** An AcroForm (or its /Fields array) change is a signature-field change when it only adds signature fields. */
  private classifyAcroForm(
    label: string,
    value: PdfValue,
    prev: PdfValue | undefined,
  ): [RevisionChangeKind, string] {
    const fieldsOf = (v: PdfValue | undefined, r: ObjectResolver) => {
      const arr = Array.isArray(v) ? v : r.resolve(dictOf(v)?.get('Fields'));
      return Array.isArray(arr) ? arr : [];
    };
    const oldFields = fieldsOf(prev, this.before).map((x) => serialize(x));
    const newFields = fieldsOf(value, this.latest);
    const added = newFields.filter((x) => !oldFields.includes(serialize(x)));
    const removed = oldFields.length + added.length - newFields.length;
    const otherKeys = Array.isArray(value)
      ? []
      : this.changedKeys(dictOf(prev), dictOf(value)).filter((k) => k !== 'Fields' && k !== 'SigFlags');
    const allSig = added.every((f) => nameOf(dictOf(this.latest.resolve(f))?.get('FT')) === 'Sig');
    const detail = `${label}: AcroForm (${added.length} field(s) added, ${removed} removed${otherKeys.length ? `, keys ${otherKeys.join(', ')}` : ''})`;
    if (removed === 0 && otherKeys.length === 0 && allSig) return ['signature-field', detail];
    return ['form-field-value', detail];
  }

  private classifyPage(
    label: string,
    pageNo: number | undefined,
    prev: PdfDict | undefined,
    next: PdfDict | undefined,
  ): [RevisionChangeKind, string] {
    const where = `page ${pageNo ?? '?'}`;
    if (!prev) return ['page-content', `${label}: ${where} added`];
    const changed = this.changedKeys(prev, next);
    const detail = `${label}: ${where} keys changed: ${changed.join(', ')}`;
    if (changed.some((k) => PAGE_VISUAL_KEYS.has(k))) return ['page-content', detail];
    if (changed.includes('Resources')) return ['page-resources', detail];
    if (changed.every((k) => k === 'Annots')) {
      const oldAnnots = this.before.resolve(prev.get('Annots'));
      const oldSet = new Set(Array.isArray(oldAnnots) ? oldAnnots.map((x) => serialize(x)) : []);
      const newAnnots = this.latest.resolve(next?.get('Annots'));
      const added = Array.isArray(newAnnots) ? newAnnots.filter((x) => !oldSet.has(serialize(x))) : [];
      const removed = oldSet.size + added.length - (Array.isArray(newAnnots) ? newAnnots.length : 0);
      const allSig = added.every((a) => nameOf(dictOf(this.latest.resolve(a))?.get('FT')) === 'Sig');
      if (removed === 0 && allSig) return ['signature-field', `${detail} (signature widget added)`];
      return ['annotation', detail];
    }
    return ['other', detail];
  }
}
