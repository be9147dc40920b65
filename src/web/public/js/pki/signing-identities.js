// Admin: the bank's branch-manager signing identities (EC-06).
import { api, esc, formJson } from '../app.js';
import { busy, CERT_STATUS_LABELS, formatInstant, setError } from './common.js';

const listBox = document.getElementById('identity-list');
const listError = document.getElementById('list-error');
const form = document.getElementById('create-form');
const createError = document.getElementById('create-error');
const createDone = document.getElementById('create-done');

async function load() {
  setError(listError, null);
  try {
    const { items } = await api('GET', '/api/admin/signing-identities');
    if (!items.length) {
      listBox.innerHTML = '<p>登録済みの名義はありません。</p>';
      return;
    }
    listBox.innerHTML =
      '<table><thead><tr><th scope="col">名義</th><th scope="col">状態</th><th scope="col">証明書</th><th scope="col">有効期限</th><th scope="col">操作</th></tr></thead><tbody>' +
      items
        .map((i) => {
          const c = i.certificate;
          return (
            '<tr><td>' +
            esc(i.displayName) +
            '</td><td>' +
            esc(i.status === 'active' ? '有効' : '失効') +
            '</td><td>' +
            esc(c ? (CERT_STATUS_LABELS[c.status] || c.status) + '（' + c.serialNumber + '）' : '—') +
            '</td><td>' +
            esc(c ? formatInstant(c.notAfter) : '—') +
            '</td><td>' +
            (i.status === 'active'
              ? '<button type="button" class="danger" data-revoke="' +
                esc(i.id) +
                '" data-name="' +
                esc(i.displayName) +
                '">失効</button>'
              : '') +
            '</td></tr>'
          );
        })
        .join('') +
      '</tbody></table>';
  } catch (err) {
    setError(listError, err);
  }
}

listBox.addEventListener('click', async (ev) => {
  const button = ev.target.closest('button[data-revoke]');
  if (!button) return;
  if (!window.confirm(button.dataset.name + ' の名義と証明書を失効します。よろしいですか。')) return;
  const res = await busy(button, listError, () =>
    api('POST', '/api/admin/signing-identities/' + encodeURIComponent(button.dataset.revoke) + '/revoke', {}),
  );
  if (res) await load();
});

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  createDone.textContent = '';
  const created = await busy(form.querySelector('button'), createError, () =>
    api('POST', '/api/admin/signing-identities', formJson(form)),
  );
  if (created) {
    form.reset();
    createDone.textContent = '「' + created.displayName + '」の名義と証明書を作成しました。';
    await load();
  }
});

void load();
