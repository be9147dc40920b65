import { DataSource, EntityManager } from 'typeorm';

const queues = new WeakMap<DataSource, Promise<unknown>>();

/**
 * `dataSource.transaction` that also works under concurrency on the embedded SQLite database.
 * TypeORM's better-sqlite3 driver shares one connection, so two overlapping transactions in one
 * process fail with "cannot start a transaction within a transaction" (SQLITE_ERROR). On SQLite,
 * this queues the PKI's transactions one after another (SQLite serialises writers anyway); on
 * PostgreSQL it is a plain transaction and row locks do the work.
 * Never call it from inside another of these transactions (it would wait for itself).
 */
export function pkiTransaction<T>(dataSource: DataSource, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  if (dataSource.options.type === 'postgres') return dataSource.transaction(fn);
  const previous = queues.get(dataSource) ?? Promise.resolve();
  const run = previous.then(() => dataSource.transaction(fn));
  queues.set(
    dataSource,
    run.catch(() => undefined),
  );
  return run;
}
