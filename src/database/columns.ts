import { Column, ColumnOptions, ValueTransformer } from 'typeorm';

/**
 * Column decorators that mean the same on SQLite and PostgreSQL. Entities use these instead of
 * driver-specific types so that one set of entities and migrations serves both databases.
 */

/** An instant (UTC). SQLite: `datetime` text in UTC; PostgreSQL: `timestamptz` (see migration.util). */
export function InstantColumn(options: Omit<ColumnOptions, 'type'> = {}): PropertyDecorator {
  return Column({ ...options, type: Date });
}

const integerTransformer: ValueTransformer = {
  to: (v: number | null | undefined) => {
    if (v === null || v === undefined) return v;
    if (!Number.isSafeInteger(v)) throw new RangeError(`not a safe integer: ${String(v)}`);
    return v;
  },
  // PostgreSQL returns bigint as a string; SQLite as a number.
  from: (v: string | number | null) => (v === null || v === undefined ? v : Number(v)),
};

/** Integer yen (or any count that may exceed 2^31). Never floating point. */
export function MoneyColumn(options: Omit<ColumnOptions, 'type' | 'transformer'> = {}): PropertyDecorator {
  return Column({ ...options, type: 'bigint', transformer: integerTransformer });
}

/** A 64-bit integer that is not money (sequence numbers, byte sizes). */
export const BigIntColumn = MoneyColumn;

/** JSON stored as text on both databases. */
export function JsonColumn(options: Omit<ColumnOptions, 'type'> = {}): PropertyDecorator {
  return Column({ ...options, type: 'simple-json' });
}
