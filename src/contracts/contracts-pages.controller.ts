import { Controller, Get, Header, Param } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CurrentPrincipal, RequireStaff, RequireSubscriber } from '../identity/auth/auth.decorators';
import { Principal, StaffRole } from '../identity/auth/principal';
import { navFor, whoOf } from '../identity/identity-pages.render';
import { escapeHtml, NavLink, renderPage } from '../web/layout';
import { isUuid } from './contract.repository';

const STAFF_ROLES = [StaffRole.LOAN_OFFICER, StaffRole.BANK_SIGNER, StaffRole.AUDITOR, StaffRole.ADMIN];

function contractNav(p: Principal): NavLink[] {
  const links: NavLink[] = [];
  if (p.kind === 'subscriber') links.push({ href: '/my/contracts', label: '契約書' });
  else {
    links.push({ href: '/contracts', label: '契約書一覧' });
    if (p.roles.includes(StaffRole.LOAN_OFFICER))
      links.push({ href: '/contracts/new', label: '契約書の登録' });
    if (p.roles.includes(StaffRole.BANK_SIGNER))
      links.push({ href: '/contracts/queue', label: '当金庫署名待ち' });
  }
  return [...links, ...navFor(p)];
}

function page(p: Principal, title: string, body: string, script: string): string {
  const css = '<link rel="stylesheet" href="/assets/js/contracts/contracts.css">';
  return renderPage({
    title,
    body: css + body,
    scripts: [`contracts/${script}`],
    nav: contractNav(p),
    who: whoOf(p),
  });
}

/** The same hidden error/notice slots on every page, announced to screen readers. */
const MESSAGES = `<p class="error" role="alert" id="error"></p><p class="success" role="status" id="notice"></p>`;

const VIEWER = `<section class="card" aria-labelledby="viewer-title">
  <h2 id="viewer-title">契約書の内容</h2>
  <p id="viewer-status" role="status">読み込み中…</p>
  <div id="viewer" class="pdf-viewer" tabindex="0" aria-label="契約書の PDF"></div>
</section>`;

/**
 * Server-rendered shells of the contract pages (Japanese, no inline script, no CDN); the modules
 * under /assets/js/contracts/ fill them from the JSON API. The contract id is validated here and
 * handed over in a data attribute.
 */
@ApiExcludeController()
@Controller()
export class ContractsPagesController {
  @Get('contracts')
  @RequireStaff(...STAFF_ROLES)
  @Header('Content-Type', 'text/html; charset=utf-8')
  list(@CurrentPrincipal() p: Principal): string {
    return page(
      p,
      '契約書一覧',
      `<h1>契約書一覧</h1>${MESSAGES}
<form id="filter" class="card inline" aria-label="絞り込み">
  <label for="status">状態</label>
  <select id="status" name="status">
    <option value="">すべて</option>
    <option value="draft">当金庫署名待ち</option>
    <option value="awaiting_signature">お客さま署名待ち</option>
    <option value="completed">締結済み</option>
    <option value="halted">停止中（要確認）</option>
    <option value="cancelled">取消し</option>
    <option value="expired">期限切れ</option>
  </select>
  <button type="submit">表示</button>
</form>
<table id="contracts" aria-describedby="count"><thead><tr>
  <th>契約書</th><th>種類</th><th class="num">金額</th><th>相手方</th><th>契約日</th><th>状態</th><th>署名期限</th>
</tr></thead><tbody></tbody></table>
<p id="count" role="status"></p>`,
      'staff-list.js',
    );
  }

  @Get('contracts/queue')
  @RequireStaff(StaffRole.BANK_SIGNER)
  @Header('Content-Type', 'text/html; charset=utf-8')
  queue(@CurrentPrincipal() p: Principal): string {
    return page(
      p,
      '当金庫署名待ち',
      `<h1>当金庫の署名待ち</h1>
<p>登録された契約書の内容を確認し、支店長の署名用電子証明書で署名してください（支店長の使者としての署名操作）。</p>${MESSAGES}
<table id="contracts" data-status="draft"><thead><tr>
  <th>契約書</th><th>種類</th><th class="num">金額</th><th>相手方</th><th>契約日</th><th>状態</th><th>署名期限</th>
</tr></thead><tbody></tbody></table>
<p id="count" role="status"></p>`,
      'staff-list.js',
    );
  }

  @Get('contracts/new')
  @RequireStaff(StaffRole.LOAN_OFFICER)
  @Header('Content-Type', 'text/html; charset=utf-8')
  newContract(@CurrentPrincipal() p: Principal): string {
    return page(
      p,
      '契約書の登録',
      `<h1>契約書の登録</h1>${MESSAGES}
<form id="new-contract" class="card stack" novalidate>
  <label for="file">契約書 PDF</label>
  <input id="file" name="file" type="file" accept="application/pdf,.pdf" required>
  <label for="title">件名</label>
  <input id="title" name="title" maxlength="200" required>
  <label for="loanType">ローンの種類</label>
  <select id="loanType" name="loanType" required>
    <option value="housing">住宅ローン</option>
    <option value="business">事業性融資</option>
    <option value="consumer">消費者ローン</option>
  </select>
  <label for="amount">金額（円）</label>
  <input id="amount" name="amount" inputmode="numeric" pattern="[0-9]*" required>
  <label for="counterparty">相手方（借主または法人名）</label>
  <input id="counterparty" name="counterparty" maxlength="200" required>
  <label for="contractDate">契約日</label>
  <input id="contractDate" name="contractDate" type="date" required>
  <fieldset>
    <legend>署名者（署名の順に。1人目が債務者、2人目以降が保証人）</legend>
    <label for="signer-search">利用者を検索</label>
    <input id="signer-search" type="search" placeholder="氏名・ログインID・メールアドレス">
    <button type="button" id="signer-search-button" class="secondary">検索</button>
    <ul id="signer-results" aria-live="polite"></ul>
    <ol id="signers" aria-label="署名者（順番）"></ol>
  </fieldset>
  <label for="deadline">署名期限（任意）</label>
  <input id="deadline" name="deadline" type="date">
  <p><button type="submit">登録する</button></p>
</form>
<section class="card" aria-labelledby="preview-title">
  <h2 id="preview-title">プレビュー</h2>
  <p id="viewer-status" role="status">PDF ファイルを選択すると、ここに表示されます。</p>
  <div id="viewer" class="pdf-viewer" tabindex="0" aria-label="契約書の PDF プレビュー"></div>
</section>`,
      'staff-new.js',
    );
  }

  @Get('contracts/:id')
  @RequireStaff(...STAFF_ROLES)
  @Header('Content-Type', 'text/html; charset=utf-8')
  staffDetail(@CurrentPrincipal() p: Principal, @Param('id') id: string): string {
    const roles = p.kind === 'staff' ? p.roles.join(' ') : '';
    return page(
      p,
      '契約書の詳細',
      `<div id="contract" data-id="${escapeHtml(isUuid(id) ? id : '')}" data-roles="${escapeHtml(roles)}">
<h1 id="title">契約書の詳細</h1>${MESSAGES}
<section class="card"><dl id="facts" class="facts"></dl></section>
<section class="card" aria-labelledby="parties-title"><h2 id="parties-title">署名者</h2>
  <table id="parties"><thead><tr><th>順</th><th>区分</th><th>氏名</th><th>依頼</th><th>署名</th></tr></thead><tbody></tbody></table>
</section>
<section class="card" id="bank-sign" hidden aria-labelledby="bank-sign-title">
  <h2 id="bank-sign-title">当金庫の署名（支店長の使者として）</h2>
  <form id="bank-sign-form" class="stack">
    <label for="signingIdentityId">署名用電子証明書（支店長）</label>
    <select id="signingIdentityId" name="signingIdentityId" required></select>
    <label for="bank-pin">暗証コード</label>
    <input id="bank-pin" name="pin" type="password" autocomplete="off" inputmode="numeric" required>
    <p><button type="submit">内容を確認して署名する</button></p>
  </form>
</section>
<section class="card" id="cancel" hidden aria-labelledby="cancel-title">
  <h2 id="cancel-title">契約書の取消し</h2>
  <form id="cancel-form" class="stack">
    <label for="reason">取消しの理由</label>
    <textarea id="reason" name="reason" maxlength="500" required></textarea>
    <p><button type="submit" class="danger">取り消す</button></p>
  </form>
</section>
<section class="card" id="original" hidden><h2>原本</h2>
  <p><a id="original-link" class="button" href="#">署名済み原本をダウンロード</a></p>
</section>
${VIEWER}
<section class="card" aria-labelledby="documents-title"><h2 id="documents-title">文書の版と検証結果</h2>
  <table id="documents"><thead><tr><th>版</th><th>内容</th><th>SHA-256</th><th>検証</th><th>日時</th></tr></thead><tbody></tbody></table>
</section>
<section class="card" aria-labelledby="history-title"><h2 id="history-title">履歴</h2>
  <table id="events"><thead><tr><th>日時</th><th>操作</th><th>操作者</th><th>内容</th></tr></thead><tbody></tbody></table>
</section>
</div>`,
      'staff-detail.js',
    );
  }

  @Get('my/contracts')
  @RequireSubscriber()
  @Header('Content-Type', 'text/html; charset=utf-8')
  myList(@CurrentPrincipal() p: Principal): string {
    return page(
      p,
      '契約書',
      `<h1>契約書</h1>${MESSAGES}
<section class="card" aria-labelledby="pending-title"><h2 id="pending-title">署名待ちの契約書</h2>
  <ul id="pending" class="contract-list"></ul></section>
<section class="card" aria-labelledby="waiting-title"><h2 id="waiting-title">他の方の署名待ち</h2>
  <ul id="waiting" class="contract-list"></ul></section>
<section class="card" aria-labelledby="done-title"><h2 id="done-title">締結済みの契約書</h2>
  <ul id="done" class="contract-list"></ul></section>
<section class="card" aria-labelledby="closed-title"><h2 id="closed-title">取消し・期限切れ</h2>
  <ul id="closed" class="contract-list"></ul></section>`,
      'my-list.js',
    );
  }

  @Get('my/contracts/:id')
  @RequireSubscriber()
  @Header('Content-Type', 'text/html; charset=utf-8')
  myContract(@CurrentPrincipal() p: Principal, @Param('id') id: string): string {
    return page(
      p,
      '契約書の確認と署名',
      `<div id="contract" data-id="${escapeHtml(isUuid(id) ? id : '')}">
<h1 id="title">契約書の確認と署名</h1>${MESSAGES}
<p id="turn-info" role="status"></p>
<section class="card"><dl id="facts" class="facts"></dl></section>
${VIEWER}
<section class="card" id="sign" hidden aria-labelledby="sign-title">
  <h2 id="sign-title">電子署名</h2>
  <form id="sign-form" class="stack">
    <p><label class="check"><input type="checkbox" id="agreed" name="agreed"> 上記の契約書の内容を確認し、その内容に同意します。</label></p>
    <label for="pin">署名用電子証明書の暗証コード</label>
    <input id="pin" name="pin" type="password" autocomplete="off" inputmode="numeric" required>
    <p><button type="submit">署名する</button></p>
  </form>
</section>
<section class="card" id="completed" hidden aria-labelledby="completed-title">
  <h2 id="completed-title">締結済み</h2>
  <p>すべての当事者の署名が完了し、契約が締結されました。原本は当金庫の電子契約サービスに保管されています。</p>
  <p><a id="copy-link" class="button" href="#">契約書（副本）をダウンロード</a></p>
  <p id="copy-until"></p>
</section>
</div>`,
      'my-contract.js',
    );
  }
}
