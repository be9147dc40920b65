import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, QueryRunner } from 'typeorm';

/**
 * TypeORM's SQLite drivers share ONE connection and one query runner. Without care, two requests
 * that each open a transaction interleave on it: the second `BEGIN` becomes a SAVEPOINT inside the
 * first, and an autocommit write from a third request lands inside whichever transaction is open —
 * then vanishes if that transaction rolls back. SQLite allows one writer at a time anyway, so the
 * embedded setup serialises database work per unit: one transaction (or one standalone statement)
 * at a time, FIFO. Work started inside a unit (its callbacks, nested transactions, Promise.all
 * within it) runs inside it, tracked with AsyncLocalStorage. PostgreSQL is untouched: it has a pool
 * and real row locks.
 */
class FifoLock {
  private owner: symbol | undefined;
  private readonly waiters: (() => void)[] = [];
  readonly context = new AsyncLocalStorage<symbol>();

  constructor(private readonly waitTimeoutMs: number) {}

  /** True when the caller runs inside the unit that holds the lock. */
  held(): boolean {
    const mine = this.context.getStore();
    return mine !== undefined && mine === this.owner;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.held()) return work();
    const token = Symbol('sqlite-unit');
    await this.acquire(token);
    try {
      return await this.context.run(token, work);
    } finally {
      this.release();
    }
  }

  private acquire(token: symbol): Promise<void> {
    if (this.owner === undefined) {
      this.owner = token;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        clearTimeout(timer);
        this.owner = token;
        resolve();
      };
      // A unit that waits on another unit while holding the lock (e.g. an HTTP call back into this
      // process inside a transaction) would wait forever: fail loudly instead.
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`SQLite: waited ${this.waitTimeoutMs} ms for another unit of work to finish`));
      }, this.waitTimeoutMs);
      this.waiters.push(grant);
    });
  }

  private release(): void {
    this.owner = undefined;
    const next = this.waiters.shift();
    if (next) next();
  }
}

const MANAGER_WRITES = [
  'transaction',
  'save',
  'remove',
  'softRemove',
  'recover',
  'insert',
  'update',
  'upsert',
  'delete',
  'softDelete',
  'restore',
  'increment',
  'decrement',
  'clear',
] as const;

export function serializeSqliteAccess(dataSource: DataSource, waitTimeoutMs = 30_000): DataSource {
  const type = dataSource.options.type;
  if (type !== 'better-sqlite3' && type !== 'sqlite') return dataSource;
  const lock = new FifoLock(waitTimeoutMs);
  locks.set(dataSource, lock);

  // Every statement goes through the one shared runner.
  const runner: QueryRunner = dataSource.createQueryRunner();
  const query: QueryRunner['query'] = runner.query.bind(runner);
  runner.query = ((...args: Parameters<QueryRunner['query']>) =>
    lock.run(() => query(...args))) as QueryRunner['query'];

  // Multi-statement operations of the root manager (repositories delegate to it) hold the lock
  // for their whole duration, so their implicit transaction is theirs alone.
  const manager = dataSource.manager as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const name of MANAGER_WRITES) {
    const original = manager[name].bind(dataSource.manager);
    manager[name] = (...args: unknown[]) => lock.run(() => original(...args));
  }
  return dataSource;
}

const locks = new WeakMap<DataSource, FifoLock>();

/** The native better-sqlite3 connection (prepare, transaction, …) as far as this module uses it. */
export interface NativeSqlite {
  prepare(sql: string): {
    run(...params: unknown[]): { changes: number };
    get(...params: unknown[]): unknown;
  };
  transaction<T>(fn: () => T): () => T;
}

/**
 * Runs synchronous work on the native better-sqlite3 connection as one unit of work of the FIFO
 * lock (after every unit queued before it, never inside another one's transaction). For hot paths
 * where TypeORM's per-transaction machinery costs far more than the SQL itself; `work` must be
 * synchronous (wrap several statements in `db.transaction(...)()`).
 */
export function runNativeSqliteUnit<T>(dataSource: DataSource, work: (db: NativeSqlite) => T): Promise<T> {
  const lock = locks.get(dataSource);
  if (!lock || dataSource.options.type !== 'better-sqlite3')
    throw new Error('runNativeSqliteUnit: not a serialised better-sqlite3 data source');
  const db = (dataSource.driver as unknown as { databaseConnection: NativeSqlite }).databaseConnection;
  return lock.run(() => Promise.resolve().then(() => work(db)));
}
