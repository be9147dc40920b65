// Password change (forced after a temporary password).
import { api } from '../app.js';
import { busy, setError } from './common.js';

const form = document.getElementById('password-form');
const errorEl = document.getElementById('password-error');

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const currentPassword = form.currentPassword.value;
  const newPassword = form.newPassword.value;
  if (!currentPassword || !newPassword) {
    setError(errorEl, new Error('現在のパスワードと新しいパスワードを入力してください。'));
    return;
  }
  if (newPassword !== form.confirmPassword.value) {
    setError(errorEl, new Error('新しいパスワード（確認）が一致しません。'));
    form.confirmPassword.focus();
    return;
  }
  const r = await busy(form.querySelector('button[type=submit]'), errorEl, () =>
    api('POST', '/api/auth/password', { currentPassword, newPassword }),
  );
  if (r) location.assign('/home?passwordChanged=1');
});
