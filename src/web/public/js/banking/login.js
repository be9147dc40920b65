import { api, formJson, showError } from '/assets/js/app.js';

const form = document.getElementById('login-form');
const error = document.getElementById('error');
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError(error, null);
  const data = formJson(form);
  if (!data.loginId || !data.password) {
    showError(error, new Error('ログインIDとパスワードを入力してください。'));
    return;
  }
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    await api('POST', '/api/banking/session', { loginId: data.loginId, password: data.password });
    location.assign('/banking');
  } catch (e) {
    showError(error, e);
    document.getElementById('password').value = '';
    document.getElementById('password').focus();
  } finally {
    button.disabled = false;
  }
});
