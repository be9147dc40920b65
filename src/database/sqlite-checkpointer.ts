import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/** How often the background connection copies the WAL into the database file (and syncs it). */
export const CHECKPOINT_INTERVAL_MS = 1000;

/** What the last background checkpoint did (SQLite's wal_checkpoint result). */
export interface CheckpointResult {
  /** 1 when the checkpoint could not run at all this time (another checkpointer). */
  busy: number;
  /** Frames in the WAL. */
  log: number;
  /** Frames copied into the database file so far. */
  checkpointed: number;
}

interface SqliteHandle {
  pragma(s: string, o?: { simple?: boolean }): unknown;
}

/**
 * WAL checkpoints off the request path (embedded SQLite only).
 *
 * With SQLite's automatic checkpoint, the commit that pushes the WAL past 1000 pages copies the
 * whole WAL into the database file and syncs it, inside that commit, on the event loop: most of
 * the commit time measured on busy paths (TSA issuance, signing). Here the application connection
 * has `wal_autocheckpoint = 0` and a second connection in a worker thread runs
 * `PRAGMA wal_checkpoint(PASSIVE)` every CHECKPOINT_INTERVAL_MS. PASSIVE never blocks the writer
 * or readers; once a checkpoint has caught up, the next writer restarts the WAL from its start, so
 * the file does not grow without bound (journal_size_limit trims it back).
 *
 * Crash safety is unchanged: the database stays in WAL mode with synchronous = NORMAL (see
 * data-source-options.ts), every commit is in the WAL before the transaction's promise resolves, so
 * a crash of the process loses nothing; on power loss SQLite rolls back to a consistent state as
 * before. What a power loss can take away is what was committed since the last checkpoint's sync:
 * with the automatic checkpoint that was up to 1000 pages, however old (hours under light load);
 * now it is up to about one interval, however many pages (more commits than 1000 pages only under
 * sustained heavy writing). If the worker fails, the application connection gets its automatic
 * checkpoint back at once.
 */
@Injectable()
export class SqliteCheckpointer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('SqliteCheckpointer');
  private worker?: Worker;
  private db?: SqliteHandle;
  private readonly waiters: ((r: CheckpointResult) => void)[] = [];

  /** True while the background connection checkpoints (the automatic checkpoint is off). */
  get running(): boolean {
    return this.worker !== undefined;
  }

  /** Resolves with the result of the next background checkpoint. */
  nextCheckpoint(): Promise<CheckpointResult> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  constructor(
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (this.dataSource.options.type !== 'better-sqlite3') return;
    if (this.config.database.type !== 'sqlite' || this.config.database.file === ':memory:') return;
    const db = (this.dataSource.driver as unknown as { databaseConnection?: SqliteHandle })
      .databaseConnection;
    if (!db || db.pragma('journal_mode', { simple: true }) !== 'wal') return;
    this.db = db;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file: path.resolve(this.config.database.file),
        intervalMs: CHECKPOINT_INTERVAL_MS,
        betterSqlite3: require.resolve('better-sqlite3'),
      },
    });
    worker.unref();
    worker.on('message', (r: CheckpointResult) => {
      for (const w of this.waiters.splice(0)) w(r);
    });
    worker.on('error', (e) => this.fallBack(`checkpoint worker failed: ${e.message}`));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.fallBack(`checkpoint worker exited (${code})`);
    });
    this.worker = worker;
    db.pragma('wal_autocheckpoint = 0');
  }

  async onApplicationShutdown(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    // The worker finishes its current checkpoint, runs a last one and closes its connection.
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // The worker is unref'd while it runs so it never keeps the process alive; while we wait for its
    // last checkpoint it must, or a process with nothing else left (the CLI, a benchmark) exits
    // in the middle of shutdown.
    worker.ref();
    worker.postMessage('stop');
    await exited;
    this.restoreAutoCheckpoint();
  }

  private fallBack(reason: string): void {
    this.worker = undefined;
    this.logger.error(`${reason}; SQLite checkpoints run inside commits again`);
    this.restoreAutoCheckpoint();
  }

  private restoreAutoCheckpoint(): void {
    try {
      this.db?.pragma('wal_autocheckpoint = 1000');
    } catch {
      // The connection is already closed: nothing left to checkpoint from it.
    }
  }
}

/** Worker thread: its own connection to the same file, a PASSIVE checkpoint per interval. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.betterSqlite3);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 10000');
// Checkpoint syncs: WAL first, then the database file (SQLite does both for synchronous >= NORMAL).
db.pragma('synchronous = NORMAL');
db.pragma('journal_size_limit = 67108864');
const checkpoint = () => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)');
  parentPort.postMessage(r);
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  try { checkpoint(); } finally { db.close(); parentPort.close(); }
});
`;
