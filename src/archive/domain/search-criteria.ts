/**
 * Search of originals as 電子帳簿保存法施行規則 §2 ⑥ requires: by 取引年月日 (range), 取引金額
 * (range) and 取引先, in any combination. Pure parsing of the query string, naming the field
 * at fault.
 */
export interface SearchCriteria {
  dateFrom?: string;
  dateTo?: string;
  amountMin?: number;
  amountMax?: number;
  counterparty?: string;
  loanType?: string;
  page: number;
  pageSize: number;
  format: 'json' | 'csv';
}

export interface FieldProblem {
  field: string;
  problems: string[];
}

export const MAX_PAGE_SIZE = 500;
export const LOAN_TYPES = ['housing', 'business', 'consumer'] as const;

function validDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function one(v: unknown): string | undefined {
  if (Array.isArray(v)) return one(v[v.length - 1]);
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return t === '' ? undefined : t;
}

export function parseSearchCriteria(
  q: Record<string, unknown>,
): { ok: true; criteria: SearchCriteria } | { ok: false; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const bad = (field: string, problem: string) => problems.push({ field, problems: [problem] });
  const c: SearchCriteria = { page: 1, pageSize: 50, format: 'json' };
  for (const f of ['dateFrom', 'dateTo'] as const) {
    const v = one(q[f]);
    if (v === undefined) continue;
    if (!validDate(v)) bad(f, '日付は YYYY-MM-DD の形式で入力してください');
    else c[f] = v;
  }
  for (const f of ['amountMin', 'amountMax'] as const) {
    const v = one(q[f]);
    if (v === undefined) continue;
    const n = /^\d{1,16}$/.test(v.replace(/,/g, '')) ? Number(v.replace(/,/g, '')) : NaN;
    if (!Number.isSafeInteger(n)) bad(f, '金額は 0 以上の整数（円）で入力してください');
    else c[f] = n;
  }
  const cp = one(q.counterparty);
  if (cp !== undefined) {
    if (cp.length > 200) bad('counterparty', '取引先は 200 文字以内で入力してください');
    // NFC so that kana entered with combining marks (か + ゙) finds が as stored.
    else c.counterparty = cp.normalize('NFC');
  }
  const lt = one(q.loanType);
  if (lt !== undefined) {
    if (!(LOAN_TYPES as readonly string[]).includes(lt))
      bad('loanType', `ローン種別は ${LOAN_TYPES.join(' / ')} のいずれかです`);
    else c.loanType = lt;
  }
  const page = one(q.page);
  if (page !== undefined) {
    if (!/^\d{1,6}$/.test(page) || Number(page) < 1) bad('page', 'ページは 1 以上の整数です');
    else c.page = Number(page);
  }
  const size = one(q.pageSize);
  if (size !== undefined) {
    if (!/^\d{1,4}$/.test(size) || Number(size) < 1 || Number(size) > MAX_PAGE_SIZE)
      bad('pageSize', `1 ページの件数は 1〜${MAX_PAGE_SIZE} です`);
    else c.pageSize = Number(size);
  }
  const format = one(q.format);
  if (format !== undefined) {
    if (format !== 'json' && format !== 'csv') bad('format', 'format は json または csv です');
    else c.format = format;
  }
  if (c.dateFrom && c.dateTo && c.dateFrom > c.dateTo)
    bad('dateTo', '終了日は開始日以降の日付にしてください');
  if (c.amountMin !== undefined && c.amountMax !== undefined && c.amountMin > c.amountMax)
    bad('amountMax', '上限金額は下限金額以上にしてください');
  return problems.length ? { ok: false, problems } : { ok: true, criteria: c };
}

/** LIKE pattern for a partial match, with the wildcards of the input escaped (ESCAPE '\'). */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/** RFC 4180 CSV with a UTF-8 BOM so that Excel opens Japanese text correctly. */
export function toCsv(header: string[], rows: (string | number | null)[][]): string {
  const cell = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    // Formula injection (CWE-1236): a cell starting with = + - @ is read as text.
    const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
    return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  return `\uFEFF${[header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
