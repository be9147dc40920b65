import { DataSource } from 'typeorm';
import { ArchivedOriginalEntity, ArchiveVersionEntity } from '../../src/archive/archive.entities';
import { RestampOriginals } from '../../src/archive/restamp-originals.usecase';
import { AuditLog } from '../../src/platform/audit/audit-log';
import { RotateTsaCertificate } from '../../src/tsa/rotate-tsa-certificate.usecase';
import { archiveOriginal, createTestSigner, signedOriginal } from '../helpers/archive';
import { createTestApp, destroyTestApp, isPostgres } from '../helpers/test-app';

const N = 24;

type App = Awaited<ReturnType<typeof createTestApp>>;

/**
 * Scale-out (EC-09): two service instances on one PostgreSQL renew the same set of due originals
 * at the same time. Claims (FOR UPDATE SKIP LOCKED + lease) and the version check at commit make
 * every original renewed exactly once. SQLite deployments run one instance, so this needs PostgreSQL.
 */
describe('archive re-stamping with two workers on PostgreSQL', () => {
  if (!isPostgres()) {
    it.skip('needs PostgreSQL (set TEST_DATABASE_URL); SQLite runs a single instance', () => undefined);
    return;
  }
  let seed: App;
  let a: App;
  let b: App;
  const ids: string[] = [];

  beforeAll(async () => {
    // Originals protected by a 300-day TSA certificate: due. The workers stamp with a 10-year one.
    seed = await createTestApp({ env: { TSA_CERT_VALIDITY_DAYS: '300' } });
    const signer = await createTestSigner(seed);
    const signed = await signedOriginal(seed, signer);
    for (let i = 0; i < N; i++) ids.push((await archiveOriginal(seed, signer, {}, signed)).original.id);
    await seed.close();
    const env = { ...seed.env, TSA_CERT_VALIDITY_DAYS: '3650', ARCHIVE_RESTAMP_BATCH_SIZE: '3' };
    a = await createTestApp({ reuse: { dir: seed.dir, env } });
    b = await createTestApp({ reuse: { dir: seed.dir, env } });
    await a.app.get(RotateTsaCertificate).execute({ actor: 'test', reason: 'rollover' });
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await destroyTestApp({ close: () => Promise.resolve(), dir: seed.dir, env: seed.env });
  });

  it('renews every original exactly once between them', async () => {
    const run = (app: App) =>
      app.app.get(RestampOriginals).execute({ mode: 'due', trigger: 'cli', actor: 'test' });
    const [ra, rb] = await Promise.all([run(a), run(b)]);
    expect(ra.failed + rb.failed).toBe(0);
    expect(ra.renewed + rb.renewed).toBe(N);
    // Both took part (batches of 3 for 24 originals).
    expect(ra.renewed).toBeGreaterThan(0);
    expect(rb.renewed).toBeGreaterThan(0);

    const ds = a.app.get(DataSource);
    for (const id of ids) {
      expect(await ds.getRepository(ArchiveVersionEntity).countBy({ originalId: id })).toBe(2);
      expect(await ds.getRepository(ArchivedOriginalEntity).findOneByOrFail({ id })).toMatchObject({
        currentVersion: 2,
        claimedUntil: null,
      });
    }
    const renewals = await a.app.get(AuditLog).list({ action: 'archive.original.renewed', limit: 1000 });
    expect(renewals.map((e) => e.subject).sort()).toEqual(ids.map((id) => `archive-original:${id}`).sort());
    // Nothing left for a third run.
    expect(await run(a)).toMatchObject({ total: 0, renewed: 0 });
    expect((await a.app.get(AuditLog).verify()).ok).toBe(true);
  });
});
