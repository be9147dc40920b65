import { PdfError, PdfErrorCode, malformed } from './pdf-errors';
import {
  PdfDict,
  PdfRef,
  PdfStream,
  PdfString,
  type PdfValue,
  decodeTextString,
  dictOf,
  isName,
  nameOf,
  numberOf,
  parsePdfDate,
} from './pdf-objects';
import { latin1, parseIndirectObject } from './pdf-parser';
import { ObjectResolver, type XrefSection, findStartXref, readXrefChain } from './xref';

export interface PdfSignatureInfo {
  /** Fully qualified field name (T of the field, with its parents', joined by '.'). */
  fieldName: string;
  type: 'Sig' | 'DocTimeStamp';
  subFilter: string;
  byteRange: [number, number, number, number];
  /** The DER inside /Contents, trailing zero padding removed. */
  contents: Uint8Array;
  signingTime?: Date;
  name?: string;
  reason?: string;
  location?: string;
  /** Set when this is a certification signature (/Reference … /TransformMethod /DocMDP). */
  docMdp?: 1 | 2 | 3;
  /** Byte offset where the revision containing this signature ends (= byteRange[2] + byteRange[3]). */
  revisionEnd: number;
  /** The signature dictionary's object number. */
  objectNumber: number;
}

export interface PdfDss {
  certs: Uint8Array[];
  ocsps: Uint8Array[];
  crls: Uint8Array[];
}

/** A form field found in the AcroForm tree (terminal fields only). */
export interface PdfFieldInfo {
  fullName: string;
  ref: PdfRef | undefined;
  dict: PdfDict;
  fieldType: string | undefined;
}

export const DEFAULT_MAX_PDF_BYTES = 50 * 1024 * 1024;

/**
 * A loaded PDF: the original bytes (never copied) plus a lazy view over its cross-reference data.
 * Loading parses only the xref chain and the catalog; objects are read when asked for.
 */
export class PdfDocument {
  /** Sections of the /Prev chain, latest first. */
  readonly sections: XrefSection[];
  readonly resolver: ObjectResolver;
  readonly trailer: PdfDict;
  readonly startxref: number;

  private constructor(
    readonly bytes: Uint8Array,
    startxref: number,
    sections: XrefSection[],
  ) {
    this.startxref = startxref;
    this.sections = sections;
    this.trailer = sections[0].trailer;
    this.resolver = new ObjectResolver(bytes, sections);
  }

  private revisionEnds?: number[];

  /**
   * End offsets of the revisions, earliest first. Found by scanning the whole file for `%%EOF`, so
   * computed on first use only: signing never needs it (a scan of a 50 MB file for nothing).
   */
  get revisions(): number[] {
    return (this.revisionEnds ??= findRevisions(this.bytes));
  }

  /**
   * Loads a PDF. `extends`: a document already loaded that these bytes may start with (an
   * incremental update appended to it, as signing and archive renewal produce); when they do —
   * compared byte for byte — the cross-reference sections of that part are taken from it instead
   * of being parsed again. Any other bytes load as without it.
   */
  static load(bytes: Uint8Array, opts?: { maxBytes?: number; extends?: PdfDocument }): PdfDocument {
    const maxBytes = opts?.maxBytes ?? DEFAULT_MAX_PDF_BYTES;
    if (bytes.length > maxBytes) {
      throw new PdfError(
        PdfErrorCode.PDF_TOO_LARGE,
        `PDF ファイルが大きすぎます（${bytes.length} バイト、上限 ${maxBytes} バイト）。`,
        { size: bytes.length, maxBytes },
      );
    }
    if (bytes.length < 16 || !/^%PDF-[12]\.\d/.test(latin1(bytes, 0, 8))) {
      throw malformed('PDF ファイルではありません（%PDF- ヘッダがありません）。');
    }
    let doc: PdfDocument;
    try {
      const startxref = findStartXref(bytes);
      const base = opts?.extends;
      const sections = readXrefChain(
        bytes,
        startxref,
        base && startsWithBytes(bytes, base.bytes) ? base : undefined,
      );
      // §7.6: any /Encrypt (user or owner password) means the bytes we would sign are ciphertext.
      if (sections.some((s) => s.trailer.has('Encrypt'))) {
        throw new PdfError(
          PdfErrorCode.PDF_ENCRYPTED,
          '暗号化された PDF には署名できません。パスワード保護を解除してから再度お試しください。',
        );
      }
      doc = new PdfDocument(bytes, startxref, sections);
      doc.checkOffsets();
      const root = doc.catalog();
      if (!(doc.resolve(root.get('Pages')) instanceof PdfDict))
        throw malformed('the catalog has no /Pages tree');
    } catch (e) {
      if (e instanceof PdfError) {
        if (e.code !== PdfErrorCode.PDF_MALFORMED) throw e;
        throw new PdfError(PdfErrorCode.PDF_MALFORMED, `PDF ファイルが壊れています: ${e.message}`, e.details);
      }
      throw malformed(`PDF ファイルが壊れています: ${(e as Error).message}`);
    }
    return doc;
  }

  /** Cheap structural check: every in-use entry of the latest view points at "num gen obj". */
  private checkOffsets(): void {
    for (const num of this.resolver.objectNumbers()) {
      const e = this.resolver.entry(num);
      if (e?.type !== 'offset') continue;
      if (e.offset >= this.bytes.length)
        throw malformed(`object ${num} offset ${e.offset} is beyond the end of the file`);
      if (objectHeaderAt(this.bytes, e.offset) !== num)
        throw malformed(`cross-reference entry of object ${num} does not point at it`);
    }
  }

  get size(): number {
    const s = numberOf(this.trailer.get('Size'));
    if (s === undefined) throw malformed('trailer has no /Size');
    return s;
  }

  resolve(v: PdfValue | undefined): PdfValue | undefined {
    return this.resolver.resolve(v);
  }

  get(num: number): PdfValue {
    return this.resolver.get(num);
  }

  catalogRef(): PdfRef {
    const root = this.trailer.get('Root');
    if (!(root instanceof PdfRef)) throw malformed('trailer /Root is not a reference');
    return root;
  }

  catalog(): PdfDict {
    const c = this.resolve(this.catalogRef());
    if (!(c instanceof PdfDict)) throw malformed('the document catalog is not a dictionary');
    return c;
  }

  /**
   * The cross-reference chain of the revision ending at `revisionEnd`, read from that revision's own
   * `startxref` (not "every section before the offset": a section hidden inside signed bytes and
   * only linked by a later update must count as part of the later update).
   */
  sectionsAt(revisionEnd: number): XrefSection[] {
    if (revisionEnd >= this.bytes.length) return this.sections;
    const prefix = this.bytes.subarray(0, revisionEnd);
    const start = findStartXref(prefix);
    const byOffset = new Map(this.sections.map((s) => [s.offset, s]));
    const chain = readXrefChain(prefix, start);
    // Reuse the parsed sections of the full chain when they are the same offsets.
    return chain.map((s) => byOffset.get(s.offset) ?? s);
  }

  /** A resolver that sees the document as it was when the revision ending at `revisionEnd` was written. */
  resolverAt(revisionEnd: number): ObjectResolver {
    return new ObjectResolver(
      this.bytes.subarray(0, Math.min(revisionEnd, this.bytes.length)),
      this.sectionsAt(revisionEnd),
    );
  }

  pageCount(): number {
    const pages = dictOf(this.resolve(this.catalog().get('Pages')));
    return numberOf(pages?.get('Count')) ?? 0;
  }

  /** The page object at 0-based `index`, walking /Kids with /Count (no whole-tree load). */
  page(index: number): { ref: PdfRef; dict: PdfDict } {
    let node = this.catalog().get('Pages');
    let remaining = index;
    for (let depth = 0; depth < 64; depth++) {
      const dict = dictOf(this.resolve(node));
      if (!dict) throw malformed('page tree node is not a dictionary');
      if (isName(dict.get('Type'), 'Page') || !dict.has('Kids')) {
        if (remaining === 0 && node instanceof PdfRef) return { ref: node, dict };
        throw malformed(`page ${index + 1} not found`);
      }
      const kids = this.resolve(dict.get('Kids'));
      if (!Array.isArray(kids)) throw malformed('page tree /Kids is not an array');
      let next: PdfValue | undefined;
      for (const kid of kids) {
        const kd = dictOf(this.resolve(kid));
        if (!kd) throw malformed('page tree kid is not a dictionary');
        const count =
          isName(kd.get('Type'), 'Page') || !kd.has('Kids') ? 1 : (numberOf(kd.get('Count')) ?? 0);
        if (remaining < count) {
          next = kid;
          break;
        }
        remaining -= count;
      }
      if (next === undefined)
        throw malformed(`page ${index + 1} not found (document has ${this.pageCount()})`);
      node = next;
    }
    throw malformed('page tree too deep');
  }

  /** The AcroForm dictionary, if any. */
  acroForm(): PdfDict | undefined {
    return dictOf(this.resolve(this.catalog().get('AcroForm')));
  }

  /** Terminal fields of the AcroForm tree with their fully qualified names (§12.7.3.2). */
  fields(): PdfFieldInfo[] {
    const form = this.acroForm();
    const out: PdfFieldInfo[] = [];
    const roots = this.resolve(form?.get('Fields'));
    if (!Array.isArray(roots)) return out;
    const visited = new Set<number>();
    const walk = (node: PdfValue, parentName: string, inheritedFt: string | undefined, depth: number) => {
      if (depth > 32) throw malformed('form field tree too deep');
      if (node instanceof PdfRef) {
        if (visited.has(node.num)) return;
        visited.add(node.num);
      }
      const dict = dictOf(this.resolve(node));
      if (!dict) return;
      const t = this.resolve(dict.get('T'));
      const partial = t instanceof PdfString ? decodeTextString(t) : undefined;
      const fullName = partial === undefined ? parentName : parentName ? `${parentName}.${partial}` : partial;
      const ft = nameOf(this.resolve(dict.get('FT'))) ?? inheritedFt;
      const kids = this.resolve(dict.get('Kids'));
      // Kids that have /T are fields; kids without are widgets of this field.
      const fieldKids = Array.isArray(kids) ? kids.filter((k) => dictOf(this.resolve(k))?.has('T')) : [];
      if (fieldKids.length) {
        for (const k of fieldKids) walk(k, fullName, ft, depth + 1);
      } else {
        out.push({ fullName, ref: node instanceof PdfRef ? node : undefined, dict, fieldType: ft });
      }
    };
    for (const r of roots) walk(r, '', undefined, 0);
    return out;
  }

  /** Signatures and document timestamps in file order, earliest first. */
  signatures(): PdfSignatureInfo[] {
    const out: PdfSignatureInfo[] = [];
    for (const field of this.fields()) {
      if (field.fieldType !== 'Sig') continue;
      const v = field.dict.get('V');
      const sig = dictOf(this.resolve(v));
      if (!sig || !(v instanceof PdfRef)) continue; // unsigned field (or a direct /V, which we cannot locate)
      const info = this.signatureInfo(field.fullName, sig, v.num);
      if (info) out.push(info);
    }
    return out.sort((a, b) => a.byteRange[1] - b.byteRange[1]);
  }

  private signatureInfo(fieldName: string, sig: PdfDict, objectNumber: number): PdfSignatureInfo | undefined {
    const br = this.resolve(sig.get('ByteRange'));
    const contents = this.resolve(sig.get('Contents'));
    if (!Array.isArray(br) || br.length !== 4 || !br.every((x) => typeof x === 'number')) return undefined;
    if (!(contents instanceof PdfString)) return undefined;
    const byteRange = br as [number, number, number, number];
    const type =
      isName(sig.get('Type'), 'DocTimeStamp') || isName(sig.get('SubFilter'), 'ETSI.RFC3161')
        ? 'DocTimeStamp'
        : 'Sig';
    const text = (key: string) => {
      const s = this.resolve(sig.get(key));
      return s instanceof PdfString ? decodeTextString(s) : undefined;
    };
    const m = text('M');
    const info: PdfSignatureInfo = {
      fieldName,
      type,
      subFilter: nameOf(this.resolve(sig.get('SubFilter'))) ?? '',
      byteRange,
      contents: stripDerPadding(contents.bytes),
      revisionEnd: byteRange[2] + byteRange[3],
      objectNumber,
    };
    const signingTime = m ? parsePdfDate(m) : undefined;
    if (signingTime) info.signingTime = signingTime;
    const name = text('Name');
    if (name !== undefined) info.name = name;
    const reason = text('Reason');
    if (reason !== undefined) info.reason = reason;
    const location = text('Location');
    if (location !== undefined) info.location = location;
    const docMdp = this.docMdpOf(sig);
    if (docMdp) info.docMdp = docMdp;
    return info;
  }

  private docMdpOf(sig: PdfDict): 1 | 2 | 3 | undefined {
    const refs = this.resolve(sig.get('Reference'));
    if (!Array.isArray(refs)) return undefined;
    for (const r of refs) {
      const ref = dictOf(this.resolve(r));
      if (!ref || !isName(this.resolve(ref.get('TransformMethod')), 'DocMDP')) continue;
      const params = dictOf(this.resolve(ref.get('TransformParams')));
      // §12.8.2.2.2: /P defaults to 2.
      const p = numberOf(this.resolve(params?.get('P'))) ?? 2;
      return p === 1 || p === 3 ? p : 2;
    }
    return undefined;
  }

  /** The latest /DSS (ETSI EN 319 142-1 §5.4.2), decoded. */
  dss(): PdfDss | undefined {
    const dss = dictOf(this.resolve(this.catalog().get('DSS')));
    if (!dss) return undefined;
    return {
      certs: this.dssStreams(dss.get('Certs')),
      ocsps: this.dssStreams(dss.get('OCSPs')),
      crls: this.dssStreams(dss.get('CRLs')),
    };
  }

  /** Decoded data of each stream in a DSS array (shared with the writer for merging). */
  dssStreams(v: PdfValue | undefined): Uint8Array[] {
    const arr = this.resolve(v);
    if (!Array.isArray(arr)) return [];
    const out: Uint8Array[] = [];
    for (const item of arr) {
      const s = this.resolve(item);
      if (s instanceof PdfStream) out.push(this.resolver.decode(s));
    }
    return out;
  }

  /** Parses the indirect object at a byte offset (used by the revision diff for raw comparisons). */
  objectAt(offset: number): PdfValue {
    return parseIndirectObject(this.bytes, offset, (r) => {
      const v = this.get(r.num);
      return typeof v === 'number' ? v : undefined;
    }).value;
  }
}

/** Whitespace as the header check has always read it (JavaScript's \s over latin1 bytes). */
const HEADER_SPACE = new Uint8Array(256);
for (const c of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0]) HEADER_SPACE[c] = 1;

/**
 * The object number of an `num gen obj` header at `offset` within its first 32 bytes (the pattern
 * /^(\d+)\s+(\d+)\s+obj/ on those bytes), or -1. Read from the bytes directly: this runs for every
 * object of the document on each load, where a string and a regular expression per object cost
 * more than the rest of loading a large document.
 */
function objectHeaderAt(b: Uint8Array, offset: number): number {
  const end = Math.min(b.length, offset + 32);
  let p = offset;
  let num = 0;
  const digits = () => {
    const start = p;
    while (p < end && b[p] >= 0x30 && b[p] <= 0x39) p++;
    return p > start;
  };
  const spaces = () => {
    const start = p;
    while (p < end && HEADER_SPACE[b[p]]) p++;
    return p > start;
  };
  const numStart = p;
  if (!digits()) return -1;
  for (let i = numStart; i < p; i++) num = num * 10 + (b[i] - 0x30);
  if (!spaces() || !digits() || !spaces()) return -1;
  if (p + 3 > end || b[p] !== 0x6f || b[p + 1] !== 0x62 || b[p + 2] !== 0x6a) return -1;
  return num;
}

/** End offsets of each revision: every `startxref n %%EOF` with n > 0, including the EOL after it. */
function findRevisions(bytes: Uint8Array): number[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: number[] = [];
  let idx = buf.indexOf('%%EOF', 0, 'latin1');
  while (idx >= 0) {
    let end = idx + 5;
    if (buf[end] === 0x0d) end++;
    if (buf[end] === 0x0a) end++;
    const before = buf.toString('latin1', Math.max(0, idx - 40), idx);
    const m = /startxref\s+(\d+)\s*$/.exec(before);
    // Linearized files carry a first-page trailer with "startxref 0": not a revision.
    if (m && Number(m[1]) > 0) out.push(end);
    idx = buf.indexOf('%%EOF', idx + 5, 'latin1');
  }
  if (out.length === 0 || out[out.length - 1] < bytes.length - 2048) out.push(bytes.length);
  return out;
}

/** Removes the zero padding after the DER (uses the DER length, so a trailing 0x00 inside it stays). */
export function stripDerPadding(b: Uint8Array): Uint8Array {
  if (b.length >= 2 && b[0] === 0x30) {
    const l0 = b[1];
    let len: number | undefined;
    let hdr = 2;
    if (l0 < 0x80) len = l0;
    else if (l0 > 0x80 && l0 <= 0x84 && b.length >= 2 + (l0 & 0x7f)) {
      len = 0;
      for (let i = 0; i < (l0 & 0x7f); i++) len = len * 256 + b[2 + i];
      hdr += l0 & 0x7f;
    }
    if (len !== undefined && hdr + len <= b.length) return b.subarray(0, hdr + len);
  }
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  return b.subarray(0, end);
}

/** True when `bytes` begins with every byte of `prefix` (an incremental update keeps its base so). */
export function startsWithBytes(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.byteLength < prefix.byteLength) return false;
  return Buffer.from(bytes.buffer, bytes.byteOffset, prefix.byteLength).equals(
    Buffer.from(prefix.buffer, prefix.byteOffset, prefix.byteLength),
  );
}
