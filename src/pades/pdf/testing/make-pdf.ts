/**
 * Generates a plain, valid PDF in memory (classic xref table, no compression) for tests and
 * benchmarks: `pages` pages, each with a short text line, padded with filler content streams
 * until the file reaches about `targetBytes`. Pure and deterministic.
 */
export interface MakePdfOptions {
  pages?: number;
  /** Approximate total size; filler is spread over the pages' content streams. */
  targetBytes?: number;
  title?: string;
}

export function makePdf(opts: MakePdfOptions = {}): Buffer {
  const pages = Math.max(1, opts.pages ?? 1);
  const target = opts.targetBytes ?? 0;
  const chunks: Buffer[] = [];
  const offsets: number[] = [];
  let len = 0;
  const push = (s: string | Buffer) => {
    const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
    chunks.push(b);
    len += b.length;
  };
  const obj = (num: number, body: string | Buffer[]) => {
    offsets[num] = len;
    push(`${num} 0 obj\n`);
    if (typeof body === 'string') push(body);
    else body.forEach((b) => push(b));
    push('\nendobj\n');
  };
  push('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n');
  // 1 catalog, 2 pages tree, 3 font, 4 info, then per page: page object + content stream.
  const pageNum = (i: number) => 5 + i * 2;
  const kids = Array.from({ length: pages }, (_, i) => `${pageNum(i)} 0 R`).join(' ');
  obj(1, '<< /Type /Catalog /Pages 2 0 R >>');
  obj(2, `<< /Type /Pages /Count ${pages} /Kids [${kids}] >>`);
  obj(3, '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  obj(4, `<< /Title (${(opts.title ?? 'Test document').replace(/[()\\]/g, '')}) /Producer (make-pdf) >>`);
  const overhead = 400 + pages * 260;
  const fillerPerPage = Math.max(0, Math.floor((target - overhead) / pages));
  const line = '% filler: this line pads the content stream to reach the requested file size.....\n';
  const lineBuf = Buffer.from(line, 'latin1');
  for (let i = 0; i < pages; i++) {
    const text = Buffer.from(`BT /F1 18 Tf 72 720 Td (Page ${i + 1}) Tj ET\n`, 'latin1');
    const fillerLines = Math.floor(fillerPerPage / lineBuf.length);
    const filler = fillerLines > 0 ? Buffer.alloc(fillerLines * lineBuf.length, lineBuf) : Buffer.alloc(0);
    const contentLength = text.length + filler.length;
    obj(
      pageNum(i),
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageNum(i) + 1} 0 R >>`,
    );
    obj(pageNum(i) + 1, [
      Buffer.from(`<< /Length ${contentLength} >>\nstream\n`, 'latin1'),
      text,
      filler,
      Buffer.from('\nendstream', 'latin1'),
    ]);
  }
  const size = 5 + pages * 2;
  const xrefAt = len;
  let xref = `xref\n0 ${size}\n0000000000 65535 f\r\n`;
  for (let n = 1; n < size; n++) xref += `${String(offsets[n]).padStart(10, '0')} 00000 n\r\n`;
  push(xref);
  push(
    `trailer\n<< /Size ${size} /Root 1 0 R /Info 4 0 R /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>] >>\nstartxref\n${xrefAt}\n%%EOF\n`,
  );
  return Buffer.concat(chunks, len);
}

/**
 * A hybrid-reference file (ISO 32000-1 §7.5.8.4): a classic table whose trailer has /XRefStm
 * pointing at an xref stream that lists the objects kept in an object stream (the page and its
 * font). The table marks those objects free, as pre-1.5 writers of hybrid files do.
 */
export function makeHybridPdf(): Buffer {
  const chunks: Buffer[] = [];
  const offsets: number[] = [];
  let len = 0;
  const push = (b: Buffer | string) => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    chunks.push(buf);
    len += buf.length;
  };
  push('%PDF-1.5\n%\xe2\xe3\xcf\xd3\n');
  const plain = (num: number, body: string) => {
    offsets[num] = len;
    push(`${num} 0 obj\n${body}\nendobj\n`);
  };
  plain(1, '<< /Type /Catalog /Pages 2 0 R >>');
  plain(2, '<< /Type /Pages /Count 1 /Kids [3 0 R] >>');
  const content = 'BT /F1 18 Tf 72 720 Td (Hybrid reference file) Tj ET\n';
  plain(4, `<< /Length ${content.length} >>\nstream\n${content}endstream`);
  // Object stream 6 holds objects 3 (page) and 5 (font).
  const o3 =
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>';
  const o5 = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  const header = `3 0 5 ${o3.length + 1} `;
  const objStmData = `${header}${o3}\n${o5}`;
  plain(
    6,
    `<< /Type /ObjStm /N 2 /First ${header.length} /Length ${objStmData.length} >>\nstream\n${objStmData}\nendstream`,
  );
  // Xref stream 7 (no filter, W [1 4 2]) for objects 3 and 5.
  const row = (type: number, f2: number, f3: number) => {
    const b = Buffer.alloc(7);
    b[0] = type;
    b.writeUInt32BE(f2, 1);
    b.writeUInt16BE(f3, 5);
    return b;
  };
  const rows = Buffer.concat([row(2, 6, 0), row(2, 6, 1)]);
  offsets[7] = len;
  push(`7 0 obj\n<< /Type /XRef /Size 8 /W [1 4 2] /Index [3 1 5 1] /Length ${rows.length} >>\nstream\n`);
  push(rows);
  push('\nendstream\nendobj\n');
  const xrefAt = len;
  let table = 'xref\n0 8\n0000000000 65535 f\r\n';
  for (let n = 1; n < 8; n++) {
    table +=
      n === 3 || n === 5 ? '0000000000 00000 f\r\n' : `${String(offsets[n]).padStart(10, '0')} 00000 n\r\n`;
  }
  push(table);
  push(
    `trailer\n<< /Size 8 /Root 1 0 R /XRefStm ${offsets[7]} /ID [<0123456789ABCDEF0123456789ABCDEF> <0123456789ABCDEF0123456789ABCDEF>] >>\nstartxref\n${xrefAt}\n%%EOF\n`,
  );
  return Buffer.concat(chunks, len);
}
