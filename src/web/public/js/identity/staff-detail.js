// Staff detail for administrators: name, email and roles, with the change history.
import { api, esc } from '../app.js';
import { busy, formatInstant, ROLE_LABELS, setError, setStatus, STATUS_LABELS } from './common.js';

const id = document.getElementById('staff').dataset.id;
const form = document.getElementById('staff-edit-form');
const detailError = document.getElementById('detail-error');
const editError = document.getElementById('edit-error');
const editStatus = document.getElementById('edit-status');
const historyBody = document.querySelector('#history tbody');
let current = null;

function label(field, value) {
  if (field === 'roles' && value)
    return value
      .split(',')
      .map((r) => ROLE_LABELS[r] || r)
      .join('、');
  if (field === 'status' && value) return STATUS_LABELS[value] || value;
  return value ?? '';
}

async function load() {
  setError(detailError, null);
  try {
    const [s, h] = await Promise.all([
      api('GET', '/api/staff/' + id),
      api('GET', '/api/staff/' + id + '/history'),
    ]);
    current = s;
    document.getElementById('staff-login-id').textContent = s.loginId;
    document.getElementById('staff-status').textContent =
      (STATUS_LABELS[s.status] || s.status) + (s.locked ? '（ロック中）' : '');
    form.name.value = s.name;
    form.email.value = s.email;
    for (const box of form.querySelectorAll('input[name=roles]')) box.checked = s.roles.includes(box.value);
    historyBody.innerHTML = h.items
      .map(
        (c) =>
          '<tr><td>' +
          esc(formatInstant(c.changedAt)) +
          '</td><td>' +
          esc(c.field) +
          '</td><td>' +
          esc(label(c.field, c.oldValue)) +
          '</td><td>' +
          esc(label(c.field, c.newValue)) +
          '</td><td>' +
          esc(c.changedBy) +
          '</td></tr>',
      )
      .join('');
  } catch (err) {
    setError(detailError, err);
  }
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  setStatus(editStatus, '');
  const roles = [...form.querySelectorAll('input[name=roles]:checked')].map((c) => c.value);
  if (roles.length === 0) {
    setError(editError, new Error('権限を1つ以上選択してください。'));
    return;
  }
  const patch = { roles };
  if (form.name.value.trim() !== current.name) patch.name = form.name.value.trim();
  if (form.email.value.trim() !== current.email) patch.email = form.email.value.trim();
  const r = await busy(form.querySelector('button[type=submit]'), editError, () =>
    api('PATCH', '/api/staff/' + id, patch),
  );
  if (r) {
    setStatus(editStatus, '変更しました。');
    await load();
  }
});

void load();
