// RA: look up a subscriber's certificates and revoke on a report (EC-11).
import { api, esc, formJson } from '../app.js';
import { busy, renderCertificate, setError } from './common.js';

const lookupForm = document.getElementById('lookup-form');
const lookupError = document.getElementById('lookup-error');
const list = document.getElementById('cert-list');
const revokeSection = document.getElementById('revoke-section');
const revokeForm = document.getElementById('revoke-form');
const revokeError = document.getElementById('revoke-error');
const revokeDone = document.getElementById('revoke-done');
const idInput = document.getElementById('subscriberId');
let subscriberId = '';

async function show(id) {
  subscriberId = id;
  const data = await api('GET', '/api/ra/subscribers/' + encodeURIComponent(id) + '/certificates');
  list.innerHTML = data.history.length
    ? data.history
        .map((c, i) => '<h3>' + (i === 0 ? '最新の証明書' : '過去の証明書') + '</h3>' + renderCertificate(c))
        .join('')
    : '<p>この利用者の電子証明書はありません。</p>';
  revokeSection.hidden = !data.current;
}

lookupForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  revokeDone.textContent = '';
  const id = formJson(lookupForm).subscriberId;
  await busy(lookupForm.querySelector('button'), lookupError, () => show(id));
});

revokeForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  revokeDone.textContent = '';
  const body = formJson(revokeForm);
  const label = revokeForm.querySelector('#reason option:checked').textContent;
  if (
    !window.confirm(
      'この利用者の電子証明書を失効します（' + label + '）。取り消しはできません。よろしいですか。',
    )
  )
    return;
  const res = await busy(revokeForm.querySelector('button'), revokeError, () =>
    api('POST', '/api/ra/subscribers/' + encodeURIComponent(subscriberId) + '/certificate/revoke', body),
  );
  if (res) {
    await show(subscriberId).catch((err) => setError(lookupError, err));
    revokeDone.textContent =
      '失効しました（シリアル番号 ' +
      res.revoked.map((c) => esc(c.serialNumber)).join(', ') +
      '）。CRL と OCSP に直ちに反映されます。';
  }
});

const preset = new URLSearchParams(window.location.search).get('subscriberId');
if (preset) {
  idInput.value = preset;
  void show(preset).catch((err) => setError(lookupError, err));
}
