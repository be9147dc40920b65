import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createApp } from '../src/bootstrap';
import { AppConfig, loadConfig } from '../src/config/app-config';
import { MailMessage, MailSender, SentMail } from '../src/platform/mail/mail-sender';
import { PlatformOverrides } from '../src/platform/platform.module';

/**
 * Pieces every benchmark shares: booting the real application in a throwaway folder, mail that
 * never leaves the process, timing loops and the figures they print. Benchmarks measure; they
 * never assert timings.
 */

export interface BenchAppOptions {
  /** Prefix of the temporary folder (storage/ and certs/ of this run). */
  name: string;
  /** Settings on top of the benchmark defaults (silent log, no scheduler). */
  env?: Record<string, string>;
  /**
   * Where the data goes. `inherit` (default): whatever DATABASE_URL in the environment says (the
   * embedded SQLite file in the temporary folder when unset). `sqlite`: a SQLite file in the
   * temporary folder. `{ postgres: url }`: a fresh schema in that database, dropped on close.
   */
  database?: 'inherit' | 'sqlite' | { postgres: string };
  /** Start from the process environment (default true) or only from the settings given here. */
  inheritEnv?: boolean;
  overrides?: PlatformOverrides;
  /** Listen on a loopback port (the `base` URL is returned) instead of only initialising. */
  listen?: boolean;
}

export interface BenchApp {
  app: NestExpressApplication;
  config: AppConfig;
  /** http://127.0.0.1:<port> when started with `listen`. */
  base: string;
  /** Closes the app, drops the PostgreSQL schema if one was created, removes the folder. */
  close(): Promise<void>;
}

export async function bootBenchApp(options: BenchAppOptions): Promise<BenchApp> {
  const dir = mkdtempSync(path.join(tmpdir(), `${options.name}-bench-`));
  const database = options.database ?? 'inherit';
  let dbEnv: Record<string, string> = {};
  let dropSchema: (() => Promise<void>) | undefined;
  if (database === 'sqlite') {
    dbEnv = { DATABASE_URL: `sqlite:${path.join(dir, 'bench.sqlite')}` };
  } else if (database !== 'inherit') {
    const url = database.postgres;
    const schema = `bench_${randomBytes(4).toString('hex')}`;
    await pgAdmin(url, `CREATE SCHEMA ${schema}`);
    dropSchema = () => pgAdmin(url, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    dbEnv = { DATABASE_URL: url, DATABASE_SCHEMA: schema };
  }
  const config = loadConfig({
    ...(options.inheritEnv === false ? {} : process.env),
    NODE_ENV: 'test',
    STORAGE_DIR: path.join(dir, 'storage'),
    CERTS_DIR: path.join(dir, 'certs'),
    LOG_LEVEL: 'silent',
    SCHEDULER_ENABLED: 'false',
    ...options.env,
    ...dbEnv,
  });
  const cleanUp = async () => {
    if (dropSchema) await dropSchema();
    rmSync(dir, { recursive: true, force: true });
  };
  let app: NestExpressApplication;
  try {
    app = await createApp({ config, overrides: options.overrides });
    if (options.listen) await app.listen(0, '127.0.0.1');
    else await app.init();
  } catch (e) {
    await cleanUp();
    throw e;
  }
  const base = options.listen
    ? `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`
    : '';
  return {
    app,
    config,
    base,
    close: async () => {
      try {
        await app.close();
      } finally {
        await cleanUp();
      }
    },
  };
}

async function pgAdmin(url: string, sql: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * Mail that never leaves the process: the benchmark measures the service, not mail delivery.
 * With `capture`, keeps the latest value per key it returns for a message (an OTP per recipient,
 * a confirmation code per transfer…) in `captured`.
 */
export class BenchMail extends MailSender {
  readonly captured = new Map<string, string>();
  constructor(private readonly capture?: (m: MailMessage) => [key: string, value: string] | undefined) {
    super();
  }
  send(m: MailMessage): Promise<SentMail> {
    const kv = this.capture?.(m);
    if (kv) this.captured.set(kv[0], kv[1]);
    return Promise.resolve({ messageId: '<bench>' });
  }
}

/** 0, 1, … n-1: the job list for `pool` when the jobs are just indices. */
export function indices(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Runs `fn` over `items` with `concurrency` workers; returns the wall time in ms. */
export async function pool<T>(
  items: T[],
  concurrency: number,
  fn: (item: T) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
  return performance.now() - t0;
}

/** Wall time of `fn` in ms. */
export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Milliseconds since a `process.hrtime.bigint()` reading. */
export function elapsedMs(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The value at percentile `p` (0-100) of an ascending list (nearest rank, rounded down). */
export function percentile(sorted: number[], p: number): number | undefined {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Prints one figure line. */
export function figure(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Peak resident set size of this process so far, in MiB. */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * CPU seconds used so far by the PostgreSQL server processes on this host (every process named
 * `postgres`, with the CPU of its exited children, so backends that ended are counted too), or
 * undefined when there is none to read (another host, no /proc). Two readings around a run give
 * the server's share of its cost when the database runs on the benchmark's machine.
 */
export function localPostgresCpuSeconds(): number | undefined {
  let ticks = 0;
  let found = false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return undefined;
  }
  for (const pid of entries) {
    if (!/^\d+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    if (stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) !== 'postgres') continue;
    // Fields after the command: state is [0]; utime, stime, cutime, cstime are [11]..[14].
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
    found = true;
  }
  // Linux reports these in clock ticks of 1/100 s (USER_HZ) on every common platform.
  return found ? ticks / 100 : undefined;
}
