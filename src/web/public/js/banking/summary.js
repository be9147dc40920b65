import { showError, yen } from '/assets/js/app.js';
import { TYPE_NAMES, bkApi, el, wireLogout } from './common.js';

wireLogout();
const body = document.getElementById('accounts');
try {
  const accounts = await bkApi('GET', '/api/banking/accounts');
  for (const a of accounts) {
    const tr = el('tr');
    tr.append(
      el('td', `${a.branchName}（${a.branchCode}）`),
      el('td', TYPE_NAMES[a.accountType] || a.accountType),
      el('td', a.accountNumber),
      el('td', a.nameKana),
      el('td', yen(a.balanceYen), { class: 'num', 'data-testid': 'balance' }),
      el('td', yen(a.withdrawableYen), { class: 'num' }),
    );
    const links = el('td');
    const h = el('a', '明細', { href: `/banking/history?account=${encodeURIComponent(a.id)}` });
    const t = el('a', '振込', { href: `/banking/transfer?account=${encodeURIComponent(a.id)}` });
    links.append(h, ' ', t);
    tr.append(links);
    body.append(tr);
  }
} catch (e) {
  showError(document.getElementById('error'), e);
}
