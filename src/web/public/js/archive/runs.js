import { api, esc, showError } from '/assets/js/app.js';

const error = document.getElementById('error');
const notice = document.getElementById('notice');
const STATUS = { running: '実行中', finished: '完了', interrupted: '中断' };
const TRIGGER = { schedule: '定時', cli: 'CLI', api: '画面' };

function jst(iso) {
  return iso ? new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo' }) : '';
}

async function load() {
  try {
    const r = await api('GET', '/api/archive/runs');
    document.getElementById('due').textContent = `現在、更新期限が近い原本: ${r.due} 件`;
    document.querySelector('#runs tbody').innerHTML = r.runs
      .map(
        (x) => `<tr>
  <td>${esc(jst(x.startedAt))}</td><td>${esc(jst(x.finishedAt))}</td><td>${esc(STATUS[x.status] || x.status)}</td>
  <td>${esc(TRIGGER[x.trigger] || x.trigger)}</td><td class="num">${esc(x.due)}</td><td class="num">${esc(x.renewed)}</td>
  <td class="num">${esc(x.failed)}</td><td class="num">${x.durationMs === null ? '' : esc((x.durationMs / 1000).toFixed(1)) + ' 秒'}</td>
</tr>`,
      )
      .join('');
    document.getElementById('failures').innerHTML = r.runs
      .flatMap((x) => x.failures.map((f) => ({ ...f, at: x.startedAt })))
      .slice(0, 200)
      .map((f) => `<li>${esc(jst(f.at))} 契約 ${esc(f.contractId)}: ${esc(f.code)} — ${esc(f.message)}</li>`)
      .join('');
  } catch (e) {
    showError(error, e);
  }
}

const start = document.getElementById('start');
if (start) {
  start.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showError(error, null);
    const body = { mode: document.getElementById('mode').value };
    const limit = document.getElementById('limit').value.trim();
    if (limit) body.limit = Number(limit);
    try {
      const r = await api('POST', '/api/archive/restamp', body);
      notice.textContent = `実行を開始しました（${r.runId}）。`;
      await load();
    } catch (e) {
      showError(error, e);
    }
  });
}
void load();
