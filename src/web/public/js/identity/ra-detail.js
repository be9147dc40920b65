// Subscriber detail: registered data, status actions, EC-12 changes and their history.
import { api, esc } from '../app.js';
import {
  busy,
  formatInstant,
  KIND_LABELS,
  renderIssued,
  setError,
  setStatus,
  STATUS_LABELS,
} from './common.js';

const root = document.getElementById('subscriber');
const id = root.dataset.id;
const canWrite = root.dataset.canWrite === '1';
const detailError = document.getElementById('detail-error');
const fields = document.getElementById('subscriber-fields');
const historyBody = document.querySelector('#history tbody');
let current = null;

function row(label, value) {
  return '<dt>' + esc(label) + '</dt><dd>' + esc(value ?? '—') + '</dd>';
}

async function load() {
  setError(detailError, null);
  try {
    const [s, h] = await Promise.all([
      api('GET', '/api/ra/subscribers/' + id),
      api('GET', '/api/ra/subscribers/' + id + '/history'),
    ]);
    current = s;
    const iv = s.identityVerification;
    fields.innerHTML =
      row('ログインID', s.loginId) +
      row('状態', (STATUS_LABELS[s.status] || s.status) + (s.locked ? '（ロック中）' : '')) +
      row('区分', KIND_LABELS[s.kind] || s.kind) +
      (s.kind === 'corporate'
        ? row('法人名', s.corporationName) +
          row('役職', s.officerTitle) +
          row('権限の内容', s.officerAuthority)
        : '') +
      row('氏名', s.name) +
      row('氏名（カナ）', s.nameKana) +
      row('メールアドレス', s.email) +
      row('電話番号', s.phone) +
      row('生年月日', s.birthDate) +
      row('本人確認書類', iv.documentType + '（末尾 ' + iv.documentNumberLast4 + '）') +
      row('本人確認日時', formatInstant(iv.verifiedAt)) +
      row('最終ログイン', formatInstant(s.lastLoginAt));
    historyBody.innerHTML = h.items
      .map(
        (c) =>
          '<tr><td>' +
          esc(formatInstant(c.changedAt)) +
          '</td><td>' +
          esc(c.field) +
          '</td><td>' +
          esc(c.oldValue) +
          '</td><td>' +
          esc(c.newValue) +
          '</td><td>' +
          esc(c.changedBy) +
          '</td></tr>',
      )
      .join('');
    if (canWrite) {
      const f = document.getElementById('edit-form');
      f.name.value = s.name;
      f.nameKana.value = s.nameKana;
      f.email.value = s.email;
      f.phone.value = s.phone || '';
    }
  } catch (err) {
    setError(detailError, err);
  }
}

if (canWrite) {
  const statusEl = document.getElementById('action-status');
  const reasonEl = document.getElementById('status-reason');
  document.querySelectorAll('button[data-action]').forEach((b) =>
    b.addEventListener('click', async () => {
      const action = b.dataset.action;
      setStatus(statusEl, '');
      if (action === 'reissue') {
        const ok = window.confirm(
          '新しい仮パスワードと個人専用ログインURLを発行しますか。現在のパスワードとURLは使えなくなります。',
        );
        if (!ok) return;
        const issued = await busy(b, detailError, () =>
          api('POST', '/api/ra/subscribers/' + id + '/reissue'),
        );
        if (issued) {
          renderIssued(document.getElementById('reissued'), issued, '', esc);
          await load();
        }
        return;
      }
      if (
        action === 'delete' &&
        !window.confirm('この利用者を削除しますか。ログインできなくなります（記録は保存されます）。')
      )
        return;
      const reason = reasonEl.value.trim();
      const body = reason ? { reason } : {};
      const r = await busy(b, detailError, () =>
        action === 'delete'
          ? api('DELETE', '/api/ra/subscribers/' + id, body)
          : api('POST', '/api/ra/subscribers/' + id + '/' + action, action === 'unlock' ? undefined : body),
      );
      if (r) {
        setStatus(statusEl, '処理しました。');
        await load();
      }
    }),
  );

  const form = document.getElementById('edit-form');
  const editError = document.getElementById('edit-error');
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const patch = {};
    for (const f of ['name', 'nameKana', 'email', 'phone']) {
      const v = form[f].value.trim();
      if (v && v !== (current[f] || '')) patch[f] = v;
    }
    if (Object.keys(patch).length === 0) {
      setError(editError, new Error('変更された項目がありません。'));
      return;
    }
    const r = await busy(form.querySelector('button[type=submit]'), editError, () =>
      api('PATCH', '/api/ra/subscribers/' + id, patch),
    );
    if (r) await load();
  });
}

void load();
