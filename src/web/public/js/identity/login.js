// Login at the personal URL: ID + password, then the emailed one-time password (EC-05 (1)–(3)).
import { api } from '../app.js';
import { busy, setError, setStatus } from './common.js';

const loginKey = decodeURIComponent(location.pathname.replace(/^\/login\//, '').split('/')[0] || '');
const stepPassword = document.getElementById('step-password');
const stepOtp = document.getElementById('step-otp');
const loginForm = document.getElementById('login-form');
const otpForm = document.getElementById('otp-form');
const loginError = document.getElementById('login-error');
const otpError = document.getElementById('otp-error');
const otpStatus = document.getElementById('otp-status');
let challengeId = null;

function showPasswordStep() {
  challengeId = null;
  stepOtp.hidden = true;
  stepPassword.hidden = false;
  loginForm.password.value = '';
  loginForm.password.focus();
}

loginForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const loginId = loginForm.loginId.value.trim();
  const password = loginForm.password.value;
  if (!loginId || !password) {
    setError(loginError, new Error('ログインIDとパスワードを入力してください。'));
    return;
  }
  const r = await busy(loginForm.querySelector('button[type=submit]'), loginError, () =>
    api('POST', '/api/auth/login', { loginKey, loginId, password }),
  );
  if (!r) return;
  challengeId = r.challengeId;
  stepPassword.hidden = true;
  stepOtp.hidden = false;
  setError(otpError, null);
  setStatus(otpStatus, '');
  otpForm.otp.value = '';
  otpForm.otp.focus();
});

otpForm.addEventListener('submit', async (e) => {
  e.preventDefault();
  const otp = otpForm.otp.value.trim();
  if (!/^\d{6}$/.test(otp)) {
    setError(otpError, new Error('ワンタイムパスワード（半角数字6桁）を入力してください。'));
    return;
  }
  const r = await busy(otpForm.querySelector('button[type=submit]'), otpError, () =>
    api('POST', '/api/auth/otp', { challengeId, otp }),
  );
  if (!r) {
    otpForm.otp.select();
    return;
  }
  location.assign(r.mustChangePassword ? '/password/change' : '/home');
});

document.getElementById('otp-resend').addEventListener('click', async (e) => {
  setStatus(otpStatus, '');
  const r = await busy(e.currentTarget, otpError, () => api('POST', '/api/auth/otp/resend', { challengeId }));
  if (r) {
    setStatus(otpStatus, '新しいワンタイムパスワードを送信しました。以前のコードは使えません。');
    otpForm.otp.value = '';
    otpForm.otp.focus();
  }
});

document.getElementById('otp-restart').addEventListener('click', () => {
  setError(loginError, null);
  showPasswordStep();
});
