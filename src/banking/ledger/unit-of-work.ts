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
import { RowCountMismatch, Sql, SqlTable, Write, join, raw, sql } from '../../database/sql';

/** The part of node-postgres' client used for named statements and pipelines. */
interface PgQuery {
  name?: string;
  text: string;
  values?: unknown[];
}

interface PgClient {
  query(q: PgQuery): Promise<{ rows: Record<string, unknown>[] }>;
  /** pg's pipeline mode: queries go out without waiting for the previous one's answer. */
  pipeline: boolean;
  connection: { stream: { cork(): void; uncork(): void } };
}

/** SQLSTATE raised by bk_expect_rows (migration BankingExpectRows) when a write's count differs. */
const ROW_COUNT_SQLSTATE = 'BK001';

/**
 * What a read-decide-write unit (UnitOfWork.decide) writes and returns. `writes` commit together
 * (their row counts checked) or not at all.
 */
export interface Decision<T> {
  writes: readonly Write[];
  result: T;
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
 * It also runs the hand-written statements of the hot paths (database/sql.ts): the dialect differences
 * (placeholders, FOR UPDATE, one CTE statement or several) are decided here and nowhere else.
 */
@Injectable()
export class UnitOfWork {
  readonly postgres: boolean;
  private readonly statementNames = new Map<string, string>();

  constructor(readonly dataSource: DataSource) {
    this.postgres = dataSource.options.type === 'postgres';
  }

  run<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * A transaction of the shape read → decide → write: `reads` run in order (the first usually
   * takes row locks, so the later ones see what the lock protects), `decide` looks at their rows
   * without touching the database, and its writes commit together with checked row counts, or
   * nothing does (a throw from `decide` or a write rolls everything back).
   *
   * On PostgreSQL the unit costs two round trips instead of five: BEGIN travels in one pipelined
   * write with the reads, COMMIT with the writes (pg's pipeline mode, switched on for these two
   * sends only). Each round trip is a socket write and a wake-up of the other side: in a CPU profile
   * of the banking benchmark the socket writes were the largest single item. The COMMIT can
   * go out before the writes' answer because a write whose row count differs raises in SQL
   * (bk_expect_rows), and PostgreSQL turns the COMMIT of a failed transaction into a ROLLBACK.
   */
  async decide<T>(
    reads: readonly Sql[],
    decide: (rows: Record<string, unknown>[][]) => Decision<T> | Promise<Decision<T>>,
  ): Promise<T> {
    if (!this.postgres)
      return this.run(async (m) => {
        const rows: Record<string, unknown>[][] = [];
        for (const q of reads) rows.push(await this.rows(q, m));
        const d = await decide(rows);
        await this.execute(m, d.writes);
        return d.result;
      });
    const qr = this.dataSource.createQueryRunner();
    // `open`: the transaction may still be open on the server (it needs a ROLLBACK). `broken`: the
    // connection failed mid-exchange, so its state is unknown and it must not go back to the pool.
    let open = false;
    let broken: Error | undefined;
    let writes: readonly Write[] = [];
    const send = async (client: PgClient, queries: readonly PgQuery[]) => {
      try {
        return await this.pipeline(client, queries);
      } catch (e) {
        if (!(e instanceof QueryFailedError)) broken = e as Error;
        throw e;
      }
    };
    try {
      const client = await (qr as unknown as { connect(): Promise<PgClient> }).connect();
      open = true;
      const [, ...read] = await send(client, [
        { text: 'BEGIN' },
        ...reads.map((q) => this.named(q.render(true))),
      ]);
      const d = await decide(read.map((r) => r.rows));
      writes = d.writes;
      const batch = writes.length > 0 ? [this.named(this.batch(writes).render(true))] : [];
      // Once COMMIT is on its way the server ends the transaction whatever happens (after a failed
      // write it is a ROLLBACK); should no answer come back, `broken` closes the connection.
      open = false;
      await send(client, [...batch, { text: 'COMMIT' }]); // counts checked in the statement (batch)
      return d.result;
    } catch (e) {
      throw this.rowCountError(e, writes) ?? e;
    } finally {
      if (open && !broken) {
        try {
          await qr.query('ROLLBACK');
        } catch (e) {
          broken = e as Error;
        }
      }
      // pg-pool's release(err) closes the connection instead of reusing it.
      await (
        qr as unknown as { releasePostgresConnection(err?: Error): Promise<void> }
      ).releasePostgresConnection(broken);
    }
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
    return SqlTable.of(this.dataSource, entity);
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
      // The row counts are checked by the statement itself (batch).
      const { text, values } = this.batch(writes).render(true);
      try {
        await this.pgQuery(qr, text, values);
      } catch (e) {
        throw this.rowCountError(e, writes) ?? e;
      }
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
    try {
      return (await client.query(this.named({ text, values }))).rows;
    } catch (e) {
      throw new QueryFailedError(text, values, e as Error);
    }
  }

  /** The statement under its per-connection prepared name (see pgQuery). */
  private named(q: { text: string; values: unknown[] }): PgQuery {
    let name = this.statementNames.get(q.text);
    if (name === undefined && this.statementNames.size < MAX_NAMED_STATEMENTS) {
      name = `bk_${this.statementNames.size + 1}`;
      this.statementNames.set(q.text, name);
    }
    return { name, text: q.text, values: q.values };
  }

  /**
   * Sends the queries in ONE socket write without waiting for answers in between (pg's pipeline
   * mode, on for this send only: the client is idle before and after, so its queues are empty when
   * the mode changes), and waits for all of them. Each query keeps its own Sync, so PostgreSQL runs
   * them in order, one after the other; the first failure is thrown (as TypeORM's
   * QueryFailedError), after every answer has arrived.
   */
  private async pipeline(
    client: PgClient,
    queries: readonly PgQuery[],
  ): Promise<{ rows: Record<string, unknown>[] }[]> {
    const { stream } = client.connection;
    client.pipeline = true;
    let settled: PromiseSettledResult<{ rows: Record<string, unknown>[] }>[];
    try {
      stream.cork();
      let sent: Promise<{ rows: Record<string, unknown>[] }>[];
      try {
        sent = queries.map((q) => client.query(q));
      } finally {
        stream.uncork();
      }
      settled = await Promise.allSettled(sent);
    } finally {
      client.pipeline = false;
    }
    const i = settled.findIndex((r) => r.status === 'rejected');
    if (i >= 0) {
      const reason = (settled[i] as PromiseRejectedResult).reason as Error & { severity?: string };
      // An error the server answered with (it has a severity) leaves the connection usable; any
      // other (a lost connection, a timeout) is thrown as it is.
      if (!reason?.severity) throw reason;
      throw new QueryFailedError(queries[i].text, queries[i].values ?? [], reason);
    }
    return settled.map((r) => (r as PromiseFulfilledResult<{ rows: Record<string, unknown>[] }>).value);
  }

  /** The RowCountMismatch a bk_expect_rows failure stands for, or undefined for any other error. */
  private rowCountError(e: unknown, writes: readonly Write[]): RowCountMismatch | undefined {
    const err = (e as { driverError?: { code?: string; detail?: string } }).driverError;
    if (err?.code !== ROW_COUNT_SQLSTATE || !err.detail) return undefined;
    const { i, n } = JSON.parse(err.detail) as { i: number; n: number };
    return writes[i] ? new RowCountMismatch(writes[i], Number(n)) : undefined;
  }

  /**
   * `WITH w0 AS (… RETURNING 1), … SELECT count(w0) AS n0, …` (PostgreSQL). A write with a row
   * count to check is checked in the statement itself (bk_expect_rows raises, which fails the
   * statement and so the transaction), so a COMMIT sent behind it never commits a wrong count.
   */
  private batch(writes: readonly Write[]): Sql {
    const ctes = writes.map((w, i) => sql`${raw(`w${i}`)} AS (${w.sql} RETURNING 1)`);
    const counts = writes.map((w, i) =>
      w.rows === undefined
        ? raw(`(SELECT COUNT(*) FROM w${i}) AS n${i}`)
        : raw(`bk_expect_rows((SELECT COUNT(*) FROM w${i}), ${Number(w.rows)}, ${i}) AS n${i}`),
    );
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
