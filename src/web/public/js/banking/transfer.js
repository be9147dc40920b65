import { formJson, showError, yen } from '/assets/js/app.js';
import { TYPE_NAMES, accountLabel, bkApi, el, wireLogout } from './common.js';

wireLogout();
const form = document.getElementById('transfer-form');
const confirmForm = document.getElementById('confirm-form');
const error = document.getElementById('error');
const confirmError = document.getElementById('confirm-error');
const steps = ['step-input', 'step-confirm', 'step-done'].map((id) => document.getElementById(id));
let current = null;
let idempotencyKey = null;

function randomKey() {
  // getRandomValues also works on plain http, where randomUUID is unavailable.
  return Array.from(window.crypto.getRandomValues(new Uint8Array(16)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('');
}

function show(i) {
  steps.forEach((s, j) => (s.hidden = i !== j));
  const focus = steps[i].querySelector('input, button, [role=status]');
  if (focus) focus.focus();
}

function details(dl, t) {
  dl.replaceChildren();
  const rows = [
    ['お取引', t.kindLabel],
    [
      'お受取人',
      `${t.payee.bankName} ${t.payee.branchName} ${TYPE_NAMES[t.payee.accountType] || ''} ${t.payee.accountNumber}`,
    ],
    ['お受取人名（カナ）', t.payee.nameKana],
    ['金額', yen(t.amountYen)],
    ['手数料', yen(t.feeYen)],
    ['お引落合計', yen(t.totalYen)],
    ['実行日', t.executionDate + (t.timing === 'now' ? '（即時）' : '（予約）')],
  ];
  if (t.status === 'awaiting_confirmation')
    rows.push(['確認期限', new Date(t.confirmDeadline).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' })]);
  for (const [k, v] of rows) dl.append(el('dt', k), el('dd', v));
}

try {
  const accounts = await bkApi('GET', '/api/banking/accounts');
  const wanted = new URLSearchParams(location.search).get('account');
  const select = document.getElementById('debitAccountId');
  for (const a of accounts) {
    const o = el('option', `${accountLabel(a)}（お支払可能額 ${yen(a.withdrawableYen)}）`, { value: a.id });
    if (a.id === wanted) o.selected = true;
    select.append(o);
  }
} catch (e) {
  showError(error, e);
}

form.addEventListener('input', () => (idempotencyKey = null));
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError(error, null);
  const d = formJson(form);
  const amount = Number(String(d.amountYen).replace(/[,，]/g, ''));
  if (!/^\d{4}$/.test(d.bankCode) || !/^\d{3}$/.test(d.branchCode) || !/^\d{7}$/.test(d.accountNumber)) {
    showError(
      error,
      new Error('金融機関コード4桁・支店コード3桁・口座番号7桁を半角数字で入力してください。'),
    );
    return;
  }
  if (!Number.isSafeInteger(amount) || amount < 1) {
    showError(error, new Error('金額は1円以上の整数で入力してください。'));
    return;
  }
  const body = {
    debitAccountId: d.debitAccountId,
    bankCode: d.bankCode,
    branchCode: d.branchCode,
    accountType: d.accountType,
    accountNumber: d.accountNumber,
    amountYen: amount,
  };
  if (d.executionDate) body.executionDate = d.executionDate;
  if (d.memo) body.memo = d.memo;
  // One key per filled-in form: a double click or a retry never creates two requests.
  idempotencyKey = idempotencyKey || `web-${randomKey()}`;
  try {
    current = await bkApi('POST', '/api/banking/transfers', body, {
      headers: { 'Idempotency-Key': idempotencyKey },
    });
    details(document.getElementById('confirm-details'), current);
    document.getElementById('code').value = '';
    show(1);
  } catch (e) {
    showError(error, e);
  }
});

confirmForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError(confirmError, null);
  const code = document.getElementById('code').value.trim();
  if (!/^\d{4,10}$/.test(code)) {
    showError(confirmError, new Error('メールでお送りした確認コード（数字）を入力してください。'));
    return;
  }
  try {
    const t = await bkApi(
      'POST',
      `/api/banking/transfers/${current.id}/confirm`,
      { code },
      { headers: { 'Idempotency-Key': `confirm-${current.id}` } },
    );
    const box = document.getElementById('done-details');
    box.replaceChildren(
      el(
        'p',
        t.status === 'executed'
          ? 'お取引が完了しました。'
          : `ご予約を受け付けました（実行日 ${t.executionDate}）。`,
      ),
      el('p', `受付番号: ${t.id}`),
    );
    const dl = el('dl');
    details(dl, t);
    box.append(dl);
    idempotencyKey = null;
    form.reset();
    show(2);
  } catch (e) {
    showError(confirmError, e);
    if (['CONFIRMATION_EXPIRED', 'EXECUTION_DATE_CHANGED', 'TRANSFER_STATE_CONFLICT'].includes(e.code))
      idempotencyKey = null;
  }
});

document.getElementById('abort').addEventListener('click', async () => {
  if (current) {
    try {
      await bkApi('POST', `/api/banking/transfers/${current.id}/cancel`);
    } catch {
      // already closed: nothing to cancel
    }
  }
  idempotencyKey = null;
  show(0);
});
