import { X509Certificate } from 'node:crypto';
import { createPadesFixture } from '../../../test/helpers/pades';
import { PadesErrorCode } from '../pades.errors';
import { PdfDocument } from '../pdf/pdf-document';
import { makePdf } from '../pdf/testing/make-pdf';
import { padesLevel, type PadesServices } from './pades-signing';
import { PadesValidator } from './pades-validator';
import { signatureSpec, type PadesLevel } from './signature-spec';
import { KeyObjectSigner } from './signer';
import type { RevocationData, ValidationDataSource } from './validation-data';

/** A validation-data source that records every request (subject CN, and how many tokens existed then). */
class RecordingSource implements ValidationDataSource {
  readonly requests: { subject: string; tokensSoFar: number }[] = [];
  constructor(
    private readonly inner: ValidationDataSource,
    private readonly tokens: () => number,
    private readonly fail?: (subject: string) => Error | 'empty' | undefined,
  ) {}

  async revocationInfo(cert: Uint8Array, issuer: Uint8Array): Promise<RevocationData> {
    const subject = /CN=([^\n]+)/.exec(new X509Certificate(cert).subject)?.[1] ?? '?';
    this.requests.push({ subject, tokensSoFar: this.tokens() });
    const failure = this.fail?.(subject);
    if (failure === 'empty') return {};
    if (failure) throw failure;
    return this.inner.revocationInfo(cert, issuer);
  }
}

describe('B-LT and B-LTA: revocation data of the new signature', () => {
  let fx: Awaited<ReturnType<typeof createPadesFixture>>;
  beforeAll(async () => {
    fx = await createPadesFixture();
  });

  const signer = () => new KeyObjectSigner(fx.signer.key, fx.signer.cert, [fx.pki.root.cert]);
  const servicesWith = (source: ValidationDataSource): PadesServices => ({
    timeStamper: fx.tsa,
    validationData: source,
    now: fx.clock,
    certificates: [fx.pki.root.cert],
  });

  it.each(['B-LT', 'B-LTA'] as PadesLevel[])(
    '%s asks once per certificate, after the signature timestamp, and embeds every answer',
    async (level) => {
      const tokensBefore = fx.tsa.calls;
      const source = new RecordingSource(fx.validationData, () => fx.tsa.calls - tokensBefore);
      const result = await padesLevel(level, servicesWith(source)).sign(
        makePdf({ pages: 2 }),
        signatureSpec({ level }),
        signer(),
      );
      // The signer and the TSA certificate, each issued by the root (whose own status is not asked).
      expect(source.requests.map((r) => r.subject).sort()).toEqual(['Signer EC', 'Test TSA 1']);
      // Asked once the signature's timestamp exists, so the answers are not older than it.
      expect(source.requests.every((r) => r.tokensSoFar === 1)).toBe(true);
      const doc = PdfDocument.load(result.bytes);
      expect(doc.dss()?.ocsps).toHaveLength(2);
      const report = await PadesValidator.validate(result.bytes, {
        trustAnchors: [fx.pki.root.cert],
        at: fx.clock(),
      });
      expect(report.indication).toBe('TOTAL-PASSED');
    },
  );

  it('refuses the signing, as before, when the source fails for a certificate of the new signature', async () => {
    const boom = new Error('revocation source down');
    const source = new RecordingSource(
      fx.validationData,
      () => 0,
      (s) => (s === 'Test TSA 1' ? boom : undefined),
    );
    await expect(
      padesLevel('B-LT', servicesWith(source)).sign(makePdf(), signatureSpec({ level: 'B-LT' }), signer()),
    ).rejects.toBe(boom);
    // The failed answer was reported, not asked for a second time.
    expect(source.requests.filter((r) => r.subject === 'Test TSA 1')).toHaveLength(1);
  });

  it('refuses with VALIDATION_DATA_UNAVAILABLE when no data can be had for the new signature', async () => {
    const source = new RecordingSource(
      fx.validationData,
      () => 0,
      (s) => (s === 'Signer EC' ? 'empty' : undefined),
    );
    await expect(
      padesLevel('B-LT', servicesWith(source)).sign(makePdf(), signatureSpec({ level: 'B-LT' }), signer()),
    ).rejects.toMatchObject({ code: PadesErrorCode.VALIDATION_DATA_UNAVAILABLE });
    expect(source.requests.filter((r) => r.subject === 'Signer EC')).toHaveLength(1);
  });

  it('still asks for the chains of earlier signatures in the file, once each', async () => {
    const first = await padesLevel('B-T', servicesWith(fx.validationData)).sign(
      makePdf(),
      signatureSpec({ level: 'B-T' }),
      signer(),
    );
    const rsa = new KeyObjectSigner(fx.rsaSigner.key, fx.rsaSigner.cert, [fx.pki.root.cert]);
    const source = new RecordingSource(fx.validationData, () => 0);
    const result = await padesLevel('B-LT', servicesWith(source)).sign(
      first.bytes,
      signatureSpec({ level: 'B-LT' }),
      rsa,
    );
    expect(source.requests.map((r) => r.subject).sort()).toEqual(['Signer EC', 'Signer RSA', 'Test TSA 1']);
    expect(PdfDocument.load(result.bytes).dss()?.ocsps).toHaveLength(3);
  });
});
