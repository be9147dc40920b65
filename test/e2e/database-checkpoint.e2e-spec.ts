import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { SqliteCheckpointer } from '../../src/database/sqlite-checkpointer';
import { createTestApp, destroyTestApp, isPostgres } from '../helpers/test-app';

/**
 * On the embedded SQLite database the WAL is checkpointed by a background connection instead of
 * inside whichever commit crosses the automatic threshold; committed data must reach the database
 * file all the same, and the automatic checkpoint must come back if the background one stops.
 */
describe('SQLite background checkpoints (e2e)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let ds: DataSource;
  let checkpointer: SqliteCheckpointer;
  beforeAll(async () => {
    t = await createTestApp();
    ds = t.app.get(DataSource);
    checkpointer = t.app.get(SqliteCheckpointer);
    await ds.query('CREATE TABLE ckpt_probe (id varchar(40) PRIMARY KEY, body text NOT NULL)');
  });
  afterAll(async () => {
    await ds.query('DROP TABLE ckpt_probe');
    await destroyTestApp(t);
  });

  const pragma = (s: string): unknown =>
    (
      ds.driver as unknown as { databaseConnection: { pragma(s: string, o: { simple: true }): unknown } }
    ).databaseConnection.pragma(s, { simple: true });

  (isPostgres() ? it.skip : it)(
    'runs in WAL mode with synchronous NORMAL and no checkpoint in commits',
    () => {
      expect(checkpointer.running).toBe(true);
      expect(pragma('journal_mode')).toBe('wal');
      expect(pragma('synchronous')).toBe(1); // NORMAL
      expect(pragma('wal_autocheckpoint')).toBe(0);
    },
  );

  (isPostgres() ? it.skip : it)(
    'copies committed transactions into the database file in the background',
    async () => {
      for (let i = 0; i < 20; i++)
        await ds.transaction((m) =>
          m.query('INSERT INTO ckpt_probe (id, body) VALUES (?, ?)', [randomUUID(), 'x'.repeat(2000)]),
        );
      // Wait for a checkpoint that started after the last commit: it must have copied every frame.
      await checkpointer.nextCheckpoint();
      const r = await checkpointer.nextCheckpoint();
      expect(r.busy).toBe(0);
      expect(r.log).toBeGreaterThan(0);
      expect(r.checkpointed).toBe(r.log);
    },
  );

  it('is inactive on PostgreSQL', () => {
    if (isPostgres()) expect(checkpointer.running).toBe(false);
    else expect(checkpointer.running).toBe(true);
  });

  // Last: stops the background connection for the rest of this app.
  (isPostgres() ? it.skip : it)(
    'gives the connection its automatic checkpoint back if the worker dies',
    async () => {
      const worker = (checkpointer as unknown as { worker: { terminate(): Promise<number> } }).worker;
      await worker.terminate();
      await new Promise((r) => setImmediate(r));
      expect(checkpointer.running).toBe(false);
      expect(pragma('wal_autocheckpoint')).toBe(1000);
    },
  );
});
