import { join, raw, sql, value } from './sql';

describe('sql tag (hand-written banking SQL)', () => {
  it('binds values as numbered parameters on PostgreSQL and ? on SQLite, never in the text', () => {
    const evil = "x' OR '1'='1";
    const q = sql`SELECT * FROM t WHERE a = ${evil} AND b = ${42}`;
    expect(q.render(true)).toEqual({ text: 'SELECT * FROM t WHERE a = $1 AND b = $2', values: [evil, 42] });
    expect(q.render(false)).toEqual({ text: 'SELECT * FROM t WHERE a = ? AND b = ?', values: [evil, 42] });
  });

  it('inlines nested fragments and numbers their values in order of appearance', () => {
    const inner = sql`x = ${1} AND y = ${2}`;
    const q = sql`WITH w0 AS (${inner}) SELECT ${3}, ${raw('n0')} FROM w0 WHERE z IN (${join([1, 2, 3].map(value))})`;
    expect(q.render(true)).toEqual({
      text: 'WITH w0 AS (x = $1 AND y = $2) SELECT $3, n0 FROM w0 WHERE z IN ($4, $5, $6)',
      values: [1, 2, 3, 1, 2, 3],
    });
    expect(q.render(false).text).toBe(
      'WITH w0 AS (x = ? AND y = ?) SELECT ?, n0 FROM w0 WHERE z IN (?, ?, ?)',
    );
  });

  it('joins with a separator and renders an empty join as nothing', () => {
    expect(join([sql`a = ${1}`, sql`b = ${2}`], ' AND ').render(true)).toEqual({
      text: 'a = $1 AND b = $2',
      values: [1, 2],
    });
    expect(sql`SELECT 1${join([])}`.render(true)).toEqual({ text: 'SELECT 1', values: [] });
  });
});
