import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { migrations } from '../../src/database/migrations';

/** Every migration runs up from an empty database, down again to empty, and up once more. */
describe('migrations', () => {
  let dir: string;
  let env: Record<string, string>;
  let schema: string | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
    const url = process.env.TEST_DATABASE_URL;
    if (url) {
      schema = `m_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
      const c = new Client({ connectionString: url });
      await c.connect();
      await c.query(`CREATE SCHEMA ${schema}`);
      await c.end();
      env = { DATABASE_URL: url, DATABASE_SCHEMA: schema };
    } else {
      env = { DATABASE_URL: `sqlite:${path.join(dir, 'm.sqlite')}` };
    }
  });

  afterAll(async () => {
    if (schema && process.env.TEST_DATABASE_URL) {
      const c = new Client({ connectionString: process.env.TEST_DATABASE_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('go up from empty, down to empty and up again', async () => {
    const ds = new DataSource(dataSourceOptions(loadConfig({ ...env, STORAGE_DIR: dir })));
    await ds.initialize();
    try {
      const applied = await ds.runMigrations({ transaction: 'each' });
      expect(applied.map((m) => m.name)).toEqual(migrations.map((m) => new m().name ?? m.name));
      const tablesUp = await tableNames(ds);
      expect(tablesUp).toEqual(expect.arrayContaining(['audit_entries', 'audit_head', 'audit_pending']));
      for (let i = 0; i < migrations.length; i++) await ds.undoLastMigration({ transaction: 'each' });
      expect((await tableNames(ds)).filter((n) => n !== 'migrations')).toEqual([]);
      const again = await ds.runMigrations({ transaction: 'each' });
      expect(again).toHaveLength(migrations.length);
      expect(await tableNames(ds)).toEqual(tablesUp);
    } finally {
      await ds.destroy();
    }
  });
});

async function tableNames(ds: DataSource): Promise<string[]> {
  const rows: { name: string }[] =
    ds.options.type === 'postgres'
      ? await ds.query(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`,
        )
      : await ds.query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`);
  return rows.map((r) => r.name).sort();
}
