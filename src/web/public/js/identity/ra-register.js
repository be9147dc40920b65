// Subscriber registration by an RA officer after the identity check (EC-01, EC-02).
import { api, esc } from '../app.js';
import { busy, renderIssued } from './common.js';

const form = document.getElementById('register-form');
const errorEl = document.getElementById('register-error');
const issuedEl = document.getElementById('issued');
const corporate = document.getElementById('corporate-fields');

function pad(n) {
  return String(n).padStart(2, '0');
}
function nowLocal() {
  const d = new Date();
  return (
    d.getFullYear() +
    '-' +
    pad(d.getMonth() + 1) +
    '-' +
    pad(d.getDate()) +
    'T' +
    pad(d.getHours()) +
    ':' +
    pad(d.getMinutes())
  );
}
function syncKind() {
  corporate.hidden = form.kind.value !== 'corporate';
}
form.kind.addEventListener('change', syncKind);
syncKind();
form.verifiedAt.value = nowLocal();

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const v = (name) => form[name].value.trim();
  const body = {
    kind: v('kind'),
    name: v('name'),
    nameKana: v('nameKana'),
    email: v('email'),
    identityVerification: {
      documentType: v('documentType'),
      documentNumberLast4: v('documentNumberLast4'),
      verifiedAt: v('verifiedAt') ? new Date(v('verifiedAt')).toISOString() : '',
    },
  };
  for (const f of ['phone', 'birthDate']) if (v(f)) body[f] = v(f);
  if (body.kind === 'corporate') {
    for (const f of ['corporationName', 'officerTitle', 'officerAuthority']) if (v(f)) body[f] = v(f);
  }
  const r = await busy(form.querySelector('button[type=submit]'), errorEl, () =>
    api('POST', '/api/ra/subscribers', body),
  );
  if (!r) return;
  form.reset();
  syncKind();
  form.verifiedAt.value = nowLocal();
  renderIssued(issuedEl, r, '<p><a href="/ra/subscribers/' + esc(r.id) + '">登録内容を表示する</a></p>', esc);
});
