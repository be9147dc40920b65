// Subscriber search for RA officers and auditors.
import { api, esc } from '../app.js';
import { KIND_LABELS, setError, STATUS_LABELS } from './common.js';

const form = document.getElementById('search-form');
const errorEl = document.getElementById('search-error');
const tbody = document.querySelector('#subscriber-table tbody');
const count = document.getElementById('search-count');

async function search() {
  setError(errorEl, null);
  const params = new URLSearchParams();
  if (form.query.value.trim()) params.set('query', form.query.value.trim());
  if (form.status.value) params.set('status', form.status.value);
  try {
    const { items, total } = await api('GET', '/api/ra/subscribers?' + params.toString());
    tbody.innerHTML = items
      .map(
        (s) =>
          '<tr><td><a href="/ra/subscribers/' +
          esc(s.id) +
          '">' +
          esc(s.loginId) +
          '</a></td><td>' +
          esc(s.name) +
          '</td><td>' +
          esc(s.nameKana) +
          '</td><td>' +
          esc(KIND_LABELS[s.kind] || s.kind) +
          '</td><td>' +
          esc(s.corporationName || '') +
          '</td><td>' +
          esc(STATUS_LABELS[s.status] || s.status) +
          (s.locked ? '（ロック中）' : '') +
          '</td></tr>',
      )
      .join('');
    count.textContent = total + '件' + (total > items.length ? '（先頭' + items.length + '件を表示）' : '');
  } catch (err) {
    setError(errorEl, err);
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  void search();
});
void search();
