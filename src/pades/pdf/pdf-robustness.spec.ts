import { readFileSync } from 'node:fs';
import { PdfError } from './pdf-errors';
import { PdfDocument } from './pdf-document';
import { prepareSignature } from './incremental-writer';
import { changesAfter } from './revision-diff';
import { sharedPath } from '../../../test/helpers/shared-paths';

/**
 * Damaged input must end in a coded PdfError (a 4xx for the caller), never in a TypeError, a
 * RangeError or a hang. Mutations are deterministic (seeded) so a failure is reproducible.
 */

function prng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function exercise(bytes: Buffer): 'ok' | 'refused' {
  try {
    const doc = PdfDocument.load(bytes);
    doc.pageCount();
    const sigs = doc.signatures();
    doc.dss();
    for (const s of sigs) changesAfter(doc, s.revisionEnd);
    prepareSignature(doc, { type: 'Sig', subFilter: 'ETSI.CAdES.detached', contentsSize: 64 });
    return 'ok';
  } catch (e) {
    if (e instanceof PdfError) return 'refused';
    throw new Error(`unexpected ${(e as Error).name}: ${(e as Error).message}`);
  }
}

describe.each([
  'loan-libreoffice.pdf',
  'loan-objstm-xrefstream.pdf',
  'loan-linearized.pdf',
  'loan-signed-by-other-software.pdf',
])('damaged copies of %s', (name) => {
  const original = readFileSync(sharedPath(`fixtures/pdf/${name}`));

  it('are loaded or refused with a PdfError after byte corruption near the cross-reference data', () => {
    const rand = prng(name.length * 7919);
    const outcomes = { ok: 0, refused: 0 };
    for (let i = 0; i < 150; i++) {
      const copy = Buffer.from(original);
      // Corrupt the tail (xref/trailer/startxref) or the catalog region with random bytes.
      const region =
        rand() < 0.7 ? copy.length - 1 - Math.floor(rand() * 3000) : Math.floor(rand() * copy.length);
      for (let k = 0; k < 1 + Math.floor(rand() * 4); k++) {
        copy[Math.max(0, region - Math.floor(rand() * 40))] = Math.floor(rand() * 256);
      }
      outcomes[exercise(copy)]++;
    }
    expect(outcomes.refused).toBeGreaterThan(0);
  });

  it('are refused with a PdfError when truncated anywhere', () => {
    const rand = prng(name.length * 104729);
    for (let i = 0; i < 60; i++) {
      const cut = Math.floor(rand() * original.length);
      expect(exercise(original.subarray(0, cut))).toBe('refused');
    }
  });
});
