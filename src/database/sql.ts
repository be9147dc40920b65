import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/**
 * Hand-written SQL for the hot paths (transfer request and confirmation, postings, the audit
 * sealer; the archive renewal commit uses SqlTable for its column conversions).
 *
 * Why not the query builder there: on PostgreSQL the service spent more CPU building, escaping and
 * hydrating TypeORM queries than the database spent running them, and each repository call is its
 * own round trip. With plain statements several writes go to PostgreSQL as ONE statement
 * (data-modifying CTEs, executed atomically), and reads hydrate only what they select.
 *
 * Values are always bound parameters: the `sql` tag keeps the text and the values apart, and
 * `raw` is only for identifiers and constants written in this code. Column values go through the
 * driver's own conversion for the entity's column (dates, booleans, JSON, bigint transformers), so
 * a row written here reads back through TypeORM exactly as if TypeORM had written it, and vice
 * versa.
 */
export class Sql {
  constructor(
    readonly parts: readonly string[],
    readonly values: readonly unknown[],
  ) {}

  /** Text and values for the driver: `$1, $2…` on PostgreSQL, `?` on SQLite. */
  render(postgres: boolean): { text: string; values: unknown[] } {
    const values: unknown[] = [];
    const text = this.append(postgres, values);
    return { text, values };
  }

  private append(postgres: boolean, values: unknown[]): string {
    let text = this.parts[0];
    for (let i = 0; i < this.values.length; i++) {
      const v = this.values[i];
      if (v instanceof Sql) text += v.append(postgres, values);
      else {
        values.push(v);
        text += postgres ? `$${values.length}` : '?';
      }
      text += this.parts[i + 1];
    }
    return text;
  }
}

/** `sql\`… ${value} …\``: a statement (or fragment) with bound values; nested Sql is inlined. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  return new Sql(strings, values);
}

/** Text written in this code (identifiers, keywords): never user input. */
export function raw(text: string): Sql {
  return new Sql([text], []);
}

/** Fragments joined by a separator. */
export function join(items: readonly Sql[], separator = ', '): Sql {
  if (items.length === 0) return raw('');
  const parts = [''];
  for (let i = 1; i < items.length; i++) parts.push(separator);
  parts.push('');
  return new Sql(parts, items);
}

/** A bound value (for `join` of values). */
export function value(v: unknown): Sql {
  return new Sql(['', ''], [v]);
}

/**
 * One entity's table for hand-written SQL: column lists, INSERT and SET fragments with values
 * converted by the driver for each column, and hydration of selected rows.
 */
export class SqlTable<T extends ObjectLiteral> {
  private static readonly cache = new WeakMap<
    DataSource,
    Map<EntityTarget<ObjectLiteral>, SqlTable<ObjectLiteral>>
  >();

  /** The mapping of `entity` in `dataSource`, built once per data source and entity. */
  static of<T extends ObjectLiteral>(dataSource: DataSource, entity: EntityTarget<T>): SqlTable<T> {
    let tables = SqlTable.cache.get(dataSource);
    if (!tables) {
      tables = new Map<EntityTarget<ObjectLiteral>, SqlTable<ObjectLiteral>>();
      SqlTable.cache.set(dataSource, tables);
    }
    let t = tables.get(entity);
    if (!t) tables.set(entity, (t = new SqlTable(dataSource, entity)));
    return t as unknown as SqlTable<T>;
  }

  readonly name: string;
  private readonly columns: ColumnMetadata[];
  private readonly byProperty = new Map<string, ColumnMetadata>();
  private readonly aliasKeys = new Map<string, [string, ColumnMetadata][]>();

  constructor(
    private readonly dataSource: DataSource,
    entity: EntityTarget<T>,
  ) {
    const meta = dataSource.getMetadata(entity);
    this.name = meta.tableName;
    this.columns = meta.columns;
    for (const c of meta.columns) this.byProperty.set(c.propertyName, c);
  }

  private column(property: string): ColumnMetadata {
    const c = this.byProperty.get(property);
    if (!c) throw new Error(`${this.name}: no column for ${property}`);
    return c;
  }

  /** The value as the driver writes it into this column. */
  value<K extends keyof T & string>(property: K, v: T[K]): unknown {
    return this.dataSource.driver.preparePersistentValue(v, this.column(property));
  }

  /**
   * `alias.col AS alias_col, …` for the given properties (all columns by default). Aliases are
   * lower case, so PostgreSQL returns them as written.
   */
  select(alias: string, properties?: readonly (keyof T & string)[]): Sql {
    const cols = properties ? properties.map((p) => this.column(p)) : this.columns;
    return raw(cols.map((c) => `${alias}.${c.databaseName} AS ${alias}_${c.databaseName}`).join(', '));
  }

  /**
   * The entity from a row selected with `select(alias, …)`, or undefined when its primary key is
   * null (the outer-join side found nothing). Only the selected columns are set.
   */
  hydrate(row: Record<string, unknown>, alias: string): T | undefined {
    const out: Record<string, unknown> = {};
    let found = false;
    for (const [key, c] of this.keys(alias)) {
      if (!(key in row)) continue;
      const v = row[key];
      if (c.isPrimary && v !== null && v !== undefined) found = true;
      out[c.propertyName] = this.dataSource.driver.prepareHydratedValue(v, c);
    }
    return found ? (out as T) : undefined;
  }

  /** The result keys of every column under an alias (computed once per alias). */
  private keys(alias: string): [string, ColumnMetadata][] {
    let k = this.aliasKeys.get(alias);
    if (!k) {
      k = this.columns.map((c) => [`${alias}_${c.databaseName}`, c]);
      this.aliasKeys.set(alias, k);
    }
    return k;
  }

  /** INSERT of whole rows (generated columns omitted: the database fills them). */
  insert(rows: readonly T[]): Sql {
    const cols = this.columns.filter((c) => !c.isGenerated);
    const tuples = rows.map(
      (r) =>
        sql`(${join(cols.map((c) => value(this.dataSource.driver.preparePersistentValue(r[c.propertyName], c))))})`,
    );
    return sql`INSERT INTO ${raw(this.name)} (${raw(cols.map((c) => c.databaseName).join(', '))}) VALUES ${join(tuples)}`;
  }

  /** `col = value, …` for an UPDATE. */
  set(patch: Partial<T>): Sql {
    const items = Object.entries(patch)
      .filter(([, v]) => v !== undefined)
      .map(([p, v]) => {
        const c = this.column(p);
        return sql`${raw(c.databaseName)} = ${this.dataSource.driver.preparePersistentValue(v, c)}`;
      });
    return join(items);
  }
}

/** A write of a batch, with the number of rows it must affect (checked before the commit). */
export interface Write {
  sql: Sql;
  /** Rows the statement must insert or change; a different count aborts the transaction. */
  rows?: number;
  /** Label in the error when the count differs. */
  what: string;
}

/** A write of a batch changed another number of rows than it must; the batch was rolled back. */
export class RowCountMismatch extends Error {
  constructor(
    readonly write: Write,
    readonly actual: number,
  ) {
    super(`${write.what} changed ${actual} rows instead of ${write.rows}`);
  }
}
