import { api, esc, showError } from '/assets/js/app.js';

const error = document.getElementById('error');
const result = document.getElementById('result');
const VERDICT = {
  'TOTAL-PASSED': '有効（TOTAL-PASSED）',
  INDETERMINATE: '判定不能（INDETERMINATE）',
  'TOTAL-FAILED': '無効（TOTAL-FAILED）',
};
const TYPE = { signature: '電子署名', 'document-timestamp': 'ドキュメントタイムスタンプ' };

function show(r, printableUrl) {
  result.hidden = false;
  document.getElementById('verdict').textContent =
    '総合判定: ' + (VERDICT[r.simple.indication] || r.simple.indication);
  document.getElementById('match').textContent = r.archived.length
    ? '保管原本と一致: ' +
      r.archived
        .map((a) => `${a.title}（契約 ${a.contractId}）第 ${a.version} 版${a.current ? '（現行）' : ''}`)
        .join('、')
    : '保管中のどの原本ともバイト単位で一致しません。';
  document.querySelector('#entries tbody').innerHTML = r.simple.signatures
    .map(
      (s, i) => `<tr>
  <td>${i + 1}</td><td>${esc(TYPE[s.type] || s.type)}</td><td>${esc(s.fieldName)}</td>
  <td>${esc(VERDICT[s.indication] || s.indication)}${s.subIndication ? ' / ' + esc(s.subIndication) : ''}</td>
  <td>${esc(s.signer || '')}</td><td>${esc(s.provenTime || '')}</td><td>${esc(s.message)}</td>
</tr>`,
    )
    .join('');
  const link = document.getElementById('printable');
  if (printableUrl) {
    link.href = printableUrl;
    link.hidden = false;
  } else link.hidden = true;
  document.getElementById('result-title').focus?.();
}

document.getElementById('upload').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError(error, null);
  const file = document.getElementById('file').files[0];
  if (!file) return showError(error, new Error('PDF ファイルを選択してください。'));
  const fd = new FormData();
  fd.append('file', file);
  try {
    show(await api('POST', '/api/verify', fd), null);
  } catch (e) {
    result.hidden = true;
    showError(error, e);
  }
});

document.getElementById('pick').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  showError(error, null);
  const id = document.getElementById('originalId').value.trim();
  try {
    const detail = await api('GET', '/api/archive/' + encodeURIComponent(id));
    const url = '/api/archive/' + encodeURIComponent(detail.id) + '/report';
    show(await api('GET', url), url + '?format=html');
  } catch (e) {
    result.hidden = true;
    showError(error, e);
  }
});
