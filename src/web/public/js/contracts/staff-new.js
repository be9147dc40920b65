import { api, esc, showError } from '/assets/js/app.js';
import { renderPdf } from './common.js';

const form = document.getElementById('new-contract');
const error = document.getElementById('error');
const fileInput = document.getElementById('file');
const results = document.getElementById('signer-results');
const signers = document.getElementById('signers');

fileInput.addEventListener('change', async () => {
  const f = fileInput.files && fileInput.files[0];
  if (f) await renderPdf(await f.arrayBuffer());
});

function addSigner(id, label) {
  if ([...signers.querySelectorAll('li')].some((li) => li.dataset.id === id)) return;
  const li = document.createElement('li');
  li.dataset.id = id;
  li.innerHTML = `<span>${esc(label)}</span> <button type="button" class="secondary" aria-label="${esc(label)} を外す">外す</button>`;
  li.querySelector('button').addEventListener('click', () => li.remove());
  signers.appendChild(li);
}

async function search() {
  showError(error, null);
  const q = document.getElementById('signer-search').value.trim();
  try {
    const data = await api('GET', '/api/contracts/signer-candidates?query=' + encodeURIComponent(q));
    const items = (data && (data.items || data)) || [];
    results.innerHTML = '';
    for (const s of items) {
      const li = document.createElement('li');
      const label = `${s.name}（${s.loginId}）${s.status && s.status !== 'active' ? ' ※利用制限中' : ''}`;
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'secondary';
      b.textContent = `${label} を追加`;
      b.dataset.id = s.id;
      b.addEventListener('click', () => addSigner(s.id, label));
      li.appendChild(b);
      results.appendChild(li);
    }
    if (items.length === 0) results.innerHTML = '<li>該当する利用者がいません。</li>';
  } catch (e) {
    showError(error, e);
  }
}
document.getElementById('signer-search-button').addEventListener('click', () => void search());
document.getElementById('signer-search').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter') {
    ev.preventDefault();
    void search();
  }
});

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError(error, null);
  const fd = new FormData();
  const f = fileInput.files && fileInput.files[0];
  if (f) fd.append('file', f, f.name);
  for (const k of ['title', 'loanType', 'amount', 'counterparty', 'contractDate', 'deadline']) {
    const v = form.elements[k].value.trim();
    if (v) fd.append(k, v);
  }
  for (const li of signers.querySelectorAll('li')) fd.append('signerIds', li.dataset.id);
  const button = form.querySelector('button[type=submit]');
  button.disabled = true;
  try {
    const created = await api('POST', '/api/contracts', fd);
    location.href = '/contracts/' + encodeURIComponent(created.id);
  } catch (e) {
    showError(error, e);
    button.disabled = false;
  }
});
