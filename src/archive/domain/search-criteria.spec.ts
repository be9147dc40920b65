import { likePattern, parseSearchCriteria, toCsv } from './search-criteria';

describe('search criteria (電子帳簿保存法)', () => {
  it('parses ranges and combinations with defaults', () => {
    expect(parseSearchCriteria({})).toEqual({
      ok: true,
      criteria: { page: 1, pageSize: 50, format: 'json' },
    });
    expect(
      parseSearchCriteria({
        dateFrom: '2026-01-01',
        dateTo: '2026-12-31',
        amountMin: '1,000,000',
        amountMax: '5000000',
        counterparty: ' 電子 ',
        loanType: 'housing',
        page: '2',
        pageSize: '10',
        format: 'csv',
      }),
    ).toEqual({
      ok: true,
      criteria: {
        dateFrom: '2026-01-01',
        dateTo: '2026-12-31',
        amountMin: 1_000_000,
        amountMax: 5_000_000,
        counterparty: '電子',
        loanType: 'housing',
        page: 2,
        pageSize: 10,
        format: 'csv',
      },
    });
  });

  it('names every field at fault', () => {
    const r = parseSearchCriteria({ dateFrom: '2026-13-01', amountMin: 'abc', pageSize: '0', loanType: 'x' });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.map((p) => p.field)).toEqual(['dateFrom', 'amountMin', 'loanType', 'pageSize']);
  });

  it('refuses inverted ranges', () => {
    const r = parseSearchCriteria({
      dateFrom: '2026-02-01',
      dateTo: '2026-01-01',
      amountMin: '5',
      amountMax: '4',
    });
    expect(r.ok ? [] : r.problems.map((p) => p.field)).toEqual(['dateTo', 'amountMax']);
  });

  it('normalises combining kana to NFC', () => {
    const r = parseSearchCriteria({ counterparty: 'カ\u3099ス' });
    expect(r.ok && r.criteria.counterparty).toBe('ガス');
  });

  it('escapes LIKE wildcards', () => {
    expect(likePattern('100%_a\\b')).toBe('%100\\%\\_a\\\\b%');
  });

  it('writes CSV with a BOM, quoting and formula neutralisation', () => {
    const csv = toCsv(
      ['a', 'b'],
      [
        ['=SUM(A1)', 'x,"y"'],
        [12, null],
      ],
    );
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.slice(1)).toBe('a,b\r\n\'=SUM(A1),"x,""y"""\r\n12,\r\n');
  });
});
