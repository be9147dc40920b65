// Shared pieces of the contract pages: labels, dates, the PDF viewer (pdf.js served locally).
import { api, esc, showError } from '/assets/js/app.js';

export const STATUS = {
  draft: '当金庫署名待ち',
  bank_signed: '当金庫署名済み',
  awaiting_signature: 'お客さま署名待ち',
  completed: '締結済み',
  cancelled: '取消し',
  expired: '期限切れ',
  halted: '停止中（要確認）',
};
export const LOAN = { housing: '住宅ローン', business: '事業性融資', consumer: '消費者ローン' };
export const ROLE = { debtor: '債務者', guarantor: '保証人' };
export const EVENT = {
  created: '登録',
  bank_signed: '当金庫署名',
  signature_requested: '署名依頼メール送信',
  signed: '署名',
  validated: '署名検証（有効）',
  validation_failed: '署名検証（不合格）',
  completed: '締結',
  archived: '原本保管（B-LTA）',
  cancelled: '取消し',
  expired: '期限切れ',
  reminded: '期限前のお知らせ',
  copy_downloaded: '副本ダウンロード',
  original_downloaded: '原本ダウンロード',
};

export function statusBadge(s) {
  const cls =
    s === 'completed' ? 'ok' : s === 'cancelled' || s === 'expired' || s === 'halted' ? 'ng' : 'wait';
  return `<span class="badge ${cls}" data-status="${esc(s)}">${esc(STATUS[s] || s)}</span>`;
}

export function jst(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' });
}

export function idFromPage() {
  const el = document.getElementById('contract');
  return el ? el.dataset.id : '';
}

let pdfjsPromise;
function pdfjs() {
  if (!pdfjsPromise) {
    pdfjsPromise = import('/assets/pdfjs/pdf.mjs').then((lib) => {
      lib.GlobalWorkerOptions.workerSrc = '/assets/pdfjs/pdf.worker.mjs';
      return lib;
    });
  }
  return pdfjsPromise;
}

/** Renders every page of a PDF (ArrayBuffer) as canvases into #viewer. */
export async function renderPdf(data) {
  const viewer = document.getElementById('viewer');
  const status = document.getElementById('viewer-status');
  viewer.textContent = '';
  status.textContent = '読み込み中…';
  try {
    const lib = await pdfjs();
    const doc = await lib.getDocument({ data: new Uint8Array(data), isEvalSupported: false }).promise;
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const viewport = page.getViewport({ scale: 1.3 });
      const canvas = document.createElement('canvas');
      canvas.width = Math.floor(viewport.width);
      canvas.height = Math.floor(viewport.height);
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `${i} ページ目`);
      canvas.className = 'pdf-page';
      viewer.appendChild(canvas);
      await page.render({ canvasContext: canvas.getContext('2d'), viewport, canvas }).promise;
    }
    status.textContent = `全 ${doc.numPages} ページ`;
    viewer.dataset.pages = String(doc.numPages);
  } catch (e) {
    status.textContent = 'PDF を表示できませんでした: ' + (e && e.message ? e.message : String(e));
  }
}

/** Fetches the contract's current PDF (same-origin, session cookie) and shows it. */
export async function showDocument(id) {
  const res = await fetch(`/api/contracts/${encodeURIComponent(id)}/document`, {
    credentials: 'same-origin',
  });
  if (!res.ok) {
    let msg = 'PDF を取得できませんでした。';
    try {
      const body = await res.json();
      if (body && body.error) msg = body.error.message + ' (' + body.error.code + ')';
    } catch {
      // not JSON
    }
    document.getElementById('viewer-status').textContent = msg;
    return;
  }
  await renderPdf(await res.arrayBuffer());
}

export function factsHtml(c) {
  const rows = [
    ['件名', esc(c.title)],
    ['状態', statusBadge(c.status)],
    ['ローンの種類', esc(LOAN[c.loanType] || c.loanType)],
    ['金額', '¥' + Number(c.amountYen).toLocaleString('ja-JP')],
    ['相手方', esc(c.counterparty)],
    ['契約日', esc(c.contractDate)],
    ['署名期限', esc(jst(c.deadline))],
  ];
  if (c.completedAt) rows.push(['締結日時', esc(jst(c.completedAt))]);
  return rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('');
}

/**
 * Wires a signing form: disables it while the server signs, shows the outcome in #notice or the
 * refusal (wrong PIN, locked PIN, not your turn, expired…) in #error, and always clears the PIN.
 */
export function signingForm(form, { url, body, done, after }) {
  const error = document.getElementById('error');
  const notice = document.getElementById('notice');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError(error, null);
    const button = form.querySelector('button');
    button.disabled = true;
    notice.textContent = '署名しています…';
    try {
      const r = await api('POST', url, body(form));
      form.reset();
      notice.textContent = done(r);
      await after();
    } catch (e) {
      notice.textContent = '';
      form.elements.pin.value = '';
      showError(error, e);
    } finally {
      button.disabled = false;
    }
  });
}
