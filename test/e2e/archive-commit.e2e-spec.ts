import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ArchivedOriginalEntity, ArchiveVersionEntity } from '../../src/archive/archive.entities';
import { RestampOriginals } from '../../src/archive/restamp-originals.usecase';
import { AuditLog } from '../../src/platform/audit/audit-log';
import { archiveOriginal, createTestSigner, signedOriginal } from '../helpers/archive';
import { createTestApp, TestApp } from '../helpers/test-app';

/** The commit step of a renewal batch, reached past its private modifier for this test only. */
interface CommitStep {
  commitBatch(batch: unknown[]): Promise<boolean[]>;
}

/**
 * The commit of a batch of renewals (EC-09): each original moves to its new version only if it is
 * still at the version its renewal started from, and its version row and audit record are written
 * only with the move — on PostgreSQL all of it is one statement, on SQLite one transaction. A stale
 * renewal in the batch (another worker moved that original first) must not stop the others.
 */
describe('archive renewal commit', () => {
  let t: TestApp & { env: Record<string, string> };
  let ds: DataSource;
  const originals: ArchivedOriginalEntity[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
    const signer = await createTestSigner(t);
    const signed = await signedOriginal(t, signer);
    for (let i = 0; i < 3; i++) originals.push((await archiveOriginal(t, signer, {}, signed)).original);
  });
  afterAll(() => t?.close());

  const reloadOriginal = (id: string) => ds.getRepository(ArchivedOriginalEntity).findOneByOrFail({ id });

  const renewal = (o: ArchivedOriginalEntity, fromVersion: number, n: number) => ({
    o: { ...o, currentVersion: fromVersion },
    runId: '00000000-0000-4000-8000-00000000000' + n,
    actor: 'test',
    stored: { sha256: createHash('sha256').update(`renewed-${n}`).digest('hex'), size: 1000 + n },
    summary: {
      signatureCount: 1,
      documentTimestampCount: 2,
      signers: ['試験 太郎'],
      newestTimestampAt: '2026-01-01T00:00:00.000Z',
      newestTimestampTsa: 'test TSA',
      tsaCertificateNotAfter: '2036-01-01T00:00:00.000Z',
      algorithmHorizon: null,
      protectionExpiresAt: '2036-01-01T00:00:00.000Z',
      limitedBy: 'tsa-certificate',
    },
    validation: { indication: 'TOTAL-PASSED', summary: { mode: 'test', n } },
  });

  it('moves the originals still at their starting version and writes nothing for a stale one', async () => {
    const [a, stale, c] = originals;
    const step = t.app.get<RestampOriginals, CommitStep>(RestampOriginals);
    // `stale` is at version 1; a renewal that started from version 0 lost the race.
    const out = await step.commitBatch([renewal(a, 1, 1), renewal(stale, 0, 2), renewal(c, 1, 3)]);
    expect(out).toEqual([true, false, true]);

    const versions = ds.getRepository(ArchiveVersionEntity);
    const rows = ds.getRepository(ArchivedOriginalEntity);
    for (const [o, n] of [
      [a, 1],
      [c, 3],
    ] as const) {
      const now = await rows.findOneByOrFail({ id: o.id });
      expect(now).toMatchObject({
        currentVersion: 2,
        currentSha256: renewal(o, 1, n).stored.sha256,
        claimedUntil: null,
        failureCount: 0,
      });
      expect(now.protectionExpiresAt.toISOString()).toBe('2036-01-01T00:00:00.000Z');
      const v2 = await versions.findOneByOrFail({ originalId: o.id, version: 2 });
      expect(v2).toMatchObject({
        sha256: renewal(o, 1, n).stored.sha256,
        previousSha256: o.currentSha256,
        sizeBytes: 1000 + n,
        reason: 'renewal',
        validationIndication: 'TOTAL-PASSED',
        validationSummary: { mode: 'test', n },
      });
    }
    // The stale one: untouched, no version row.
    expect(await rows.findOneByOrFail({ id: stale.id })).toMatchObject({
      currentVersion: 1,
      currentSha256: stale.currentSha256,
    });
    expect(await versions.countBy({ originalId: stale.id })).toBe(1);

    // Audit records for the two moves only, in batch order, and the chain still verifies.
    const audit = t.app.get(AuditLog);
    const renewed = await audit.list({ action: 'archive.original.renewed', limit: 10 });
    expect(renewed.map((e) => e.subject).reverse()).toEqual([
      `archive-original:${a.id}`,
      `archive-original:${c.id}`,
    ]);
    expect(renewed.find((e) => e.subject === `archive-original:${a.id}`)?.details).toMatchObject({
      version: 2,
      previousSha256: a.currentSha256,
      sha256: renewal(a, 1, 1).stored.sha256,
    });
    expect((await audit.verify()).ok).toBe(true);
  });

  it('writes nothing when no original of the batch is at its starting version', async () => {
    const audit = t.app.get(AuditLog);
    const renewals = async () =>
      (await audit.list({ action: 'archive.original.renewed', limit: 100 })).length;
    const before = {
      versions: await ds.getRepository(ArchiveVersionEntity).count(),
      audit: await renewals(),
    };
    const step = t.app.get<RestampOriginals, CommitStep>(RestampOriginals);
    expect(await step.commitBatch([renewal(originals[1], 5, 4)])).toEqual([false]);
    expect(await ds.getRepository(ArchiveVersionEntity).count()).toBe(before.versions);
    expect(await renewals()).toBe(before.audit);
    expect((await reloadOriginal(originals[1].id)).currentVersion).toBe(1);
  });

  it('refuses a batch holding one original twice, before writing anything', async () => {
    const before = await ds.getRepository(ArchiveVersionEntity).count();
    const step = t.app.get<RestampOriginals, CommitStep>(RestampOriginals);
    const o = await reloadOriginal(originals[2].id);
    await expect(
      step.commitBatch([renewal(o, o.currentVersion, 5), renewal(o, o.currentVersion, 6)]),
    ).rejects.toThrow(/appears twice/);
    expect(await ds.getRepository(ArchiveVersionEntity).count()).toBe(before);
    expect((await reloadOriginal(o.id)).currentVersion).toBe(o.currentVersion);
  });
});
