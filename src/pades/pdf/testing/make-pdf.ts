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
