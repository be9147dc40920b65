// Shared helpers of the internet-banking pages.
import { api, showError } from '/assets/js/app.js';

export const TYPE_NAMES = { 1: '普通', 2: '当座', 4: '貯蓄', 9: 'その他' };
export const STATUS_NAMES = {
  awaiting_confirmation: '確認待ち',
  scheduled: '予約中',
  executed: '実行済',
  returned: '返却（入金不能・組戻し）',
  failed: '処理不能',
  cancelled: '取消済',
  expired: '無効（期限切れ）',
};

/** Calls the API; on an expired session goes back to the login page. */
export async function bkApi(method, url, body, init) {
  try {
    return await api(method, url, body, init);
  } catch (e) {
    if (e && e.status === 401) {
      location.assign('/banking/login');
      return new Promise(() => {});
    }
    throw e;
  }
}

export function wireLogout() {
  const b = document.getElementById('logout');
  if (!b) return;
  b.addEventListener('click', async () => {
    try {
      await api('DELETE', '/api/banking/session');
    } catch (e) {
      showError(document.getElementById('error'), e);
      return;
    }
    location.assign('/banking/login');
  });
}

export function accountLabel(a) {
  return `${a.branchName}（${a.branchCode}） ${TYPE_NAMES[a.accountType] || a.accountType} ${a.accountNumber}`;
}

export function el(tag, text, attrs = {}) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}
