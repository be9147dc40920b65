import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ArchiveOriginal } from '../src/archive/archive-original.usecase';
import { RestampOriginals } from '../src/archive/restamp-originals.usecase';
import { createApp } from '../src/bootstrap';
import { loadConfig } from '../src/config/app-config';
import { PadesEngine } from '../src/pades/pades-engine.service';
import { signatureSpec } from '../src/pades/domain/signature-spec';
import { KeyObjectSigner } from '../src/pades/domain/signer';
import { makePdf } from '../src/pades/pdf/testing/make-pdf';
import { CertificateAuthority } from '../src/pki/certificate-authority.service';
import { CertificateEntity } from '../src/pki/pki.entities';
import { RotateTsaCertificate } from '../src/tsa/rotate-tsa-certificate.usecase';
import { localPostgresCpuSeconds } from './bench-util';

/**
 * `npm run bench -- archive [count=10000] [--sqlite-only|--pg-only]`: re-stamps `count` archived
 * ~200 KB B-LTA originals with the in-process TSA — one worker on SQLite, then two worker
 * processes on PostgreSQL (own schema, dropped afterwards) — and prints originals/s and each
 * worker's peak RSS, next to the floor measured in the same run (SHA-256 of the file + one
 * ECDSA P-256 TSA signature per original).
 *
 * Seeding (honest note): ONE realistic PDF is signed once at B-LTA by a signer of the service's
 * CA; the `count` originals are that file plus a distinct trailing PDF comment
 * (`%archive-bench-<n>`) so each has its own SHA-256 and FileStore object. They are archived with
 * TSA certificates valid 300 days (so all are due); the workers stamp after a rollover to a
 * 10-year TSA certificate, so a renewed original is no longer due.
 */
const PG_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function run(args: string[]): Promise<void> {
  if (args[0] === '--worker') return worker();
  const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 10_000);
  const floor = measureFloor(Math.min(count, 5000));
  process.stdout.write(
    `floor (SHA-256 of 200 KB + one P-256 TSA signature): ${floor.toFixed(0)} originals/s\n`,
  );
  if (!args.includes('--pg-only')) await scenario('sqlite', count, 1, floor);
  const pgWorkers = Number(args.find((a) => a.startsWith('--pg-workers='))?.split('=')[1] ?? 2);
  if (!args.includes('--sqlite-only')) await scenario('postgres', count, pgWorkers, floor);
}

function measureFloor(n: number): number {
  const pdf = randomBytes(200 * 1024);
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    pdf[i % pdf.length] ^= 1;
    const digest = createHash('sha256').update(pdf).digest();
    sign('sha256', digest, { key, dsaEncoding: 'der' });
  }
  return n / (Number(process.hrtime.bigint() - t) / 1e9);
}

async function scenario(
  db: 'sqlite' | 'postgres',
  count: number,
  workers: number,
  floor: number,
): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'archive-bench-'));
  let schema: string | undefined;
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    STORAGE_DIR: path.join(dir, 'storage'),
    CERTS_DIR: path.join(dir, 'certs'),
    LOG_LEVEL: 'silent',
    SCHEDULER_ENABLED: 'false',
    TSA_CERT_VALIDITY_DAYS: '300',
  };
  if (db === 'postgres') {
    schema = `bench_archive_${randomBytes(4).toString('hex')}`;
    const c = new Client({ connectionString: PG_URL });
    try {
      await c.connect();
    } catch (e) {
      process.stdout.write(`postgres: skipped (${e instanceof Error ? e.message : String(e)})\n`);
      return;
    }
    await c.query(`CREATE SCHEMA ${schema}`);
    await c.end();
    Object.assign(env, { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema });
  } else {
    env.DATABASE_URL = `sqlite:${path.join(dir, 'storage', 'bench.sqlite')}`;
  }
  try {
    const seedMs = await seed(env, count);
    process.stdout.write(`${db}: seeded ${count} originals in ${(seedMs / 1000).toFixed(1)} s\n`);
    // Roll the TSA over to a 10-year certificate (as the workers are configured).
    const workerEnv = { ...env, TSA_CERT_VALIDITY_DAYS: '3650' };
    const app = await boot(workerEnv);
    await app.get(RotateTsaCertificate).execute({ actor: 'bench', reason: 'benchmark rollover' });
    await app.close();

    const pgCpuBefore = db === 'postgres' ? localPostgresCpuSeconds() : undefined;
    const started = process.hrtime.bigint();
    const results = await Promise.all(Array.from({ length: workers }, () => spawnWorker(workerEnv)));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const pgCpuAfter = pgCpuBefore !== undefined ? localPostgresCpuSeconds() : undefined;
    const renewed = results.reduce((s, r) => s + r.renewed, 0);
    const failed = results.reduce((s, r) => s + r.failed, 0);
    const rate = renewed / seconds;
    // The run itself (workers booted): renewed over the slowest worker's run time.
    const runRate = renewed / Math.max(...results.map((r) => r.renewed / r.rate));
    process.stdout.write(
      `${db}: ${workers} worker(s) renewed ${renewed} (failed ${failed}): ${runRate.toFixed(1)} originals/s during the run ` +
        `(${((runRate / floor) * 100).toFixed(2)} % of the floor), ${rate.toFixed(1)}/s including process start (${seconds.toFixed(1)} s); peak RSS per worker: ${results
          .map((r) => `${(r.maxRssKb / 1024).toFixed(0)} MiB`)
          .join(', ')}; per-worker rates: ${results.map((r) => r.rate.toFixed(1)).join(', ')}/s; ` +
        `worker CPU per original: ${results.map((r) => `${r.cpuMsEach.toFixed(2)} ms (kernel ${r.sysMsEach.toFixed(2)}${r.mainMsEach === undefined ? '' : `, main thread ${r.mainMsEach.toFixed(2)}`})`).join(', ')}, ` +
        `page faults per original: ${results.map((r) => r.faultsEach.toFixed(0)).join(', ')}` +
        (pgCpuAfter !== undefined && pgCpuBefore !== undefined
          ? `; PostgreSQL server CPU per original (whole run, workers' start included): ${(((pgCpuAfter - pgCpuBefore) * 1000) / Math.max(1, renewed)).toFixed(2)} ms`
          : '') +
        '\n',
    );
    const check = await boot(workerEnv);
    const ds = check.get(DataSource);
    const odd = await ds.query<unknown[]>(
      'SELECT original_id FROM archive_versions GROUP BY original_id HAVING COUNT(*) <> 2',
    );
    process.stdout.write(
      `${db}: every original renewed exactly once: ${odd.length === 0 ? 'yes' : `NO (${odd.length} not)`}\n`,
    );
    await check.close();
  } finally {
    if (schema) {
      const c = new Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

async function boot(env: Record<string, string>) {
  const app = await createApp({ config: loadConfig({ ...process.env, ...env }) });
  await app.init();
  return app;
}

async function seed(env: Record<string, string>, count: number): Promise<number> {
  const app = await boot(env);
  try {
    const ca = app.get(CertificateAuthority);
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const issued = await ca.signSignerCertificate({
      subject: { country: 'JP', commonName: 'ベンチ 太郎' },
      publicKeySpki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
      validityDays: 730,
    });
    await app
      .get(DataSource)
      .getRepository(CertificateEntity)
      .insert(ca.certificateRow(issued.der, 'subscriber', 'issuing', 'bench'));
    const signer = new KeyObjectSigner(privateKey, issued.der, [
      await ca.issuingCaCertificate(),
      await ca.rootCertificate(),
    ]);
    const base = (
      await app
        .get(PadesEngine)
        .sign(makePdf({ pages: 4, targetBytes: 160 * 1024 }), signatureSpec({ level: 'B-LTA' }), signer)
    ).bytes;
    process.stdout.write(`seed original: ${(base.byteLength / 1024).toFixed(0)} KB, B-LTA\n`);
    const archive = app.get(ArchiveOriginal);
    const t = process.hrtime.bigint();
    for (let i = 0; i < count; i++) {
      await archive.store({
        contractId: randomUUIDFrom(i),
        title: `ベンチマーク契約 ${i}`,
        transactionDate: `2026-${String((i % 12) + 1).padStart(2, '0')}-15`,
        amountYen: 1_000_000 + i,
        counterparty: `取引先 ${i}`,
        loanType: 'housing',
        parties: [{ role: '債務者', name: `取引先 ${i}` }],
        bytes: Buffer.concat([base, Buffer.from(`%archive-bench-${i}\n`)]),
        actor: 'bench',
      });
    }
    return Number(process.hrtime.bigint() - t) / 1e6;
  } finally {
    await app.close();
  }
}

function randomUUIDFrom(i: number): string {
  const h = createHash('sha256').update(`bench-${i}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

interface WorkerResult {
  renewed: number;
  failed: number;
  rate: number;
  maxRssKb: number;
  /** CPU time of the worker process (all its threads) per renewed original, ms. */
  cpuMsEach: number;
  /** Of which in the kernel (file writes, fsync, page faults), ms. */
  sysMsEach: number;
  /** Of which on the main thread (the event loop; the rest is GC helpers and the thread pool), ms. */
  mainMsEach?: number;
  /** Minor page faults per renewed original (first touch of freshly mapped memory). */
  faultsEach: number;
}

function spawnWorker(env: Record<string, string>): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const prof = process.env.ARCHIVE_BENCH_CPU_PROF
      ? ['--cpu-prof', `--cpu-prof-dir=${process.env.ARCHIVE_BENCH_CPU_PROF}`]
      : [];
    const extra = process.env.ARCHIVE_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(
      process.execPath,
      [...prof, ...extra, path.join(__dirname, 'run.js'), 'archive', '--worker'],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      if (process.env.ARCHIVE_BENCH_WORKER_LOG)
        writeFileSync(`${process.env.ARCHIVE_BENCH_WORKER_LOG}.${child.pid}`, out);
      const line = out.split('\n').find((l) => l.startsWith('{"worker"'));
      if (code !== 0 || !line) return reject(new Error(`worker exited ${code}: ${out}`));
      resolve((JSON.parse(line) as { worker: WorkerResult }).worker);
    });
  });
}

async function worker(): Promise<void> {
  const app = await boot({});
  try {
    const t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const faults = process.resourceUsage().minorPageFault;
    const mainCpu = mainThreadCpuMs();
    const r = await app.get(RestampOriginals).execute({ mode: 'due', trigger: 'cli', actor: 'bench' });
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    const used = process.cpuUsage(cpu);
    const result: WorkerResult = {
      renewed: r.renewed,
      failed: r.failed,
      rate: r.renewed / s,
      maxRssKb: process.resourceUsage().maxRSS,
      cpuMsEach: (used.user + used.system) / 1000 / Math.max(1, r.renewed),
      sysMsEach: used.system / 1000 / Math.max(1, r.renewed),
      mainMsEach: mainCpu === undefined ? undefined : (mainThreadCpuMs()! - mainCpu) / Math.max(1, r.renewed),
      faultsEach: (process.resourceUsage().minorPageFault - faults) / Math.max(1, r.renewed),
    };
    process.stdout.write(`${JSON.stringify({ worker: result })}\n`);
  } finally {
    await app.close();
  }
}

/** CPU time of this process's main thread so far (Linux /proc; 10 ms resolution), ms. */
function mainThreadCpuMs(): number | undefined {
  try {
    const st = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}
