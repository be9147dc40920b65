// Helpers shared by the identity and RA pages.
export { busy, setError } from '../app.js';

export function setStatus(el, text) {
  if (!el) return;
  el.textContent = text || '';
}

export const STATUS_LABELS = {
  active: '利用中',
  suspended: '利用停止',
  restricted: '利用制限',
  deleted: '削除済み',
};

export const KIND_LABELS = {
  individual: '個人',
  sole_proprietor: '個人事業主',
  corporate: '法人',
};

export const ROLE_LABELS = {
  admin: '管理者',
  ra_officer: '登録局担当者',
  loan_officer: '融資担当者',
  bank_signer: '金庫署名担当者',
  auditor: '監査担当者',
  operations: '事務担当者',
};

export function formatInstant(iso) {
  if (!iso) return '';
  return new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' });
}

/** Renders the one-time credentials panel for a printed notice. */
export function renderIssued(el, issued, extraHtml, esc) {
  el.innerHTML =
    '<h2>登録しました</h2>' +
    '<p class="notice">仮パスワードはこの画面でのみ表示されます。書面に印刷してご本人にお渡しください（メールでは送信されません）。</p>' +
    '<dl>' +
    '<dt>ログインID</dt><dd id="issued-login-id">' +
    esc(issued.loginId) +
    '</dd>' +
    '<dt>仮パスワード</dt><dd id="issued-password"><code>' +
    esc(issued.temporaryPassword) +
    '</code></dd>' +
    '<dt>個人専用ログインURL</dt><dd id="issued-url"><code>' +
    esc(issued.loginUrl) +
    '</code></dd>' +
    '</dl>' +
    (extraHtml || '');
  el.hidden = false;
  el.setAttribute('tabindex', '-1');
  el.focus();
}
