// Staff administration: register staff (credentials shown once) and manage their status.
import { api, esc } from '../app.js';
import { busy, formatInstant, renderIssued, ROLE_LABELS, setError, STATUS_LABELS } from './common.js';

const form = document.getElementById('staff-form');
const formError = document.getElementById('staff-error');
const issuedEl = document.getElementById('staff-issued');
const listError = document.getElementById('staff-list-error');
const tbody = document.querySelector('#staff-table tbody');

const ACTIONS = {
  active: [
    ['reissue', '再発行'],
    ['suspend', '利用停止'],
    ['delete', '削除'],
  ],
  suspended: [
    ['reactivate', '利用再開'],
    ['delete', '削除'],
  ],
  deleted: [],
  restricted: [],
};

async function load() {
  setError(listError, null);
  try {
    const { items } = await api('GET', '/api/staff');
    tbody.innerHTML = items
      .map((s) => {
        const actions = (ACTIONS[s.status] || []).slice();
        if (s.locked) actions.unshift(['unlock', 'ロック解除']);
        return (
          '<tr><td><a href="/admin/staff/' +
          esc(s.id) +
          '">' +
          esc(s.loginId) +
          '</a>' +
          '</td><td>' +
          esc(s.name) +
          '</td><td>' +
          esc(s.email) +
          '</td><td>' +
          s.roles.map((r) => esc(ROLE_LABELS[r] || r)).join('、') +
          '</td><td>' +
          esc(STATUS_LABELS[s.status] || s.status) +
          (s.locked ? '（ロック中）' : '') +
          '<br><small>最終ログイン: ' +
          esc(formatInstant(s.lastLoginAt) || '—') +
          '</small></td><td>' +
          actions
            .map(
              ([a, label]) =>
                '<button type="button" class="' +
                (a === 'delete' ? 'danger' : 'secondary') +
                '" data-id="' +
                esc(s.id) +
                '" data-action="' +
                a +
                '">' +
                label +
                '</button>',
            )
            .join(' ') +
          '</td></tr>'
        );
      })
      .join('');
  } catch (err) {
    setError(listError, err);
  }
}

tbody.addEventListener('click', async (e) => {
  const b = e.target.closest('button[data-action]');
  if (!b) return;
  const { id, action } = b.dataset;
  if (action === 'reissue') {
    if (!window.confirm('新しい仮パスワードと個人専用ログインURLを発行しますか。')) return;
    const issued = await busy(b, listError, () => api('POST', '/api/staff/' + id + '/reissue'));
    if (issued) {
      renderIssued(issuedEl, issued, '', esc);
      await load();
    }
    return;
  }
  if (action === 'delete' && !window.confirm('この職員を削除しますか。ログインできなくなります。')) return;
  const r = await busy(b, listError, () =>
    action === 'delete'
      ? api('DELETE', '/api/staff/' + id, {})
      : api('POST', '/api/staff/' + id + '/' + action, action === 'unlock' ? undefined : {}),
  );
  if (r) await load();
});

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const roles = [...form.querySelectorAll('input[name=roles]:checked')].map((c) => c.value);
  const name = form.name.value.trim();
  const email = form.email.value.trim();
  if (!name || !email || roles.length === 0) {
    setError(formError, new Error('氏名、メールアドレス、権限（1つ以上）を入力してください。'));
    return;
  }
  const r = await busy(form.querySelector('button[type=submit]'), formError, () =>
    api('POST', '/api/staff', { name, email, roles }),
  );
  if (!r) return;
  form.reset();
  renderIssued(issuedEl, r, '', esc);
  await load();
});

void load();
