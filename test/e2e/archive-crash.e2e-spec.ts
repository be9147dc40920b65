import { ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { DataSource } from 'typeorm';
import {
  ArchivedOriginalEntity,
  ArchiveRunEntity,
  ArchiveVersionEntity,
} from '../../src/archive/archive.entities';
import { AuditOriginals } from '../../src/archive/audit-originals.usecase';
import { archiveOriginal, compileCli, createTestSigner, signedOriginal } from '../helpers/archive';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

const N = 16;

type App = Awaited<ReturnType<typeof createTestApp>>;

/**
 * Crash safety (EC-09): the re-stamping CLI is killed with SIGKILL in the middle of a run, then
 * started again. Every original must end at exactly one renewal: never half-renewed, never twice.
 */
describe('archive re-stamping survives kill -9 (child process)', () => {
  let t: App;
  let compiled: { cli: string; dir: string };
  const ids: string[] = [];

  // The originals are made with 300-day TSA certificates (due within the 365-day window); the
  // child processes rotate to a 10-year TSA certificate first, so a renewed original is not due.
  const appEnv = { TSA_CERT_VALIDITY_DAYS: '300' };

  beforeAll(async () => {
    compiled = compileCli();
    t = await createTestApp({ env: appEnv });
    const signer = await createTestSigner(t);
    const signed = await signedOriginal(t, signer);
    for (let i = 0; i < N; i++) ids.push((await archiveOriginal(t, signer, {}, signed)).original.id);
    await t.close();
  });
  afterAll(async () => {
    await destroyTestApp(t);
    rmSync(compiled.dir, { recursive: true, force: true });
  });

  function childEnv(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      ...t.env,
      TSA_CERT_VALIDITY_DAYS: '3650',
      ARCHIVE_RESTAMP_CONCURRENCY: '1',
      ARCHIVE_RESTAMP_BATCH_SIZE: '4',
      LOG_LEVEL: 'warn',
    };
  }

  function cli(args: string[]): ChildProcess {
    return spawn(process.execPath, [compiled.cli, ...args], {
      env: childEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  function finish(
    child: ChildProcess,
  ): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out, err })));
  }

  async function inspect<R>(fn: (app: App) => Promise<R>): Promise<R> {
    const again = await createTestApp({ reuse: { dir: t.dir, env: t.env } });
    try {
      return await fn(again);
    } finally {
      await again.close();
    }
  }

  async function versionCounts(app: App): Promise<number[]> {
    const repo = app.app.get(DataSource).getRepository(ArchiveVersionEntity);
    return Promise.all(ids.map((id) => repo.countBy({ originalId: id })));
  }

  it('leaves each original at its old or new version, and the restarted run renews the rest exactly once', async () => {
    const rotate = await finish(cli(['tsa', 'rotate', '--reason', 'crash test rollover']));
    expect(rotate.code).toBe(0);

    // Kill the run as soon as it reports its first renewals.
    const child = cli(['archive', 'restamp', '--due']);
    const done = finish(child);
    await new Promise<void>((resolve) => {
      child.stderr!.on('data', (d: Buffer) => {
        const m = /restamp: (\d+)\/(\d+)/.exec(d.toString());
        if (m && Number(m[1]) >= 2) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('exit', () => resolve());
    });
    const killed = await done;
    expect(killed.signal).toBe('SIGKILL');

    const afterKill = await inspect(versionCounts);
    const renewedBeforeKill = afterKill.filter((c) => c === 2).length;
    // Killed mid-run: some renewed, some not, none in between or twice.
    expect(afterKill.every((c) => c === 1 || c === 2)).toBe(true);
    expect(renewedBeforeKill).toBeGreaterThan(0);
    expect(renewedBeforeKill).toBeLessThan(N);

    const restart = await finish(cli(['archive', 'restamp', '--due', '--json']));
    expect({ code: restart.code, err: restart.code ? restart.err : '' }).toEqual({ code: 0, err: '' });
    const result = JSON.parse(
      restart.out
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .pop()!,
    ) as { renewed: number; failed: number };
    expect(result).toMatchObject({ renewed: N - renewedBeforeKill, failed: 0 });

    await inspect(async (app) => {
      expect(await versionCounts(app)).toEqual(ids.map(() => 2));
      const ds = app.app.get(DataSource);
      for (const id of ids) {
        const o = await ds.getRepository(ArchivedOriginalEntity).findOneByOrFail({ id });
        expect(o).toMatchObject({ currentVersion: 2, claimedUntil: null });
      }
      const runs = await ds.getRepository(ArchiveRunEntity).find({ order: { startedAt: 'ASC' } });
      expect(runs.map((r) => r.status)).toEqual(['interrupted', 'finished']);
      // Hashes, chain (each version starts with the previous) and validation of every current original.
      const audit = await app.app.get(AuditOriginals).execute({ actor: 'test' });
      expect(audit.problems).toEqual([]);
      expect(audit.versions).toBe(2 * N);
    });
  });
});
