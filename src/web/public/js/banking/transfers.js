import { showError, yen } from '/assets/js/app.js';
import { STATUS_NAMES, bkApi, el, wireLogout } from './common.js';

wireLogout();
const body = document.getElementById('transfers');
const error = document.getElementById('error');
const status = document.getElementById('status');

async function load() {
  const list = await bkApi('GET', '/api/banking/transfers');
  body.replaceChildren();
  for (const t of list) {
    const tr = el('tr');
    tr.append(
      el('td', new Date(t.requestedAt).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' })),
      el('td', t.executionDate),
      el('td', `${t.payee.bankName} ${t.payee.branchName} ${t.payee.accountNumber} ${t.payee.nameKana}`),
      el('td', yen(t.amountYen), { class: 'num' }),
      el('td', yen(t.feeYen), { class: 'num' }),
      el('td', STATUS_NAMES[t.status] || t.status),
    );
    const action = el('td');
    if (t.status === 'scheduled') {
      const b = el('button', '取消', {
        type: 'button',
        class: 'danger',
        'aria-label': `${t.executionDate} ${t.payee.nameKana} ${t.amountYen}円の予約を取り消す`,
      });
      b.addEventListener('click', async () => {
        if (!window.confirm('この予約を取り消しますか？')) return;
        showError(error, null);
        try {
          await bkApi('POST', `/api/banking/transfers/${t.id}/cancel`);
          status.textContent = '予約を取り消しました。';
          await load();
        } catch (e) {
          showError(error, e);
        }
      });
      action.append(b);
    }
    tr.append(action);
    body.append(tr);
  }
}

load().catch((e) => showError(error, e));
