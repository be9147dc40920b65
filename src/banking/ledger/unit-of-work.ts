import { Injectable } from '@nestjs/common';
import {
  DataSource,
  EntityManager,
  EntityTarget,
  ObjectLiteral,
  QueryFailedError,
  QueryRunner,
  SelectQueryBuilder,
} from 'typeorm';
import { RowCountMismatch, Sql, SqlTable, Write, join, raw, sql } from './sql.util';

/** The part of node-postgres' client used for named statements. */
interface PgClient {
  query(q: { name?: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }>;
}

const MAX_NAMED_STATEMENTS = 200;

/**
 * Transaction boundary for banking use cases. On PostgreSQL each call is its own transaction and
 * rows are locked with SELECT … FOR UPDATE. On SQLite TypeORM shares one connection, so two
 * overlapping `transaction()` calls would nest as savepoints of each other: the platform's
 * serializer (database/sqlite-serializer.ts, applied to the application's DataSource) runs each
 * transaction alone, FIFO, and also keeps standalone statements out of it. This class used to keep
 * its own queue for that; the serializer now covers every module, so a second queue would only add
 * a hop (and, unlike the serializer, would deadlock a unit started inside another).
 *
 * It also runs the hand-written statements of the hot paths (sql.util): the dialect differences
 * (placeholders, FOR UPDATE, one CTE statement or several) are decided here and nowhere else.
 */
@Injectable()
export class UnitOfWork {
  readonly postgres: boolean;
  private readonly tables = new Map<EntityTarget<ObjectLiteral>, SqlTable<ObjectLiteral>>();
  private readonly statementNames = new Map<string, string>();

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

  /** ` FOR UPDATE` on PostgreSQL, nothing on SQLite: the hand-written form of forUpdate. */
  lockClause(): Sql {
    return raw(this.postgres ? ' FOR UPDATE' : '');
  }

  /** The hand-written SQL mapping of an entity's table (built once per entity). */
  table<T extends ObjectLiteral>(entity: EntityTarget<T>): SqlTable<T> {
    let t = this.tables.get(entity);
    if (!t) {
      t = new SqlTable(this.dataSource, entity);
      this.tables.set(entity, t);
    }
    return t as unknown as SqlTable<T>;
  }

  /** Rows of a SELECT, in the caller's transaction (`m`) or on its own. */
  async rows<R = Record<string, unknown>>(q: Sql, m: EntityManager = this.dataSource.manager): Promise<R[]> {
    const { text, values } = q.render(this.postgres);
    if (!this.postgres) return m.query<R[]>(text, values);
    if (m.queryRunner) return (await this.pgQuery(m.queryRunner, text, values)) as R[];
    const qr = this.dataSource.createQueryRunner();
    try {
      return (await this.pgQuery(qr, text, values)) as R[];
    } finally {
      await qr.release();
    }
  }

  /**
   * Runs writes in the caller's transaction as one unit. PostgreSQL: ONE statement, each write a
   * data-modifying CTE (they run exactly once and to completion, see the same snapshot, and must
   * therefore touch different rows: a batch never updates one row twice); one round trip instead
   * of one per write. SQLite: the writes in order on the shared connection, where a statement costs
   * no round trip. Either way every write's row count is checked, and a difference throws, which
   * rolls the transaction back.
   */
  async execute(m: EntityManager, writes: readonly Write[]): Promise<void> {
    if (writes.length === 0) return;
    const qr = m.queryRunner;
    if (!qr) throw new Error('UnitOfWork.execute: needs the transaction manager of UnitOfWork.run');
    if (this.postgres) {
      const { text, values } = this.batch(writes).render(true);
      const [counts] = await this.pgQuery(qr, text, values);
      writes.forEach((w, i) => this.checkCount(w, Number(counts[`n${i}`])));
      return;
    }
    for (const w of writes) {
      const { text, values } = w.sql.render(false);
      const res = (await qr.query(text, values, true)) as { affected?: number };
      this.checkCount(w, res.affected ?? 0);
    }
  }

  /**
   * Writes that form one atomic change on their own (no reads between them). PostgreSQL: one
   * statement in autocommit, which is a transaction by itself (durable at commit like any other);
   * SQLite: a transaction. Row counts are not checked: use for INSERTs, which insert their row or
   * fail.
   */
  async write(writes: readonly Write[]): Promise<void> {
    if (!this.postgres) return this.run((m) => this.execute(m, writes));
    const { text, values } = this.batch(writes).render(true);
    const qr = this.dataSource.createQueryRunner();
    try {
      await this.pgQuery(qr, text, values);
    } finally {
      await qr.release();
    }
  }

  /**
   * A statement on the query runner's pg connection as a NAMED prepared statement: PostgreSQL
   * parses and plans each hot-path statement once per connection instead of at every call (the
   * planning of the request and confirmation statements cost more than running them). TypeORM's
   * query() has no way to name a statement, hence the driver's client here; errors are wrapped as
   * TypeORM's would be. Statement texts are a small fixed set (they differ only in the number of
   * rows or ids); past a bound, further texts run unnamed rather than fill the server's memory.
   */
  private async pgQuery(
    qr: QueryRunner,
    text: string,
    values: unknown[],
  ): Promise<Record<string, unknown>[]> {
    const client = await (qr as unknown as { connect(): Promise<PgClient> }).connect();
    let name = this.statementNames.get(text);
    if (name === undefined && this.statementNames.size < MAX_NAMED_STATEMENTS) {
      name = `bk_${this.statementNames.size + 1}`;
      this.statementNames.set(text, name);
    }
    try {
      return (await client.query({ name, text, values })).rows;
    } catch (e) {
      throw new QueryFailedError(text, values, e as Error);
    }
  }

  /** `WITH w0 AS (… RETURNING 1), … SELECT count(w0) AS n0, …` (PostgreSQL). */
  private batch(writes: readonly Write[]): Sql {
    const ctes = writes.map((w, i) => sql`${raw(`w${i}`)} AS (${w.sql} RETURNING 1)`);
    const counts = writes.map((_, i) => raw(`(SELECT COUNT(*) FROM w${i}) AS n${i}`));
    return sql`WITH ${join(ctes)} SELECT ${join(counts)}`;
  }

  private checkCount(w: Write, n: number): void {
    if (w.rows !== undefined && n !== w.rows) throw new RowCountMismatch(w, n);
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
