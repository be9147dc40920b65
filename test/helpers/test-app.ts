import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { createApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { SettableClock } from '../../src/platform/clock/clock';
import { PlatformOverrides } from '../../src/platform/platform.module';

export interface TestApp {
  app: NestExpressApplication;
  config: AppConfig;
  clock: SettableClock;
  /** The folder holding storage/ and certs/ of this app. */
  dir: string;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  clock?: SettableClock;
  overrides?: PlatformOverrides;
  /** Reuse the folder and database of an earlier app (restart tests). */
  reuse?: { dir: string; env: Record<string, string> };
  listen?: boolean;
}

/**
 * Boots the real application on a fresh database: a new SQLite file in a temporary folder, or,
 * when TEST_DATABASE_URL points at PostgreSQL, a new schema in that database (dropped on close).
 */
export async function createTestApp(
  options: TestAppOptions = {},
): Promise<TestApp & { env: Record<string, string> }> {
  const dir = options.reuse?.dir ?? mkdtempSync(path.join(tmpdir(), 'econtract-test-'));
  const env: Record<string, string> = options.reuse?.env ?? { ...(await databaseEnv(dir)) };
  Object.assign(env, {
    NODE_ENV: 'test',
    STORAGE_DIR: path.join(dir, 'storage'),
    CERTS_DIR: path.join(dir, 'certs'),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    RATE_LIMIT_PER_MINUTE: '100000',
    SCHEDULER_ENABLED: 'false',
    ...options.env,
  });
  const config = loadConfig(env);
  const clock = options.clock ?? new SettableClock(new Date(), true);
  const app = await createApp({ config, overrides: { clock, ...options.overrides } });
  if (options.listen) await app.listen(0, '127.0.0.1');
  else await app.init();
  return {
    app,
    config,
    clock,
    dir,
    env,
    close: async () => {
      await app.close();
    },
  };
}

/** Drops the test database schema (PostgreSQL) and removes the folder. */
export async function destroyTestApp(t: {
  close(): Promise<void>;
  dir: string;
  env: Record<string, string>;
}) {
  await t.close();
  if (t.env.DATABASE_SCHEMA && t.env.DATABASE_URL) {
    const c = new Client({ connectionString: t.env.DATABASE_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${t.env.DATABASE_SCHEMA} CASCADE`);
    await c.end();
  }
  rmSync(t.dir, { recursive: true, force: true });
}

async function databaseEnv(dir: string): Promise<Record<string, string>> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return { DATABASE_URL: `sqlite:${path.join(dir, 'storage', 'test.sqlite')}` };
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  await c.end();
  return { DATABASE_URL: url, DATABASE_SCHEMA: schema };
}

export function isPostgres(): boolean {
  return Boolean(process.env.TEST_DATABASE_URL);
}
