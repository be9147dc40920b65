import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Helpers for the PDF-layer specs (and the PAdES specs that build on them): a DER blob shaped
 * like a CMS ContentInfo (but not signed), and the independent checkers (qpdf, pdfsig).
 */

function derLength(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag, ...derLength(content.length)]), content]);
}

/**
 * ContentInfo { id-signedData, [0] SEQUENCE { INTEGER 1, OCTET STRING filler } } of about `size`
 * bytes: real DER framing (so padding stripping by DER length is exercised) without a signature.
 */
export function dummyCms(size = 3000, fill = 0x5a): Buffer {
  const oid = Buffer.from('06092a864886f70d010702', 'hex');
  const filler = Buffer.alloc(Math.max(1, size - 40), fill);
  filler[filler.length - 1] = 0; // a trailing zero inside the DER must survive padding removal
  const inner = tlv(0x30, Buffer.concat([Buffer.from([0x02, 0x01, 0x01]), tlv(0x04, filler)]));
  return tlv(0x30, Buffer.concat([oid, tlv(0xa0, inner)]));
}

let dir: string | undefined;
export function writeTemp(name: string, bytes: Uint8Array): string {
  dir ??= mkdtempSync(join(tmpdir(), 'pdf-spec-'));
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

export interface ToolResult {
  status: number | null;
  output: string;
}

/** `qpdf --check`: exit 0 means no errors and no warnings (3 = warnings, 2 = errors). */
export function qpdfCheck(bytes: Uint8Array, name = 'check.pdf'): ToolResult {
  const r = spawnSync('qpdf', ['--check', writeTemp(name, bytes)], { encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** poppler's `pdfsig` listing (exit status is non-zero for invalid signatures, so only output is returned). */
export function pdfsig(bytes: Uint8Array, name = 'sig.pdf'): string {
  const r = spawnSync('pdfsig', ['-nocert', writeTemp(name, bytes)], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`;
}
