import { DataSource } from 'typeorm';
import { AuditLog } from '../../src/platform/audit/audit-log';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

/**
 * Units of work stay isolated on both databases: on SQLite (one shared connection) concurrent
 * transactions must not nest inside each other, and a rollback must take only its own writes.
 */
describe('database units of work (e2e)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let ds: DataSource;
  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
    await ds.query('CREATE TABLE uow_probe (id varchar(40) PRIMARY KEY, who varchar(20) NOT NULL)');
  });
  afterAll(async () => {
    await ds.query('DROP TABLE uow_probe');
    await destroyTestApp(t);
  });

  it('keeps a concurrent autocommit write when another transaction rolls back', async () => {
    let release!: () => void;
    let inserted!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const aInserted = new Promise<void>((r) => (inserted = r));
    const failing = ds
      .transaction(async (m) => {
        await m.query(`INSERT INTO uow_probe (id, who) VALUES ('a1', 'A')`);
        inserted();
        await gate;
        throw new Error('abort A');
      })
      .catch((e: Error) => e.message);
    await aInserted;
    // B writes while A's transaction is open; then A rolls back.
    const other = ds.query(`INSERT INTO uow_probe (id, who) VALUES ('b1', 'B')`);
    await new Promise((r) => setTimeout(r, 20));
    release();
    expect(await failing).toBe('abort A');
    await other;
    const rows: { id: string }[] = await ds.query(
      `SELECT id FROM uow_probe WHERE id IN ('a1','b1') ORDER BY id`,
    );
    expect(rows.map((r) => r.id)).toEqual(['b1']);
  });

  it('runs overlapping transactions each atomically', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        ds.transaction(async (m) => {
          await m.query(`INSERT INTO uow_probe (id, who) VALUES ('t${i}', 'T')`);
          await new Promise((r) => setTimeout(r, 2));
          if (i % 2 === 1) throw new Error('odd rolls back');
          await m.query(`INSERT INTO uow_probe (id, who) VALUES ('t${i}-2', 'T')`);
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(5);
    const rows: { id: string }[] = await ds.query(`SELECT id FROM uow_probe WHERE who = 'T' ORDER BY id`);
    expect(rows.map((r) => r.id).sort()).toEqual(
      ['t0', 't0-2', 't2', 't2-2', 't4', 't4-2', 't6', 't6-2', 't8', 't8-2'].sort(),
    );
  });

  it('commits an audit entry with its change and drops it with a rollback', async () => {
    const audit = t.app.get(AuditLog);
    await ds
      .transaction(async (m) => {
        await audit.append({ actor: 'system', action: 'test.rolledback' }, m);
        throw new Error('abort');
      })
      .catch(() => undefined);
    await ds.transaction((m) => audit.append({ actor: 'system', action: 'test.committed' }, m));
    expect(await audit.list({ action: 'test.rolledback' })).toHaveLength(0);
    expect(await audit.list({ action: 'test.committed' })).toHaveLength(1);
  });

  it('keeps the audit chain linear under concurrent appends', async () => {
    const audit = t.app.get(AuditLog);
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        audit.append({ actor: 'system', action: 'test.concurrent', details: { i } }),
      ),
    );
    expect(await audit.verify()).toMatchObject({ ok: true });
  });
});
