import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * Transaction boundary for banking use cases. On PostgreSQL each call is its own transaction and
 * rows are locked with SELECT … FOR UPDATE. On SQLite TypeORM shares one connection, so two
 * overlapping `transaction()` calls would nest as savepoints of each other: the platform's
 * serializer (database/sqlite-serializer.ts, applied to the application's DataSource) runs each
 * transaction alone, FIFO, and also keeps standalone statements out of it. This class used to keep
 * its own queue for that; the serializer now covers every module, so a second queue would only add
 * a hop (and, unlike the serializer, would deadlock a unit started inside another).
 */
@Injectable()
export class UnitOfWork {
  readonly postgres: boolean;

  constructor(readonly dataSource: DataSource) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  run<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Adds FOR UPDATE on PostgreSQL (SQLite has no row locks; writers are serialised). */
  forUpdate<T extends ObjectLiteral>(qb: SelectQueryBuilder<T>): SelectQueryBuilder<T> {
    return this.postgres ? qb.setLock('pessimistic_write') : qb;
  }
}

/** True when `e` is a unique-constraint violation on either database. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string; driverError?: { code?: string }; message?: string };
  const code = err.driverError?.code ?? err.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/.test(err.message ?? '')
  );
}
