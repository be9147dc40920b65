import { api, esc, showError, yen } from '/assets/js/app.js';
import { jst, statusBadge } from './common.js';

const error = document.getElementById('error');

function item(c) {
  return `<li data-id="${esc(c.id)}"><a href="/my/contracts/${esc(c.id)}">${esc(c.title)}</a>
  ${statusBadge(c.status)} ${yen(c.amountYen)}・署名期限 ${esc(jst(c.deadline))}</li>`;
}

async function load() {
  try {
    const { items } = await api('GET', '/api/contracts');
    const groups = {
      pending: items.filter((c) => c.myTurn),
      waiting: items.filter(
        (c) => !c.myTurn && ['bank_signed', 'awaiting_signature', 'halted'].includes(c.status),
      ),
      done: items.filter((c) => c.status === 'completed'),
      closed: items.filter((c) => c.status === 'cancelled' || c.status === 'expired'),
    };
    for (const [k, list] of Object.entries(groups)) {
      document.getElementById(k).innerHTML = list.length ? list.map(item).join('') : '<li>ありません。</li>';
    }
  } catch (e) {
    showError(error, e);
  }
}
void load();
