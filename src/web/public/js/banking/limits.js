import { showError, yen } from '/assets/js/app.js';
import { accountLabel, bkApi, el, wireLogout } from './common.js';

wireLogout();
const box = document.getElementById('limits');
const error = document.getElementById('error');
const status = document.getElementById('status');

function field(id, label, value, hint) {
  const wrap = el('div');
  const l = el('label', label, { for: id });
  const i = el('input', null, { id, inputmode: 'numeric', placeholder: hint });
  if (value !== null && value !== undefined) i.value = String(value);
  wrap.append(l, i);
  return { wrap, input: i };
}

async function load() {
  const accounts = await bkApi('GET', '/api/banking/accounts');
  box.replaceChildren();
  for (const a of accounts) {
    const form = el('form', null, { class: 'card stack', novalidate: '' });
    form.append(el('h2', accountLabel(a)));
    const per = field(
      `per-${a.id}`,
      '1回あたりの限度額（円）',
      a.limits.customerPerTransferYen,
      `当金庫所定 ${yen(a.limits.perTransferYen)}`,
    );
    const day = field(
      `day-${a.id}`,
      '1日あたりの限度額（円）',
      a.limits.customerPerDayYen,
      `当金庫所定 ${yen(a.limits.perDayYen)}`,
    );
    form.append(per.wrap, day.wrap, el('button', '設定する', { type: 'submit' }));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      showError(error, null);
      status.textContent = '';
      const parse = (v) => (v.trim() === '' ? null : Number(v.replace(/[,，]/g, '')));
      const body = { perTransferYen: parse(per.input.value), perDayYen: parse(day.input.value) };
      for (const v of Object.values(body)) {
        if (v !== null && (!Number.isSafeInteger(v) || v < 0)) {
          showError(error, new Error('限度額は0以上の整数（円）で入力してください。'));
          return;
        }
      }
      try {
        const r = await bkApi('PUT', `/api/banking/limits/${a.id}`, body);
        status.textContent = `設定しました（1回 ${yen(r.effective.perTransferYen)}、1日 ${yen(r.effective.perDayYen)}）。`;
      } catch (e) {
        showError(error, e);
      }
    });
    box.append(form);
  }
}

load().catch((e) => showError(error, e));
