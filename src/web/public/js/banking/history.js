import { showError, yen } from '/assets/js/app.js';
import { accountLabel, bkApi, el, wireLogout } from './common.js';

wireLogout();
const form = document.getElementById('history-form');
const select = document.getElementById('account');
const lines = document.getElementById('lines');
const error = document.getElementById('error');
const csv = document.getElementById('csv');
const info = document.getElementById('pageinfo');
let page = 1;
let pages = 1;

function query() {
  const p = new URLSearchParams();
  const from = document.getElementById('from').value;
  const to = document.getElementById('to').value;
  if (from) p.set('from', from);
  if (to) p.set('to', to);
  return p;
}

async function load() {
  showError(error, null);
  const q = query();
  csv.href = `/api/banking/accounts/${encodeURIComponent(select.value)}/transactions.csv?${q}`;
  q.set('page', String(page));
  q.set('pageSize', '20');
  try {
    const r = await bkApi(
      'GET',
      `/api/banking/accounts/${encodeURIComponent(select.value)}/transactions?${q}`,
    );
    pages = Math.max(1, r.pages);
    lines.replaceChildren();
    for (const l of r.lines) {
      const tr = el('tr');
      tr.append(
        el('td', l.date),
        el('td', l.description),
        el('td', l.withdrawalYen ? yen(l.withdrawalYen) : '', { class: 'num' }),
        el('td', l.depositYen ? yen(l.depositYen) : '', { class: 'num' }),
        el('td', yen(l.balanceYen), { class: 'num' }),
      );
      lines.append(tr);
    }
    if (r.lines.length === 0)
      lines.append(el('tr')).append(el('td', 'この期間のお取引はありません。', { colspan: '5' }));
    info.textContent = `${r.page} / ${pages} ページ（${r.total}件、${r.from}〜${r.to}）`;
  } catch (e) {
    showError(error, e);
  }
}

try {
  const accounts = await bkApi('GET', '/api/banking/accounts');
  const wanted = new URLSearchParams(location.search).get('account');
  for (const a of accounts) {
    const o = el('option', accountLabel(a), { value: a.id });
    if (a.id === wanted) o.selected = true;
    select.append(o);
  }
  await load();
} catch (e) {
  showError(error, e);
}
form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  page = 1;
  void load();
});
document.getElementById('prev').addEventListener('click', () => {
  if (page > 1) {
    page--;
    void load();
  }
});
document.getElementById('next').addEventListener('click', () => {
  if (page < pages) {
    page++;
    void load();
  }
});
