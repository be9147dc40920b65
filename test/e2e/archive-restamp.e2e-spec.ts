import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import {
  ArchivedOriginalEntity,
  ArchiveRunEntity,
  ArchiveVersionEntity,
} from '../../src/archive/archive.entities';
import { ArchiveErrorCode } from '../../src/archive/archive.errors';
import { AuditOriginals } from '../../src/archive/audit-originals.usecase';
import { RestampOriginals } from '../../src/archive/restamp-originals.usecase';
import { StaffRole } from '../../src/identity/auth/principal';
import { PadesEngine } from '../../src/pades/pades-engine.service';
import { signatureSpec } from '../../src/pades/domain/signature-spec';
import { KeyObjectSigner } from '../../src/pades/domain/signer';
import { parseTimeStampToken } from '../../src/pades/domain/cms-reader';
import { PdfDocument } from '../../src/pades/pdf/pdf-document';
import { CertificateAuthority } from '../../src/pki/certificate-authority.service';
import { AuditLog } from '../../src/platform/audit/audit-log';
import { SettableClock } from '../../src/platform/clock/clock';
import { FileStore } from '../../src/platform/file-store/file-store';
import { RotateTsaCertificate } from '../../src/tsa/rotate-tsa-certificate.usecase';
import {
  archiveOriginal,
  createTestSigner,
  fixturePdf,
  freePort,
  signedOriginal,
  tamperStoredObject,
  verifyWithTools,
} from '../helpers/archive';
import { createStaff } from '../helpers/identity';
import { appendPageContentChange, createPadesFixture } from '../helpers/pades';
import { checkRenewalRevision } from '../../src/archive/domain/renewal-check';
import { createTestApp, destroyTestApp, TestApp } from '../helpers/test-app';

const DAY = 86_400_000;
const YEAR = 365 * DAY;

type T = TestApp & { env: Record<string, string> };

function versionsOf(t: T, originalId: string) {
  return t.app
    .get(DataSource)
    .getRepository(ArchiveVersionEntity)
    .find({ where: { originalId }, order: { version: 'ASC' } });
}

function reload(t: T, id: string) {
  return t.app.get(DataSource).getRepository(ArchivedOriginalEntity).findOneByOrFail({ id });
}

/** The TSA certificate of each document timestamp in the file, oldest first. */
function docTimestampTsas(pdf: Uint8Array): X509Certificate[] {
  return PdfDocument.load(pdf)
    .signatures()
    .filter((s) => s.subFilter === 'ETSI.RFC3161')
    .sort((a, b) => a.revisionEnd - b.revisionEnd)
    .map((s) => new X509Certificate(parseTimeStampToken(s.contents).cms.signerCertificate!));
}

function restamp(t: T, mode: 'due' | 'all' = 'due', limit?: number) {
  return t.app.get(RestampOriginals).execute({ mode, limit, trigger: 'cli', actor: 'test' });
}

describe('archive re-timestamping across 11+ years with a TSA key rollover', () => {
  let t: T;
  const t0 = new Date();
  const clock = new SettableClock(t0, true);
  beforeAll(async () => {
    t = await createTestApp({ clock });
  });
  afterAll(() => destroyTestApp(t));

  it('renews before the first TSA certificate ends, and the original still validates after it expired', async () => {
    const signer = await createTestSigner(t);
    const { original, bytes: v1 } = await archiveOriginal(t, signer);
    const tsaA = docTimestampTsas(v1)[0];
    expect(new Date(original.protectionExpiresAt).getTime()).toBe(new Date(tsaA.validTo).getTime());

    // Year 0: nothing is due; a run renews nothing.
    const first = await restamp(t);
    expect(first).toMatchObject({ total: 0, renewed: 0, failed: 0 });
    expect((await reload(t, original.id)).currentVersion).toBe(1);

    // Year 9 + 60 days: TSA certificate A ends within the 365-day window. The TSA rolls its key over.
    clock.set(new Date(t0.getTime() + 9 * YEAR + 60 * DAY));
    expect(await t.app.get(RestampOriginals).countDue()).toBe(1);
    const rotation = await t.app.get(RotateTsaCertificate).execute({ actor: 'test', reason: 'rollover' });
    expect(rotation.rotated).toBe(true);
    const second = await restamp(t);
    expect(second).toMatchObject({ total: 1, renewed: 1, failed: 0 });

    const renewed = await reload(t, original.id);
    expect(renewed.currentVersion).toBe(2);
    const versions = await versionsOf(t, original.id);
    expect(versions.map((v) => [v.version, v.reason])).toEqual([
      [1, 'original'],
      [2, 'renewal'],
    ]);
    expect(versions[1].previousSha256).toBe(versions[0].sha256);
    expect(versions[1].validationIndication).toBe('TOTAL-PASSED');
    const v2 = await t.app.get(FileStore).get(renewed.currentSha256);
    expect(Buffer.from(v2.subarray(0, v1.byteLength)).equals(Buffer.from(v1))).toBe(true);
    const tsas = docTimestampTsas(v2);
    expect(tsas).toHaveLength(2);
    expect(tsas[1].serialNumber).not.toBe(tsaA.serialNumber);
    expect(new Date(tsas[1].validTo).getTime()).toBeGreaterThan(new Date(tsaA.validTo).getTime());
    // Protection now ends at the new TSA certificate's end or the CRYPTREC horizon, whichever first.
    expect(renewed.protectionExpiresAt.getTime()).toBe(
      Math.min(new Date(tsas[1].validTo).getTime(), Date.parse('2040-12-31T14:59:59Z')),
    );
    expect(await t.app.get(RestampOriginals).countDue()).toBe(0);
    // A second run at the same time finds nothing to do: each original is renewed once.
    expect(await restamp(t)).toMatchObject({ total: 0, renewed: 0 });

    // Year 11 + 30 days: TSA certificate A has expired.
    clock.set(new Date(t0.getTime() + 11 * YEAR + 30 * DAY));
    expect(clock.now().getTime()).toBeGreaterThan(new Date(tsaA.validTo).getTime());
    const engine = t.app.get(PadesEngine);
    const report = await engine.verify(v2);
    expect(report.entries.map((e) => [e.type, e.indication])).toEqual([
      ['signature', 'TOTAL-PASSED'],
      ['document-timestamp', 'TOTAL-PASSED'],
      ['document-timestamp', 'TOTAL-PASSED'],
    ]);
    expect(report.indication).toBe('TOTAL-PASSED');
    // Without the renewal the original would no longer validate: its only TSA certificate expired.
    expect((await engine.verify(v1)).indication).not.toBe('TOTAL-PASSED');

    // The integrity audit agrees: every version hashes right, chains and the current one validates.
    const audit = await t.app.get(AuditOriginals).execute({ id: original.id, actor: 'test' });
    expect(audit).toEqual({ originals: 1, versions: 2, problems: [] });
    const entries = await t.app.get(AuditLog).list({ subject: `archive-original:${original.id}` });
    expect(entries.map((e) => e.action)).toEqual(
      expect.arrayContaining(['archive.original.stored', 'archive.original.renewed']),
    );
  });
});

describe('archive renewal checked by independent tools (pdfsig, openssl) at the real time', () => {
  let t: T;
  // Begin 400 days ago with 700-day TSA certificates, so that at the real "now" the first TSA
  // certificate is due (ends in 300 days) and every certificate in the file is valid for the tools.
  const clock = new SettableClock(new Date(Date.now() - 400 * DAY), true);
  beforeAll(async () => {
    const port = await freePort();
    t = await createTestApp({
      clock,
      env: { TSA_CERT_VALIDITY_DAYS: '700', PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` },
    });
    await t.app.listen(port, '127.0.0.1');
  });
  afterAll(() => destroyTestApp(t));

  it('adds a document timestamp from the rolled-over TSA; qpdf, pdfsig and openssl accept the result', async () => {
    const signer = await createTestSigner(t);
    const { original, bytes: v1 } = await archiveOriginal(t, signer);
    clock.set(new Date());
    await t.app.get(RotateTsaCertificate).execute({ actor: 'test', reason: 'rollover' });
    expect(await restamp(t)).toMatchObject({ renewed: 1, failed: 0 });
    const o = await reload(t, original.id);
    const v2 = await t.app.get(FileStore).get(o.currentSha256);
    const before = path.join(t.dir, 'v1.pdf');
    const after = path.join(t.dir, 'v2.pdf');
    const root = path.join(t.dir, 'root.pem');
    writeFileSync(before, v1);
    writeFileSync(after, v2);
    writeFileSync(root, await t.app.get(CertificateAuthority).trustAnchorsPem());
    const verdict = await verifyWithTools(after, [
      '--trust',
      root,
      '--prefix',
      before,
      '--expect-signatures',
      '1',
      '--expect-doc-timestamps',
      '2',
      '--expect-dss',
    ]);
    expect(verdict.checks.filter((c) => !c.accepted)).toEqual([]);
    expect(verdict.checks.map((c) => c.check)).toEqual(
      expect.arrayContaining(['pdfsig', 'openssl-ts', 'prefix']),
    );
    expect(verdict.exitCode).toBe(0);
    expect((await t.app.get(PadesEngine).verify(v2)).indication).toBe('TOTAL-PASSED');
  });
});

describe('archive re-timestamping refusals', () => {
  let t: T;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => destroyTestApp(t));

  it('never commits a renewal that does not validate (untrusted signer): the run records the failure', async () => {
    const fx = await createPadesFixture(new Date());
    const foreign = new KeyObjectSigner(fx.signer.key, fx.signer.cert, [fx.pki.root.cert]);
    const pdf = (await t.app.get(PadesEngine).sign(fixturePdf(), signatureSpec({ level: 'B-T' }), foreign))
      .bytes;
    const signer = await createTestSigner(t);
    const { original } = await archiveOriginal(t, signer, {}, pdf);
    const r = await t.app.get(RestampOriginals).execute({ mode: 'all', trigger: 'cli', actor: 'test' });
    const mine = r.failures.filter((f) => f.originalId === original.id);
    expect(mine).toHaveLength(1);
    expect(mine[0].code).toBe(ArchiveErrorCode.RENEWAL_VALIDATION_FAILED);
    const o = await reload(t, original.id);
    expect(o.currentVersion).toBe(1);
    expect(o.failureCount).toBe(1);
    expect(o.lastFailure).toContain(ArchiveErrorCode.RENEWAL_VALIDATION_FAILED);
    expect(await versionsOf(t, original.id)).toHaveLength(1);
    const run = await t.app.get(DataSource).getRepository(ArchiveRunEntity).findOneByOrFail({ id: r.runId });
    expect(run).toMatchObject({ status: 'finished', failedCount: r.failed });
    expect(run.failures.map((f) => f.originalId)).toContain(original.id);
  });

  it('refuses to extend an original whose stored bytes were changed', async () => {
    const signer = await createTestSigner(t);
    const { original } = await archiveOriginal(t, signer);
    tamperStoredObject(t, original.currentSha256);
    const r = await restamp(t, 'all');
    const mine = r.failures.filter((f) => f.originalId === original.id);
    expect(mine.map((f) => f.code)).toEqual([ArchiveErrorCode.INTEGRITY_FAILURE]);
    expect((await reload(t, original.id)).currentVersion).toBe(1);
  });
});

describe('renewal validation: incremental on top of the recorded verdict, full when needed', () => {
  let t: T;
  beforeAll(async () => {
    // One renewal at a time, so that the first one's full validation precedes the others.
    t = await createTestApp({ env: { ARCHIVE_RESTAMP_CONCURRENCY: '1' } });
  });
  afterAll(() => destroyTestApp(t));

  it('validates the first renewal of a run fully, the next ones incrementally', async () => {
    const signer = await createTestSigner(t);
    const signed = await signedOriginal(t, signer);
    const originals = [];
    for (let i = 0; i < 3; i++) originals.push((await archiveOriginal(t, signer, {}, signed)).original);
    const r = await t.app
      .get(RestampOriginals)
      .execute({ mode: 'all', trigger: 'cli', actor: 'test', limit: 10 });
    expect(r).toMatchObject({ renewed: 3, failed: 0 });
    const modes = [];
    for (const o of originals) {
      const v2 = (await versionsOf(t, o.id))[1];
      expect(v2.validationIndication).toBe('TOTAL-PASSED');
      modes.push((v2.validationSummary as { mode: string }).mode);
    }
    expect(modes.sort()).toEqual(['full', 'incremental', 'incremental']);
  });

  it('the incremental check refuses anything but DSS + one whole-file document timestamp from a trusted TSA', async () => {
    const engine = t.app.get(PadesEngine);
    const root = await t.app.get(CertificateAuthority).rootCertificate();
    const at = new Date();
    const v1 = await signedOriginal(t, await createTestSigner(t));
    const v2 = (await engine.timestamp(v1)).bytes;
    expect(await checkRenewalRevision(v1, v2, { trustAnchors: [root], at })).toMatchObject({ ok: true });
    // A page content change slipped in before the timestamp.
    const forged = (await engine.timestamp(appendPageContentChange(v1))).bytes;
    const f = await checkRenewalRevision(v1, forged, { trustAnchors: [root], at });
    expect(f.ok).toBe(false);
    expect(f.problems.join(' ')).toContain('page-content');
    // A TSA that does not chain to the trust anchors.
    const other = await createPadesFixture(new Date());
    const u = await checkRenewalRevision(v1, v2, { trustAnchors: [other.pki.root.cert], at });
    expect(u.ok).toBe(false);
    // Not an extension of the previous version.
    const x = await checkRenewalRevision(v2, v1, { trustAnchors: [root], at });
    expect(x).toMatchObject({ ok: false });
    // Trailing bytes after the timestamp: it no longer covers the whole file.
    const tail = Buffer.concat([Buffer.from(v2), Buffer.from('\n% trailing\n')]);
    expect((await checkRenewalRevision(v1, tail, { trustAnchors: [root], at })).ok).toBe(false);
  });
});

describe('archive re-timestamping with the TSA down', () => {
  let t: T;
  beforeAll(async () => {
    // Port 9 (discard) is closed on loopback: every request is refused at once.
    t = await createTestApp({
      env: { ARCHIVE_TSA_URL: 'http://127.0.0.1:9/tsa', TSA_RETRIES: '0', TSA_TIMEOUT_MS: '2000' },
    });
  });
  afterAll(() => destroyTestApp(t));

  it('reports failures, marks nothing renewed, and retries in the next run', async () => {
    const signer = await createTestSigner(t);
    const a = await archiveOriginal(t, signer);
    const b = await archiveOriginal(t, signer);
    const r1 = await restamp(t, 'all');
    expect(r1).toMatchObject({ total: 2, renewed: 0, failed: 2 });
    expect(new Set(r1.failures.map((f) => f.code))).toEqual(new Set([ArchiveErrorCode.TSA_UNAVAILABLE]));
    for (const { original } of [a, b]) {
      const o = await reload(t, original.id);
      expect(o).toMatchObject({ currentVersion: 1, failureCount: 1, claimedUntil: null });
      expect(await versionsOf(t, original.id)).toHaveLength(1);
    }
    const r2 = await restamp(t, 'all');
    expect(r2).toMatchObject({ total: 2, renewed: 0, failed: 2 });
    expect((await reload(t, a.original.id)).failureCount).toBe(2);
    const failures = await t.app.get(AuditLog).list({ action: 'archive.original.renewal_failed' });
    expect(failures.length).toBe(4);
  });
});

describe('POST /api/archive/restamp and the runs list', () => {
  let t: T;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => destroyTestApp(t));

  it('lets an administrator start a run, auditors read runs, and refuses everyone else', async () => {
    const server = t.app.getHttpServer() as App;
    const admin = await createStaff(t, [StaffRole.ADMIN]);
    const auditor = await createStaff(t, [StaffRole.AUDITOR]);
    const signer = await createTestSigner(t);
    const { original } = await archiveOriginal(t, signer);

    await request(server).post('/api/archive/restamp').send({ mode: 'all' }).expect(401);
    const forbidden = await request(server)
      .post('/api/archive/restamp')
      .set('Authorization', `Bearer ${auditor.token}`)
      .send({ mode: 'all' })
      .expect(403);
    expect(forbidden.body.error.code).toBeDefined();
    const bad = await request(server)
      .post('/api/archive/restamp')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ mode: 'everything', limit: -1 })
      .expect(400);
    const badBody = bad.body as { error: { details: { fields: { field: string }[] } } };
    expect(badBody.error.details.fields.map((f) => f.field)).toEqual(['mode', 'limit']);

    const done = await request(server)
      .post('/api/archive/restamp')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ mode: 'all', wait: true })
      .expect(202);
    expect(done.body).toMatchObject({ total: 1, renewed: 1, failed: 0 });
    expect((await reload(t, original.id)).currentVersion).toBe(2);

    const runs = await request(server)
      .get('/api/archive/runs')
      .set('Authorization', `Bearer ${auditor.token}`)
      .expect(200);
    expect(runs.body.runs[0]).toMatchObject({
      id: done.body.runId,
      trigger: 'api',
      status: 'finished',
      renewed: 1,
      failed: 0,
    });
    const page = await request(server)
      .get('/archive/runs')
      .set('Authorization', `Bearer ${admin.token}`)
      .expect(200);
    expect(page.text).toContain('<html lang="ja">');
    expect(page.text).toContain('/assets/js/archive/runs.js');
  });
});
