import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { KeyObjectSigner } from '../../src/pades/domain/signer';
import { padesLevel, PadesServices } from '../../src/pades/domain/pades-signing';
import { PadesLevel, signatureSpec } from '../../src/pades/domain/signature-spec';
import { PdfDocument } from '../../src/pades/pdf/pdf-document';
import { createPadesFixture, FIXTURES, verifyIndependently } from '../helpers/pades';

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
