import { api, esc, showError } from '/assets/js/app.js';
import { EVENT, ROLE, factsHtml, idFromPage, jst, showDocument, signingForm } from './common.js';

const id = idFromPage();
const roles = (document.getElementById('contract').dataset.roles || '').split(' ');
const error = document.getElementById('error');
const notice = document.getElementById('notice');

async function loadIdentities() {
  const select = document.getElementById('signingIdentityId');
  try {
    const { items } = await api('GET', '/api/contracts/signing-identities');
    select.innerHTML = items.map((s) => `<option value="${esc(s.id)}">${esc(s.label)}</option>`).join('');
    if (items.length === 0)
      select.innerHTML = '<option value="">利用できる署名用電子証明書がありません</option>';
  } catch (e) {
    showError(error, e);
  }
}

async function load() {
  if (!id) {
    showError(error, { message: '契約書が見つかりません。', code: 'CONTRACT_NOT_FOUND' });
    return;
  }
  try {
    const c = await api('GET', '/api/contracts/' + encodeURIComponent(id));
    document.getElementById('title').textContent = c.title;
    let facts = factsHtml(c);
    if (c.haltReason) facts += `<dt>停止理由</dt><dd>${esc(c.haltReason)}</dd>`;
    if (c.cancelReason) facts += `<dt>取消し理由</dt><dd>${esc(c.cancelReason)}</dd>`;
    if (c.originalSha256) facts += `<dt>原本 SHA-256</dt><dd><code>${esc(c.originalSha256)}</code></dd>`;
    document.getElementById('facts').innerHTML = facts;
    document.querySelector('#parties tbody').innerHTML = c.parties
      .map(
        (p) => `<tr${c.currentSignerOrder === p.order ? ' aria-current="step"' : ''}>
  <td>${p.order}</td><td>${esc(ROLE[p.role] || p.role)}</td><td>${esc(p.name)}</td>
  <td>${esc(jst(p.notifiedAt))}</td><td>${p.signedAt ? esc(jst(p.signedAt)) : c.currentSignerOrder === p.order ? '署名待ち' : '—'}</td>
</tr>`,
      )
      .join('');
    document.querySelector('#documents tbody').innerHTML = c.documents
      .map(
        (
          d,
        ) => `<tr><td>${d.version}</td><td>${esc(d.kind)}</td><td><code>${esc(d.sha256.slice(0, 16))}…</code></td>
  <td>${esc(d.validation || '—')}</td><td>${esc(jst(d.createdAt))}</td></tr>`,
      )
      .join('');
    document.querySelector('#events tbody').innerHTML = c.events
      .map(
        (e) => `<tr><td>${esc(jst(e.at))}</td><td>${esc(EVENT[e.type] || e.type)}</td><td>${esc(e.actor)}</td>
  <td><code>${esc(e.details ? JSON.stringify(e.details) : '')}</code></td></tr>`,
      )
      .join('');
    const bankSign = document.getElementById('bank-sign');
    bankSign.hidden = !(c.status === 'draft' && roles.includes('bank_signer'));
    if (!bankSign.hidden) await loadIdentities();
    document.getElementById('cancel').hidden = !(
      ['draft', 'bank_signed', 'awaiting_signature', 'halted'].includes(c.status) &&
      (roles.includes('loan_officer') || roles.includes('admin'))
    );
    const original = document.getElementById('original');
    original.hidden = c.status !== 'completed';
    document.getElementById('original-link').href = `/api/contracts/${encodeURIComponent(id)}/original`;
    await showDocument(id);
  } catch (e) {
    showError(error, e);
  }
}

signingForm(document.getElementById('bank-sign-form'), {
  url: `/api/contracts/${encodeURIComponent(id)}/bank-signature`,
  body: (form) => ({
    signingIdentityId: form.elements.signingIdentityId.value,
    pin: form.elements.pin.value,
  }),
  done: (r) =>
    r.status === 'awaiting_signature'
      ? '当金庫の署名が完了し、1人目の署名者へ署名依頼のメールを送信しました。'
      : '当金庫の署名が完了しました。',
  after: load,
});

document.getElementById('cancel-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError(error, null);
  try {
    await api('POST', `/api/contracts/${encodeURIComponent(id)}/cancel`, {
      reason: ev.target.elements.reason.value,
    });
    notice.textContent = '契約書を取り消しました。';
    await load();
  } catch (e) {
    showError(error, e);
  }
});

void load();
