import { createHash, hash } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { drawTextAsPaths } from './font/glyph-text';
import type { OutlineFont } from './font/outline-font';
import { PdfError, PdfErrorCode, malformed } from './pdf-errors';
import type { PdfDocument, PdfDss } from './pdf-document';
import {
  PdfDict,
  PdfName,
  PdfRef,
  PdfStream,
  PdfString,
  type PdfValue,
  dictOf,
  pdfDate,
  serialize,
  serializeNumber,
  textString,
} from './pdf-objects';

/**
 * Incremental updates (ISO 32000-1 §7.5.6): new and changed objects are appended after the
 * original bytes with a new cross-reference section whose /Prev points at the previous one. The
 * original is never rewritten, so every earlier signature keeps covering exactly its bytes.
 */

export interface SignatureFieldOptions {
  type: 'Sig' | 'DocTimeStamp';
  subFilter: 'ETSI.CAdES.detached' | 'ETSI.RFC3161';
  /** Bytes reserved for the DER (the hex placeholder is twice as long); size it from the real CMS. */
  contentsSize: number;
  /** Unique partial field name without '.'; default Signature<n> / DocTimeStamp<n>. */
  fieldName?: string;
  /** Written as /M (ignored for DocTimeStamp, whose time is in the token). */
  signingTime?: Date;
  name?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  /** Certification signature: /Perms /DocMDP and a /Reference with TransformParams /P. */
  certify?: { permission: 1 | 2 | 3 };
  /**
   * Optional visible stamp. `page` is 1-based; `rect` is a PDF rectangle [llx, lly, urx, ury] in
   * default user space units (1/72 inch). With `font` (see `loadOutlineFont`, e.g. Noto Sans CJK JP)
   * the lines, Japanese included, are drawn as glyph outlines: no font resource, so PDF/A stays
   * valid. Without it they are drawn in the standard Helvetica font (not embedded, so not PDF/A),
   * printable ASCII only: other characters become '?'.
   */
  visible?: { page: number; rect: [number, number, number, number]; lines: string[]; font?: OutlineFont };
}

export interface PreparedSignature {
  /** Exactly the input bytes (the prefix). */
  original: Uint8Array;
  /** The incremental update with a zero-filled /Contents placeholder. */
  appended: Uint8Array;
  /** Offsets in original+appended. */
  byteRange: [number, number, number, number];
  /** Offset of the '<' of the hex placeholder in original+appended. */
  contentsOffset: number;
  contentsSize: number;
  /** Feeds the signed ranges (everything except the placeholder) to a hash without concatenating. */
  hash(algorithm: 'sha256' | 'sha384' | 'sha512'): Buffer;
  /** Writes the DER into the placeholder (hex, zero-padded); throws SIGNATURE_TOO_LARGE if it does not fit. */
  embed(der: Uint8Array): Uint8Array;
  /**
   * Like `embed`, into `target` where the placeholder's digits start at `offset` (the whole file
   * already laid out: `contentsOffset + 1`), without copying the update first.
   */
  writeContents(target: Uint8Array, offset: number, der: Uint8Array): void;
  /** Fully qualified name of the new field. */
  fieldName: string;
  /** Object number of the new signature dictionary. */
  objectNumber: number;
}

/** Upper bound for /Contents: far above any CMS with chains and timestamps, low enough to stop mistakes. */
export const MAX_CONTENTS_SIZE = 1024 * 1024;
const BYTE_RANGE_WIDTH = 10;

// ---------------------------------------------------------------------------------------------

interface PendingObject {
  num: number;
  gen: number;
  body: Buffer;
  /** [start, length] of a zero-filled placeholder inside `body` (the /Contents of a signature). */
  placeholder?: [number, number];
}

/** Collects objects for one incremental update and lays them out with the right xref style. */
export class UpdateBuilder {
  private nextNum: number;
  private readonly objects = new Map<number, PendingObject>();

  constructor(private readonly doc: PdfDocument) {
    // Never reuse a number, even when a sloppy writer left /Size too small.
    let next = doc.size;
    for (const s of doc.sections) for (const num of s.entries.keys()) if (num >= next) next = num + 1;
    this.nextNum = next;
  }

  alloc(): PdfRef {
    return new PdfRef(this.nextNum++, 0);
  }

  /** The generation the update must use when redefining an existing object. */
  genOf(num: number): number {
    const e = this.doc.resolver.entry(num);
    return e?.type === 'offset' ? e.gen : 0;
  }

  put(ref: PdfRef, value: PdfValue): void {
    this.putRaw(ref, serialize(value));
  }

  putRaw(ref: PdfRef, body: string): void {
    this.objects.set(ref.num, { num: ref.num, gen: ref.gen, body: Buffer.from(body, 'latin1') });
  }

  /**
   * An object whose body is `head`, then `zeros` ASCII '0' characters, then `tail` (the signature
   * dictionary with its /Contents placeholder). Returns where the run of zeros starts in the body.
   */
  putWithPlaceholder(ref: PdfRef, head: string, zeros: number, tail: string): number {
    const body = Buffer.allocUnsafe(head.length + zeros + tail.length);
    body.write(head, 0, 'latin1');
    body.fill(0x30, head.length, head.length + zeros);
    body.write(tail, head.length + zeros, 'latin1');
    this.objects.set(ref.num, { num: ref.num, gen: ref.gen, body, placeholder: [head.length, zeros] });
    return head.length;
  }

  /** Offset, inside the appended bytes, of the body of `ref` (after its `num gen obj` line). */
  static bodyOffset(ref: PdfRef, objectOffset: number): number {
    return objectOffset + objectHeader(ref.num, ref.gen).length;
  }

  putStream(ref: PdfRef, dict: PdfDict, data: Uint8Array, compress = true): void {
    const d = dict.clone();
    let payload: Uint8Array = data;
    if (compress) {
      payload = deflateSync(data);
      d.set('Filter', new PdfName('FlateDecode'));
    }
    d.set('Length', payload.length);
    const head = Buffer.from(`${serialize(d)}\nstream\n`, 'latin1');
    const tail = Buffer.from('\nendstream', 'latin1');
    this.objects.set(ref.num, { num: ref.num, gen: ref.gen, body: Buffer.concat([head, payload, tail]) });
  }

  /** Lays the update out; returns the appended bytes and each object's offset inside them. */
  build(): { appended: Buffer; offsets: Map<number, number> } {
    const doc = this.doc;
    const base = doc.bytes.length;
    const chunks: Buffer[] = [];
    let len = 0;
    const push = (b: Buffer) => {
      chunks.push(b);
      len += b.length;
    };
    const last = doc.bytes[base - 1];
    if (last !== 0x0a && last !== 0x0d) push(Buffer.from('\n', 'latin1'));
    const offsets = new Map<number, number>();
    const useStream = doc.sections[0].kind === 'stream';
    const xrefRef = useStream ? this.alloc() : undefined;
    const ordered = [...this.objects.values()];
    for (const o of ordered) {
      offsets.set(o.num, len);
      push(Buffer.from(objectHeader(o.num, o.gen), 'latin1'));
      push(o.body);
      push(Buffer.from('\nendobj\n', 'latin1'));
    }
    const size = Math.max(doc.size, this.nextNum);
    const trailer = new PdfDict();
    trailer.set('Size', size);
    trailer.set('Root', doc.catalogRef());
    const info = doc.trailer.get('Info');
    if (info instanceof PdfRef) trailer.set('Info', info);
    trailer.set('ID', this.fileId(ordered));
    trailer.set('Prev', doc.startxref);

    const xrefOffset = base + len;
    if (xrefRef) {
      offsets.set(xrefRef.num, len);
      const all = [...ordered.map((o) => ({ num: o.num, gen: o.gen })), { num: xrefRef.num, gen: 0 }];
      all.sort((a, b) => a.num - b.num);
      const maxOffset = base + len;
      let w1 = 1;
      while (maxOffset >= 256 ** w1) w1++;
      const rows = Buffer.alloc(all.length * (1 + w1 + 2));
      let p = 0;
      for (const o of all) {
        rows[p++] = 1;
        rows.writeUIntBE(base + (offsets.get(o.num) ?? 0), p, w1);
        p += w1;
        rows.writeUInt16BE(o.gen, p);
        p += 2;
      }
      const dict = trailer;
      dict.set('Type', new PdfName('XRef'));
      dict.set('W', [1, w1, 2]);
      dict.set(
        'Index',
        subsections(all.map((o) => o.num)).flatMap(([s, c]) => [s, c]),
      );
      const data = deflateSync(rows);
      dict.set('Filter', new PdfName('FlateDecode'));
      dict.set('Length', data.length);
      push(Buffer.from(`${xrefRef.num} 0 obj\n${serialize(dict)}\nstream\n`, 'latin1'));
      push(data);
      push(Buffer.from('\nendstream\nendobj\n', 'latin1'));
    } else {
      const byNum = [...ordered].sort((a, b) => a.num - b.num);
      let table = 'xref\n';
      for (const [start, count] of subsections(byNum.map((o) => o.num))) {
        table += `${start} ${count}\n`;
        for (let n = start; n < start + count; n++) {
          const o = this.objects.get(n);
          if (!o) throw new Error('internal: xref subsection gap');
          table += `${String(base + (offsets.get(n) ?? 0)).padStart(10, '0')} ${String(o.gen).padStart(5, '0')} n\r\n`;
        }
      }
      table += `trailer\n${serialize(trailer)}\n`;
      push(Buffer.from(table, 'latin1'));
    }
    push(Buffer.from(`startxref\n${xrefOffset}\n%%EOF\n`, 'latin1'));
    return { appended: Buffer.concat(chunks, len), offsets };
  }

  /**
   * §14.4: the first /ID element stays as created; the second changes with each update. We derive
   * it from the previous ID and the new objects so the output is reproducible for the same input.
   */
  private fileId(objects: PendingObject[]): PdfValue[] {
    const old = this.doc.resolve(this.doc.trailer.get('ID'));
    const oldIds = Array.isArray(old) ? old.filter((x): x is PdfString => x instanceof PdfString) : [];
    // One-shot digest of the parts in order (a Hash object costs more than these few kilobytes).
    const parts: Uint8Array[] = [...oldIds.map((x) => x.bytes), Buffer.from(String(this.doc.bytes.length))];
    for (const o of objects) {
      if (!o.placeholder) {
        parts.push(o.body);
        continue;
      }
      // The placeholder is only zeros, tens of kilobytes of them: its length stands for it.
      const [start, length] = o.placeholder;
      parts.push(
        o.body.subarray(0, start),
        Buffer.from(`<placeholder ${length}>`),
        o.body.subarray(start + length),
      );
    }
    const fresh = new PdfString(hash('md5', Buffer.concat(parts), 'buffer'), true);
    if (oldIds.length >= 1) return [new PdfString(oldIds[0].bytes, true), fresh];
    const tail = this.doc.bytes.subarray(Math.max(0, this.doc.bytes.length - 4096));
    const first = new PdfString(
      createHash('md5').update(tail).update(String(this.doc.bytes.length)).digest(),
      true,
    );
    return [first, fresh];
  }
}

const objectHeader = (num: number, gen: number): string => `${num} ${gen} obj\n`;

/** Groups sorted object numbers into [start, count] runs. */
function subsections(nums: number[]): [number, number][] {
  const sorted = [...nums].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const n of sorted) {
    const lastRun = out[out.length - 1];
    if (lastRun && lastRun[0] + lastRun[1] === n) lastRun[1]++;
    else out.push([n, 1]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/**
 * Appends a signature field, its widget and a /V signature dictionary with /ByteRange and
 * /Contents placeholders. The caller hashes the ranges, builds the CMS and embeds it.
 */
export function prepareSignature(doc: PdfDocument, opts: SignatureFieldOptions): PreparedSignature {
  if (
    !Number.isInteger(opts.contentsSize) ||
    opts.contentsSize < 1 ||
    opts.contentsSize > MAX_CONTENTS_SIZE
  ) {
    throw new RangeError(`contentsSize must be an integer between 1 and ${MAX_CONTENTS_SIZE}`);
  }
  const existing = doc.signatures();
  const certification = existing.find((s) => s.docMdp !== undefined);
  // §12.8.2.2 (DocMDP /P 1): no changes at all. ETSI EN 319 142-1 §5.4 exempts only DSS and
  // document timestamps from DocMDP restrictions, so a DocTimeStamp is still allowed.
  if (opts.type === 'Sig' && certification?.docMdp === 1) {
    throw new PdfError(
      PdfErrorCode.PDF_SIGNING_FORBIDDEN,
      'この PDF は変更不可の証明署名（DocMDP P=1）で保護されているため、署名を追加できません。',
      { certifiedBy: certification.fieldName },
    );
  }
  if (opts.certify) {
    if (opts.type !== 'Sig') throw new RangeError('only a signature (type Sig) can certify a document');
    // §12.8.2.2.1: a document has at most one certification signature and it is the first one.
    if (existing.some((s) => s.type === 'Sig')) {
      throw new PdfError(
        PdfErrorCode.PDF_SIGNING_FORBIDDEN,
        '既に署名済みの PDF には証明署名（DocMDP）を付与できません。証明署名は最初の署名である必要があります。',
        { existingSignatures: existing.length },
      );
    }
  }

  const fields = doc.fields();
  const fieldNames = new Set(fields.map((f) => f.fullName));
  const fieldName = opts.fieldName ?? defaultFieldName(opts.type, fieldNames);
  // An existing, still empty signature field (e.g. placed in the contract template) is signed in place.
  const emptyField = fields.find(
    (f) => f.fullName === fieldName && f.fieldType === 'Sig' && f.ref && !f.dict.has('V'),
  );
  if (!fieldName || (!emptyField && (fieldName.includes('.') || fieldNames.has(fieldName)))) {
    throw new PdfError(
      PdfErrorCode.PDF_SIGNATURE_FIELD_INVALID,
      fieldNames.has(fieldName)
        ? `署名フィールド名「${fieldName}」は既に使われています。`
        : '署名フィールド名は空でなく、「.」を含まない必要があります。',
      { fieldName },
    );
  }

  const u = new UpdateBuilder(doc);
  const sigRef = u.alloc();
  const catalogRef = doc.catalogRef();
  const catalog = doc.catalog().clone();
  let catalogChanged = false;
  const formValue = catalog.get('AcroForm');
  const formDict = dictOf(doc.resolve(formValue))?.clone() ?? new PdfDict();
  let formChanged = formDict.get('SigFlags') !== 3;
  formDict.set('SigFlags', 3);

  if (emptyField?.ref) {
    if (opts.visible)
      throw fieldInvalid(`署名フィールド「${fieldName}」は既に配置済みです（表示位置は指定できません）。`);
    u.put(
      new PdfRef(emptyField.ref.num, u.genOf(emptyField.ref.num)),
      emptyField.dict.clone().set('V', sigRef),
    );
  } else {
    const fieldRef = u.alloc();
    const pageIndex = opts.visible ? opts.visible.page - 1 : 0;
    if (!Number.isInteger(pageIndex) || pageIndex < 0 || pageIndex >= doc.pageCount()) {
      throw fieldInvalid(
        `${pageIndex + 1} ページ目はありません（この PDF は ${doc.pageCount()} ページです）。`,
      );
    }
    const page = doc.page(pageIndex);
    // Field merged with its widget annotation (§12.7.3.1, §12.5.6.19).
    const field = new PdfDict()
      .set('FT', new PdfName('Sig'))
      .set('T', textString(fieldName))
      .set('V', sigRef)
      .set('Type', new PdfName('Annot'))
      .set('Subtype', new PdfName('Widget'))
      .set('P', page.ref);
    if (opts.visible) {
      const [x1, y1, x2, y2] = opts.visible.rect;
      if (![x1, y1, x2, y2].every(Number.isFinite) || x2 <= x1 || y2 <= y1) {
        throw fieldInvalid(
          '署名欄の位置は [左下x, 左下y, 右上x, 右上y] で、幅と高さが正である必要があります。',
        );
      }
      const apRef = u.alloc();
      const { dict, data } = appearanceStream(x2 - x1, y2 - y1, opts.visible.lines, opts.visible.font);
      u.putStream(apRef, dict, data);
      // /F 4 = Print (PDF/A requires printable, non-hidden annotations).
      field.set('F', 4).set('Rect', [x1, y1, x2, y2]).set('AP', new PdfDict().set('N', apRef));
    } else {
      // Invisible: zero rectangle, /F 132 = Print + Locked (§12.5.3).
      field.set('F', 132).set('Rect', [0, 0, 0, 0]);
    }
    u.put(fieldRef, field);
    // AcroForm /Fields gets the new field (rewriting an indirect /Fields array in place).
    if (appendToArray(doc, u, formDict, 'Fields', fieldRef)) formChanged = true;
    // The widget goes into the page's /Annots (§12.5.2).
    const pageDict = page.dict.clone();
    if (appendToArray(doc, u, pageDict, 'Annots', fieldRef)) {
      u.put(new PdfRef(page.ref.num, u.genOf(page.ref.num)), pageDict);
    }
  }

  // AcroForm created or updated with /SigFlags 3 (SignaturesExist | AppendOnly, §12.7.2).
  if (formChanged) {
    if (formValue instanceof PdfRef && dictOf(doc.resolve(formValue))) {
      u.put(new PdfRef(formValue.num, u.genOf(formValue.num)), formDict);
    } else if (formValue instanceof PdfDict) {
      catalog.set('AcroForm', formDict);
      catalogChanged = true;
    } else {
      const formRef = u.alloc();
      u.put(formRef, formDict);
      catalog.set('AcroForm', formRef);
      catalogChanged = true;
    }
  }
  if (opts.certify) {
    const perms = dictOf(doc.resolve(catalog.get('Perms')))?.clone() ?? new PdfDict();
    perms.set('DocMDP', sigRef);
    catalog.set('Perms', perms);
    catalogChanged = true;
  }
  if (catalogChanged) u.put(new PdfRef(catalogRef.num, u.genOf(catalogRef.num)), catalog);

  // Signature dictionary (§12.8.1) with fixed-width placeholders patched after layout.
  const placeholderRange = `[0 ${'0'.padEnd(BYTE_RANGE_WIDTH)} ${'0'.padEnd(BYTE_RANGE_WIDTH)} ${'0'.padEnd(BYTE_RANGE_WIDTH)}]`;
  const sig = new PdfDict()
    .set('Type', new PdfName(opts.type))
    .set('Filter', new PdfName('Adobe.PPKLite'))
    .set('SubFilter', new PdfName(opts.subFilter));
  if (opts.type === 'Sig') {
    if (opts.signingTime) sig.set('M', pdfDate(opts.signingTime));
    if (opts.name !== undefined) sig.set('Name', textString(opts.name));
    if (opts.reason !== undefined) sig.set('Reason', textString(opts.reason));
    if (opts.location !== undefined) sig.set('Location', textString(opts.location));
    if (opts.contactInfo !== undefined) sig.set('ContactInfo', textString(opts.contactInfo));
    if (opts.certify) {
      const params = new PdfDict()
        .set('Type', new PdfName('TransformParams'))
        .set('P', opts.certify.permission)
        .set('V', new PdfName('1.2'));
      const ref = new PdfDict()
        .set('Type', new PdfName('SigRef'))
        .set('TransformMethod', new PdfName('DocMDP'))
        .set('TransformParams', params);
      sig.set('Reference', [ref]);
    }
  }
  // The placeholders' positions are known from the layout, never searched for (a /Name or /Reason
  // may itself contain the text "/ByteRange [").
  const sigHead = `${serialize(sig).slice(0, -2)} /ByteRange `;
  const rangeAt = sigHead.length;
  const zerosAt = u.putWithPlaceholder(
    sigRef,
    `${sigHead}${placeholderRange} /Contents <`,
    opts.contentsSize * 2,
    '>>>',
  );

  const { appended, offsets } = u.build();
  const sigBody = UpdateBuilder.bodyOffset(sigRef, offsets.get(sigRef.num) ?? 0);
  const brPos = sigBody + rangeAt;
  const cPos = sigBody + zerosAt - 1; // the '<'
  const base = doc.bytes.length;
  const contentsOffset = base + cPos;
  const afterContents = contentsOffset + opts.contentsSize * 2 + 2;
  const total = base + appended.length;
  const byteRange: [number, number, number, number] = [
    0,
    contentsOffset,
    afterContents,
    total - afterContents,
  ];
  const rangeText = `[0 ${byteRange
    .slice(1)
    .map((n) => String(n).padEnd(BYTE_RANGE_WIDTH))
    .join(' ')}]`;
  if (rangeText.length !== placeholderRange.length)
    throw new RangeError('file too large for the ByteRange field');
  appended.write(rangeText, brPos, 'latin1');

  const original = doc.bytes;
  const contentsSize = opts.contentsSize;
  const writeContents = (target: Uint8Array, offset: number, der: Uint8Array): void => {
    if (der.length > contentsSize) {
      throw new PdfError(
        PdfErrorCode.SIGNATURE_TOO_LARGE,
        `signature is ${der.length} bytes but only ${contentsSize} were reserved`,
        { size: der.length, reserved: contentsSize },
      );
    }
    writeUpperHex(target, offset, der);
  };
  return {
    original,
    appended,
    byteRange,
    contentsOffset,
    contentsSize,
    fieldName,
    objectNumber: sigRef.num,
    hash(algorithm) {
      const h = createHash(algorithm);
      h.update(original);
      h.update(appended.subarray(0, cPos));
      h.update(appended.subarray(cPos + contentsSize * 2 + 2));
      return h.digest();
    },
    embed(der) {
      const out = Buffer.from(appended);
      writeContents(out, cPos + 1, der);
      return out;
    },
    writeContents,
  };
}

/** Writes `bytes` as upper-case hex digits at `offset` of `target`. */
function writeUpperHex(target: Uint8Array, offset: number, bytes: Uint8Array): void {
  if (offset < 0 || offset + bytes.length * 2 > target.length) throw new RangeError('hex does not fit');
  const hex = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex').toUpperCase();
  Buffer.from(target.buffer, target.byteOffset, target.byteLength).write(hex, offset, 'latin1');
}

function fieldInvalid(message: string): PdfError {
  return new PdfError(PdfErrorCode.PDF_SIGNATURE_FIELD_INVALID, message);
}

function defaultFieldName(type: 'Sig' | 'DocTimeStamp', taken: Set<string>): string {
  const prefix = type === 'Sig' ? 'Signature' : 'DocTimeStamp';
  for (let n = 1; ; n++) if (!taken.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

/**
 * Appends `item` to the array at `dict[key]`. When the array is an indirect object it is rewritten
 * in place (and `false` is returned: `dict` itself is unchanged); otherwise `dict` gets a new array.
 */
function appendToArray(
  doc: PdfDocument,
  u: UpdateBuilder,
  dict: PdfDict,
  key: string,
  item: PdfValue,
): boolean {
  const v = dict.get(key);
  if (v instanceof PdfRef) {
    const arr = doc.resolve(v);
    if (Array.isArray(arr)) {
      u.put(new PdfRef(v.num, u.genOf(v.num)), [...arr, item]);
      return false;
    }
  }
  const arr = doc.resolve(v);
  dict.set(key, Array.isArray(arr) ? [...arr, item] : [item]);
  return true;
}

/**
 * The stamp appearance (§12.5.5): an opaque white box with a black border and the lines. No
 * transparency (PDF/A-1 forbids it). With an outline font the text is filled paths (no font
 * resource at all); otherwise standard Helvetica, printable ASCII only.
 */
export function appearanceStream(
  width: number,
  height: number,
  lines: string[],
  font?: OutlineFont,
): { dict: PdfDict; data: Buffer } {
  const w = serializeNumber;
  const dict = new PdfDict()
    .set('Type', new PdfName('XObject'))
    .set('Subtype', new PdfName('Form'))
    .set('BBox', [0, 0, width, height]);
  let ops = `q 1 g 0 0 ${w(width)} ${w(height)} re f 0 G 0.8 w 0.4 0.4 ${w(width - 0.8)} ${w(height - 0.8)} re S\n`;
  if (font) {
    dict.set('Resources', new PdfDict());
    ops += `0 g\n${drawTextAsPaths(font, lines, { x: 3, y: 2, width: width - 6, height: height - 4 })}Q\n`;
    return { dict, data: Buffer.from(ops, 'latin1') };
  }
  const helvetica = new PdfDict()
    .set('Type', new PdfName('Font'))
    .set('Subtype', new PdfName('Type1'))
    .set('BaseFont', new PdfName('Helvetica'))
    .set('Encoding', new PdfName('WinAnsiEncoding'));
  dict.set('Resources', new PdfDict().set('Font', new PdfDict().set('F1', helvetica)));
  const n = Math.max(1, lines.length);
  const size = Math.max(4, Math.min(10, (height - 4) / (n * 1.25)));
  const lead = size * 1.25;
  ops += `BT /F1 ${w(size)} Tf 0 g ${w(lead)} TL 3 ${w(height - 2 - size)} Td\n`;
  lines.forEach((line, i) => {
    const ascii = line.replace(/[^\x20-\x7e]/g, '?');
    ops += `${i ? 'T* ' : ''}${serialize(new PdfString(Buffer.from(ascii, 'latin1')))} Tj\n`;
  });
  ops += 'ET Q\n';
  return { dict, data: Buffer.from(ops, 'latin1') };
}

// ---------------------------------------------------------------------------------------------

/**
 * Appends a /DSS (ETSI EN 319 142-1 §5.4.2) that merges with, never drops, an existing one:
 * existing streams are kept by reference; new blobs are added once (deduplicated by content).
 * Returns the appended update.
 */
export function appendDss(doc: PdfDocument, dss: PdfDss & { vri?: Map<string, PdfDss> }): Uint8Array {
  const u = new UpdateBuilder(doc);
  const catalog = doc.catalog().clone();
  const dssValue = catalog.get('DSS');
  const old = dictOf(doc.resolve(dssValue));
  const next = old?.clone() ?? new PdfDict();
  const byHash = new Map<string, PdfRef>();
  const digest = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

  const merge = (key: 'Certs' | 'OCSPs' | 'CRLs', blobs: Uint8Array[]) => {
    const arr = doc.resolve(old?.get(key));
    const items: PdfValue[] = Array.isArray(arr) ? [...arr] : [];
    for (const item of items) {
      const s = doc.resolve(item);
      if (s instanceof PdfStream && item instanceof PdfRef)
        byHash.set(`${key}:${digest(doc.resolver.decode(s))}`, item);
    }
    for (const blob of blobs) {
      const k = `${key}:${digest(blob)}`;
      if (byHash.has(k)) continue;
      const ref = u.alloc();
      u.putStream(ref, new PdfDict(), blob);
      byHash.set(k, ref);
      items.push(ref);
    }
    if (items.length) next.set(key, items);
  };
  const vri = dss.vri ?? new Map<string, PdfDss>();
  const vriValues = [...vri.values()];
  merge('Certs', [...dss.certs, ...vriValues.flatMap((v) => v.certs)]);
  merge('OCSPs', [...dss.ocsps, ...vriValues.flatMap((v) => v.ocsps)]);
  merge('CRLs', [...dss.crls, ...vriValues.flatMap((v) => v.crls)]);

  if (vri.size) {
    const vriDict = dictOf(doc.resolve(old?.get('VRI')))?.clone() ?? new PdfDict();
    for (const [key, entry] of vri) {
      if (!/^[0-9A-F]{40}$/.test(key)) throw new RangeError('VRI keys are upper-case hex SHA-1 digests');
      const prev = dictOf(doc.resolve(vriDict.get(key)))?.clone() ?? new PdfDict();
      const refsOf = (dssKey: 'Certs' | 'OCSPs' | 'CRLs', vriKey: string, blobs: Uint8Array[]) => {
        const prevArr = doc.resolve(prev.get(vriKey));
        const refs: PdfValue[] = Array.isArray(prevArr) ? [...prevArr] : [];
        const have = new Set(refs.filter((r): r is PdfRef => r instanceof PdfRef).map((r) => r.num));
        for (const b of blobs) {
          const ref = byHash.get(`${dssKey}:${digest(b)}`);
          if (ref && !have.has(ref.num)) {
            refs.push(ref);
            have.add(ref.num);
          }
        }
        if (refs.length) prev.set(vriKey, refs);
      };
      refsOf('Certs', 'Cert', entry.certs);
      refsOf('OCSPs', 'OCSP', entry.ocsps);
      refsOf('CRLs', 'CRL', entry.crls);
      vriDict.set(key, prev);
    }
    next.set('VRI', vriDict);
  }
  if (!next.has('Type')) next.set('Type', new PdfName('DSS'));

  if (dssValue instanceof PdfRef && old) {
    u.put(new PdfRef(dssValue.num, u.genOf(dssValue.num)), next);
  } else {
    const ref = u.alloc();
    u.put(ref, next);
    catalog.set('DSS', ref);
    // ETSI TS 102 778-4 §A.1 (PAdES-LTV): before PDF 2.0 the DSS is declared as developer
    // extension ESIC, as other PAdES writers do; PDF 2.0 has the DSS natively.
    const header = Buffer.from(doc.bytes.subarray(0, 8)).toString('latin1');
    const extensions = dictOf(doc.resolve(catalog.get('Extensions')))?.clone() ?? new PdfDict();
    if (!header.startsWith('%PDF-2') && !extensions.has('ESIC')) {
      extensions.set('ESIC', new PdfDict().set('BaseVersion', new PdfName('1.7')).set('ExtensionLevel', 1));
      catalog.set('Extensions', extensions);
    }
    const catalogRef = doc.catalogRef();
    u.put(new PdfRef(catalogRef.num, u.genOf(catalogRef.num)), catalog);
  }
  return u.build().appended;
}

/** Concatenates a document and an update (for tests and callers that need the whole file). */
export function concatUpdate(original: Uint8Array, appended: Uint8Array): Buffer {
  if (original.length + appended.length > 2 ** 31) throw malformed('result too large');
  return Buffer.concat([original, appended]);
}
