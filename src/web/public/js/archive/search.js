import { api, esc, showError, yen } from '/assets/js/app.js';

const form = document.getElementById('search');
const error = document.getElementById('error');
const table = document.getElementById('results');
const LOAN = { housing: '住宅ローン', business: '事業性融資', consumer: '消費者ローン' };
let page = 1;
const pageSize = 50;

function criteria() {
  const q = new URLSearchParams();
  for (const name of ['dateFrom', 'dateTo', 'amountMin', 'amountMax', 'counterparty', 'loanType']) {
    const v = form.elements[name].value.trim();
    if (v) q.set(name, v);
  }
  return q;
}

function problemsText(err) {
  const fields = (err.details && err.details.fields) || [];
  return fields.map((f) => `${f.field}: ${f.problems.join(', ')}`).join(' / ');
}

async function load() {
  showError(error, null);
  const q = criteria();
  q.set('page', String(page));
  q.set('pageSize', String(pageSize));
  try {
    const r = await api('GET', '/api/archive?' + q.toString());
    table.tBodies[0].innerHTML = r.items
      .map(
        (o) => `<tr>
  <td>${esc(o.transactionDate)}</td>
  <td class="num">${yen(o.amountYen)}</td>
  <td>${esc(o.counterparty)}</td>
  <td>${esc(LOAN[o.loanType] || o.loanType)}</td>
  <td>${esc(o.title)}</td>
  <td class="num">${esc(o.currentVersion)}</td>
  <td>${esc(o.protectionExpiresAt.slice(0, 10))}</td>
  <td><a href="/api/archive/${esc(o.id)}/original">原本</a> · <a href="/api/archive/${esc(o.id)}/report?format=html" target="_blank" rel="noopener">検証レポート</a></td>
</tr>`,
      )
      .join('');
    const pages = Math.max(1, Math.ceil(r.total / r.pageSize));
    document.getElementById('count').textContent = `${r.total} 件`;
    document.getElementById('pageinfo').textContent = `${r.page} / ${pages}`;
    document.getElementById('prev').disabled = r.page <= 1;
    document.getElementById('next').disabled = r.page >= pages;
  } catch (e) {
    showError(error, e);
    const detail = problemsText(e);
    if (detail) error.textContent += ' ' + detail;
  }
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  page = 1;
  void load();
});
document.getElementById('prev').addEventListener('click', () => {
  page = Math.max(1, page - 1);
  void load();
});
document.getElementById('next').addEventListener('click', () => {
  page += 1;
  void load();
});
document.getElementById('csv').addEventListener('click', () => {
  const q = criteria();
  q.set('format', 'csv');
  window.location.href = '/api/archive?' + q.toString();
});
void load();
