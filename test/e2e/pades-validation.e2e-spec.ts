import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PadesValidator } from '../../src/pades/domain/pades-validator';
import {
  addDocumentTimestamp,
  padesLevel,
  PadesServices,
  renewArchiveTimestamp,
} from '../../src/pades/domain/pades-signing';
import { PadesLevel, signatureSpec } from '../../src/pades/domain/signature-spec';
import { KeyObjectSigner } from '../../src/pades/domain/signer';
import type { ValidationReport } from '../../src/pades/domain/validation-report';
import {
  addDays,
  addYears,
  appendPageContentChange,
  createPadesFixture,
  FIXTURES,
  TestTimeStamper,
} from '../helpers/pades';

const LOAN = readFileSync(path.join(FIXTURES, 'loan-libreoffice.pdf'));

describe('PAdES validation', () => {
  let fx: Awaited<ReturnType<typeof createPadesFixture>>;
  let services: PadesServices;
  const start = new Date('2026-04-01T01:00:00Z');

  beforeEach(async () => {
    fx = await createPadesFixture(start);
    services = { timeStamper: fx.tsa, validationData: fx.validationData, now: fx.clock };
  });

  const signer = () => new KeyObjectSigner(fx.signer.key, fx.signer.cert, [fx.pki.root.cert]);
  const sign = (
    pdf: Uint8Array,
    level: PadesLevel,
    extra: Partial<Parameters<typeof signatureSpec>[0]> = {},
  ) => padesLevel(level, services).sign(pdf, signatureSpec({ level, ...extra }), signer());
  const validate = (pdf: Uint8Array, at: Date, live = false): Promise<ValidationReport> =>
    PadesValidator.validate(pdf, {
      trustAnchors: [fx.pki.root.cert],
      at,
      validationData: live ? fx.pki.validationDataSource(() => at) : undefined,
    });

  it('passes a B-LTA signature from the embedded data alone and reports the level and proven time', async () => {
    const { bytes } = await sign(LOAN, 'B-LTA');
    const report = await validate(bytes, addDays(start, 1));
    expect(report.entries.map((e) => [e.type, e.indication, e.level])).toEqual([
      ['signature', 'TOTAL-PASSED', 'B-LTA'],
      ['document-timestamp', 'TOTAL-PASSED', 'B-LTA'],
    ]);
    expect(report.indication).toBe('TOTAL-PASSED');
    expect(report.offline).toBe(true);
    expect(report.entries[0].provenTime).toBe(start.toISOString());
    expect(report.entries[0].changesAfter.map((c) => c.kind).sort()).toEqual(
      expect.arrayContaining(['dss', 'doc-timestamp']),
    );
  });

  it('a B-T signature needs revocation data: INDETERMINATE offline, TOTAL-PASSED with a live source', async () => {
    const { bytes } = await sign(LOAN, 'B-T');
    const offline = await validate(bytes, addDays(start, 1));
    expect(offline.entries[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'TRY_LATER' });
    const live = await validate(bytes, addDays(start, 1), true);
    expect(live.entries[0]).toMatchObject({ indication: 'TOTAL-PASSED', level: 'B-T' });
  });

  it('flipping one byte inside a signed range → TOTAL-FAILED / HASH_FAILURE', async () => {
    const { bytes } = await sign(LOAN, 'B-LT');
    const tampered = Buffer.from(bytes);
    const pos = 2000; // inside the first range, in the original document's objects
    tampered[pos] = tampered[pos] ^ 0x01;
    const report = await validate(tampered, addDays(start, 1));
    expect(report.entries[0]).toMatchObject({ indication: 'TOTAL-FAILED', subIndication: 'HASH_FAILURE' });
    expect(report.indication).toBe('TOTAL-FAILED');
  });

  it('an incremental update changing page content after the signature fails, naming the change', async () => {
    const { bytes } = await sign(LOAN, 'B-LT');
    const forged = appendPageContentChange(bytes);
    const report = await validate(forged, addDays(start, 1));
    const e = report.entries[0];
    expect(e).toMatchObject({ indication: 'TOTAL-FAILED', subIndication: 'SIG_CONSTRAINTS_FAILURE' });
    expect(e.message).toMatch(/page/);
    expect(e.changesAfter.some((c) => c.kind === 'page-content' || c.kind === 'other')).toBe(true);
    // The signature itself is intact: only the change is the problem.
    expect(e.checks.find((c) => c.name === 'message-digest')?.result).toBe('passed');
  });

  it('a signer revoked before the signing time → INDETERMINATE / REVOKED_NO_POE', async () => {
    fx.pki.revoke(fx.signer.cert, addDays(start, -0.5));
    const { bytes } = await sign(LOAN, 'B-T');
    const report = await validate(bytes, addDays(start, 1), true);
    expect(report.entries[0]).toMatchObject({ indication: 'INDETERMINATE', subIndication: 'REVOKED_NO_POE' });
    expect(report.entries[0].message).toMatch(/revoked/);
  });

  it('a signer revoked after a proven signing time stays valid (EC-13)', async () => {
    const { bytes } = await sign(LOAN, 'B-LTA');
    fx.pki.revoke(fx.signer.cert, addDays(start, 10));
    const report = await validate(bytes, addDays(start, 30), true);
    expect(report.entries[0]).toMatchObject({ indication: 'TOTAL-PASSED' });
  });

  it('11 years later: a broken LTA chain is not passed; a renewed chain still proves the signature', async () => {
    const { bytes } = await sign(LOAN, 'B-LTA');
    const later = addYears(start, 11);
    const broken = await validate(bytes, later);
    expect(broken.indication).not.toBe('TOTAL-PASSED');
    expect(broken.entries[1]).toMatchObject({
      indication: 'INDETERMINATE',
      subIndication: 'OUT_OF_BOUNDS_NO_POE',
    });
    expect(broken.entries[0].indication).not.toBe('TOTAL-PASSED');

    // Renewal in year 4 with a new TSA certificate (valid 10 years), then validation in year 11.
    const year4 = addYears(start, 4);
    fx.setNow(year4);
    const tsa2 = await fx.pki.issue({
      cn: 'Test TSA 2',
      kind: 'tsa',
      notBefore: addDays(year4, -1),
      notAfter: addYears(year4, 10),
    });
    const renewed = await renewArchiveTimestamp(bytes, {
      ...services,
      timeStamper: new TestTimeStamper(tsa2, [fx.pki.root.cert], fx.clock),
    });
    const report = await validate(renewed.bytes, later);
    expect(report.entries.map((e) => [e.type, e.indication])).toEqual([
      ['signature', 'TOTAL-PASSED'],
      ['document-timestamp', 'TOTAL-PASSED'],
      ['document-timestamp', 'TOTAL-PASSED'],
    ]);
    expect(report.entries[0].provenTime).toBe(start.toISOString());
    expect(report.entries[1].timestamp?.provenBy).toBe(year4.toISOString());
  });

  it('certification (P=2) + two approval signatures + DSS + two document timestamps all pass', async () => {
    let pdf: Uint8Array = (await sign(LOAN, 'B-T', { certify: { permission: 2 }, fieldName: 'Bank' })).bytes;
    fx.setNow(addDays(start, 1));
    pdf = (await sign(pdf, 'B-T', { fieldName: 'Borrower' })).bytes;
    fx.setNow(addDays(start, 2));
    pdf = (await sign(pdf, 'B-LTA', { fieldName: 'Guarantor' })).bytes;
    fx.setNow(addDays(start, 3));
    pdf = (await renewArchiveTimestamp(pdf, services)).bytes;
    const report = await validate(pdf, addDays(start, 4));
    expect(report.entries.map((e) => [e.fieldName, e.indication, e.level])).toEqual([
      ['Bank', 'TOTAL-PASSED', 'B-LTA'],
      ['Borrower', 'TOTAL-PASSED', 'B-LTA'],
      ['Guarantor', 'TOTAL-PASSED', 'B-LTA'],
      [expect.stringMatching(/DocTimeStamp/), 'TOTAL-PASSED', 'B-LTA'],
      [expect.stringMatching(/DocTimeStamp/), 'TOTAL-PASSED', 'B-LTA'],
    ]);
    expect(report.entries[0].certification).toEqual({ permission: 2 });
  });

  it('DocMDP P=1: a document timestamp after it is allowed, any other change fails naming P=1', async () => {
    const certified = (await sign(LOAN, 'B-T', { certify: { permission: 1 } })).bytes;
    const stamped = (await addDocumentTimestamp(certified, services)).bytes;
    const ok = await validate(stamped, addDays(start, 1), true);
    expect(ok.entries.map((e) => e.indication)).toEqual(['TOTAL-PASSED', 'TOTAL-PASSED']);
    expect(ok.entries[0].certification).toEqual({ permission: 1 });
    const forged = await validate(appendPageContentChange(stamped), addDays(start, 1), true);
    expect(forged.entries[0]).toMatchObject({
      indication: 'TOTAL-FAILED',
      subIndication: 'SIG_CONSTRAINTS_FAILURE',
    });
    expect(forged.entries[0].message).toMatch(/DocMDP P=1/);
    expect(forged.entries[1]).toMatchObject({
      indication: 'TOTAL-FAILED',
      subIndication: 'SIG_CONSTRAINTS_FAILURE',
    });
  });

  it('a document timestamp alone (no signature) is validated too', async () => {
    const ts = await addDocumentTimestamp(LOAN, services);
    const report = await validate(ts.bytes, addDays(start, 1));
    expect(report.entries).toHaveLength(1);
    expect(report.entries[0]).toMatchObject({ type: 'document-timestamp', indication: 'TOTAL-PASSED' });
  });

  it('an untrusted root → INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND', async () => {
    const { bytes } = await sign(LOAN, 'B-B');
    const other = await createPadesFixture(start);
    const report = await PadesValidator.validate(bytes, {
      trustAnchors: [other.pki.root.cert],
      at: addDays(start, 1),
    });
    expect(report.entries[0]).toMatchObject({
      indication: 'INDETERMINATE',
      subIndication: 'NO_CERTIFICATE_CHAIN_FOUND',
    });
  });
});

describe('PAdES signing refuses a revoked signing certificate when it collects validation data', () => {
  it('B-LT with a signer the CA reports revoked → SIGNING_CERTIFICATE_INVALID, nothing produced', async () => {
    const start = new Date('2026-04-01T01:00:00Z');
    const fx = await createPadesFixture(start);
    fx.pki.revoke(fx.signer.cert, addDays(start, -0.5));
    const signer = new KeyObjectSigner(fx.signer.key, fx.signer.cert, [fx.pki.root.cert]);
    await expect(
      padesLevel('B-LT', { timeStamper: fx.tsa, validationData: fx.validationData, now: fx.clock }).sign(
        LOAN,
        signatureSpec({ level: 'B-LT' }),
        signer,
      ),
    ).rejects.toMatchObject({
      code: 'SIGNING_CERTIFICATE_INVALID',
      message: expect.stringMatching(/revoked/),
    });
  });
});
