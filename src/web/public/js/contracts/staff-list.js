import { api, esc, showError, yen } from '/assets/js/app.js';
import { LOAN, jst, statusBadge } from './common.js';

const table = document.getElementById('contracts');
const error = document.getElementById('error');
const form = document.getElementById('filter');

async function load(status) {
  showError(error, null);
  try {
    const q = status ? '?status=' + encodeURIComponent(status) : '';
    const { items } = await api('GET', '/api/contracts' + q);
    table.tBodies[0].innerHTML = items
      .map(
        (c) => `<tr data-id="${esc(c.id)}">
  <td><a href="/contracts/${esc(c.id)}">${esc(c.title)}</a></td>
  <td>${esc(LOAN[c.loanType] || c.loanType)}</td>
  <td class="num">${yen(c.amountYen)}</td>
  <td>${esc(c.counterparty)}</td>
  <td>${esc(c.contractDate)}</td>
  <td>${statusBadge(c.status)}</td>
  <td>${esc(jst(c.deadline))}</td>
</tr>`,
      )
      .join('');
    document.getElementById('count').textContent = `${items.length} 件`;
  } catch (e) {
    showError(error, e);
  }
}

if (form) {
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void load(document.getElementById('status').value);
  });
}
void load(table.dataset.status || '');
