import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KeyObjectSigner } from '../../src/pades/domain/signer';
import { padesLevel, PadesServices } from '../../src/pades/domain/pades-signing';
import { PadesLevel, signatureSpec } from '../../src/pades/domain/signature-spec';
import { PdfDocument } from '../../src/pades/pdf/pdf-document';
import { createPadesFixture, FIXTURES, TestTimeStamper, verifyIndependently } from '../helpers/pades';

describe('PAdES signing at each baseline level (independent tools agree)', () => {
  let fx: Awaited<ReturnType<typeof createPadesFixture>>;
  let dir: string;
  let rootPem: string;
  let services: PadesServices;
  beforeAll(async () => {
    fx = await createPadesFixture();
    dir = mkdtempSync(path.join(tmpdir(), 'pades-sign-'));
    rootPem = path.join(dir, 'root.pem');
    writeFileSync(rootPem, fx.pki.root.pem);
    services = { timeStamper: fx.tsa, validationData: fx.validationData, now: fx.clock };
  });
  afterAll(() => (process.env.KEEP_PADES_TMP ? undefined : rmSync(dir, { recursive: true, force: true })));

  const files = ['loan-libreoffice.pdf', 'loan-objstm-xrefstream.pdf', 'loan-linearized.pdf'];
  const levels: PadesLevel[] = ['B-B', 'B-T', 'B-LT', 'B-LTA'];
  const cases = files.flatMap((f) => levels.map((l) => [f, l] as const));

  it.each(cases)('%s at %s', async (file, level) => {
    const input = path.join(FIXTURES, file);
    const before = readFileSync(input);
    const signer = new KeyObjectSigner(fx.signer.key, fx.signer.cert, [fx.pki.root.cert]);
    const result = await padesLevel(level, services).sign(
      before,
      signatureSpec({ level, reason: '契約締結' }),
      signer,
    );
    const out = path.join(dir, `${file}-${level}.pdf`);
    writeFileSync(out, result.bytes);
    expect(result.warnings).toEqual([]);
    const verdict = verifyIndependently(out, {
      trust: [rootPem],
      prefix: input,
      expectSignatures: 1,
      expectDocTimestamps: level === 'B-LTA' ? 1 : 0,
      expectDss: level === 'B-LT' || level === 'B-LTA',
    });
    expect(verdict.checks.filter((c) => !c.accepted)).toEqual([]);
    expect(verdict.exitCode).toBe(0);
    const doc = PdfDocument.load(result.bytes);
    const sigs = doc.signatures();
    expect(sigs[0]).toMatchObject({ type: 'Sig', subFilter: 'ETSI.CAdES.detached', reason: '契約締結' });
    if (level === 'B-LT' || level === 'B-LTA') {
      const dss = doc.dss();
      expect(dss?.certs.length).toBeGreaterThanOrEqual(3);
      expect(dss?.ocsps.length).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('PAdES signing: sizing and limits', () => {
  it('re-signs with a larger placeholder when the real CMS outgrows the estimate, never writing it broken', async () => {
    const fx = await createPadesFixture();
    // A TSA whose tokens carry twenty extra certificates: far beyond the default token estimate.
    const extra = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fx.pki.issue({
          cn: `Padding ${i}`,
          notBefore: new Date('2026-01-01'),
          notAfter: new Date('2030-01-01'),
        }),
      ),
    );
    const bigTsa = new TestTimeStamper(fx.tsa.tsa, [fx.pki.root.cert, ...extra.map((e) => e.cert)], fx.clock);
    const signer = new KeyObjectSigner(fx.signer.key, fx.signer.cert, [fx.pki.root.cert]);
    const input = readFileSync(path.join(FIXTURES, 'loan-libreoffice.pdf'));
    const result = await padesLevel('B-T', { timeStamper: bigTsa, now: fx.clock }).sign(
      input,
      signatureSpec({ level: 'B-T' }),
      signer,
    );
    expect(bigTsa.calls).toBe(2); // first attempt did not fit; the second did
    const sig = PdfDocument.load(result.bytes).signatures()[0];
    expect(sig.contents.length).toBeGreaterThan(9000);
    const dir = mkdtempSync(path.join(tmpdir(), 'pades-size-'));
    try {
      const out = path.join(dir, 'big.pdf');
      const root = path.join(dir, 'root.pem');
      writeFileSync(out, result.bytes);
      writeFileSync(root, fx.pki.root.pem);
      const verdict = verifyIndependently(out, {
        trust: [root],
        prefix: path.join(FIXTURES, 'loan-libreoffice.pdf'),
      });
      expect(verdict.checks.filter((c) => !c.accepted)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file over the size limit with PDF_TOO_LARGE', async () => {
    const fx = await createPadesFixture();
    const signer = new KeyObjectSigner(fx.signer.key, fx.signer.cert);
    await expect(
      padesLevel('B-B', { now: fx.clock, maxPdfBytes: 10_000 }).sign(
        readFileSync(path.join(FIXTURES, 'loan-libreoffice.pdf')),
        signatureSpec({ level: 'B-B' }),
        signer,
      ),
    ).rejects.toMatchObject({ code: 'PDF_TOO_LARGE' });
  });

  it('refuses a signing certificate that is not valid at the signing time', async () => {
    const fx = await createPadesFixture();
    fx.setNow(new Date('2031-01-01T00:00:00Z'));
    const signer = new KeyObjectSigner(fx.signer.key, fx.signer.cert);
    await expect(
      padesLevel('B-B', { now: fx.clock }).sign(
        readFileSync(path.join(FIXTURES, 'loan-libreoffice.pdf')),
        signatureSpec({ level: 'B-B' }),
        signer,
      ),
    ).rejects.toMatchObject({ code: 'SIGNING_CERTIFICATE_INVALID' });
  });

  it('refuses B-T without a time-stamping authority', async () => {
    const fx = await createPadesFixture();
    const signer = new KeyObjectSigner(fx.signer.key, fx.signer.cert);
    await expect(
      padesLevel('B-T', { now: fx.clock }).sign(
        readFileSync(path.join(FIXTURES, 'loan-libreoffice.pdf')),
        signatureSpec({ level: 'B-T' }),
        signer,
      ),
    ).rejects.toMatchObject({ code: 'TIMESTAMP_UNAVAILABLE' });
  });

  it('refuses an invalid spec (unknown level, bad field name, empty stamp rectangle)', () => {
    expect(() => signatureSpec({ level: 'B-X' as never })).toThrow(/unknown PAdES level/);
    expect(() => signatureSpec({ level: 'B-B', fieldName: 'a.b' })).toThrow(/field name/);
    expect(() =>
      signatureSpec({ level: 'B-B', visible: { page: 1, rect: [10, 10, 10, 50], lines: [] } }),
    ).toThrow(/rectangle/);
  });
});
