import { api, showError } from '/assets/js/app.js';
import { factsHtml, idFromPage, jst, showDocument, signingForm } from './common.js';

const id = idFromPage();
const error = document.getElementById('error');
const form = document.getElementById('sign-form');

async function load() {
  if (!id) {
    showError(error, { message: '契約書が見つかりません。', code: 'CONTRACT_NOT_FOUND' });
    return;
  }
  try {
    const c = await api('GET', '/api/contracts/' + encodeURIComponent(id));
    document.getElementById('title').textContent = c.title;
    document.getElementById('facts').innerHTML = factsHtml(c);
    document.getElementById('sign').hidden = !c.myTurn;
    const done = document.getElementById('completed');
    done.hidden = c.status === 'completed' ? false : true;
    if (c.status === 'completed') {
      document.getElementById('copy-link').href = `/api/contracts/${encodeURIComponent(id)}/original`;
      document.getElementById('copy-until').textContent = c.copyAvailableUntil
        ? `副本は ${jst(c.copyAvailableUntil)} までダウンロードいただけます。`
        : '';
    }
    // A separate line, so the result of the last action (in #notice) is never overwritten.
    document.getElementById('turn-info').textContent =
      !c.myTurn && c.status === 'awaiting_signature' ? '現在、他の署名者の署名をお待ちしています。' : '';
    await showDocument(id);
  } catch (e) {
    showError(error, e);
  }
}

signingForm(form, {
  url: `/api/contracts/${encodeURIComponent(id)}/signature`,
  body: (f) => ({ pin: f.elements.pin.value, agreed: f.elements.agreed.checked }),
  done: (r) =>
    r.status === 'completed'
      ? '署名が完了し、契約が締結されました。'
      : '署名が完了しました。次の署名者へ署名依頼をお送りしました。',
  after: load,
});

void load();
