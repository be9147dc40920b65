// The subscriber's signing certificate: status, application with PIN (EC-03/EC-04), PIN change.
import { api, esc, formJson } from '../app.js';
import { busy, renderCertificate, setError } from './common.js';

const statusBox = document.getElementById('cert-status');
const statusError = document.getElementById('status-error');
const applySection = document.getElementById('apply-section');
const pinSection = document.getElementById('pin-section');
const applyForm = document.getElementById('apply-form');
const applyError = document.getElementById('apply-error');
const pinForm = document.getElementById('pin-form');
const pinError = document.getElementById('pin-error');
const pinDone = document.getElementById('pin-done');

async function load() {
  setError(statusError, null);
  try {
    const data = await api('GET', '/api/me/certificate');
    const c = data.current;
    if (c) {
      let note = '';
      if (c.status === 'locked') {
        note =
          '<p class="error">暗証コードの誤入力が続いたため、署名鍵がロックされています。当金庫に失効をお申し出のうえ、再度申請してください。</p>';
      }
      statusBox.innerHTML = renderCertificate(c) + note;
    } else {
      const last = data.history[0];
      statusBox.innerHTML =
        '<p>有効な電子証明書はありません。</p>' +
        (last ? '<h3>直近の証明書</h3>' + renderCertificate(last) : '');
    }
    applySection.hidden = Boolean(c);
    pinSection.hidden = !c || c.status !== 'active';
  } catch (err) {
    statusBox.innerHTML = '';
    setError(statusError, err);
  }
}

applyForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = formJson(applyForm);
  if (body.pin !== body.pinConfirmation) {
    setError(applyError, new Error('確認用の暗証コードが一致しません。'));
    document.getElementById('pinConfirmation').focus();
    return;
  }
  const issued = await busy(applyForm.querySelector('button'), applyError, () =>
    api('POST', '/api/me/certificate', { pin: body.pin, pinConfirmation: body.pinConfirmation }),
  );
  if (issued) {
    applyForm.reset();
    await load();
    statusBox.insertAdjacentHTML(
      'afterbegin',
      '<p class="success" role="status">電子証明書を発行しました（シリアル番号 ' +
        esc(issued.serialNumber) +
        '）。暗証コードの設定をもって受領を確認しました。</p>',
    );
  } else {
    document.getElementById('pin').focus();
  }
});

pinForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  pinDone.textContent = '';
  const body = formJson(pinForm);
  if (body.newPin !== body.newPinConfirmation) {
    setError(pinError, new Error('確認用の新しい暗証コードが一致しません。'));
    document.getElementById('newPinConfirmation').focus();
    return;
  }
  const ok = await busy(pinForm.querySelector('button'), pinError, () =>
    api('POST', '/api/me/certificate/pin', { currentPin: body.currentPin, newPin: body.newPin }),
  );
  if (ok) {
    pinForm.reset();
    pinDone.textContent = '暗証コードを変更しました。';
  }
  await load();
});

void load();
