import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CurrentPrincipal, RequireStaff } from '../identity/auth/auth.decorators';
import { Principal, StaffRole } from '../identity/auth/principal';
import { navFor, whoOf } from '../identity/identity-pages.render';
import { NavLink, renderPage } from '../web/layout';

function hasRole(p: Principal, role: StaffRole): boolean {
  return p.kind === 'staff' && p.roles.includes(role);
}

function archiveNav(p: Principal): NavLink[] {
  const links: NavLink[] = [
    { href: '/archive', label: '原本検索' },
    { href: '/archive/verify', label: '署名検証' },
  ];
  if (hasRole(p, StaffRole.ADMIN) || hasRole(p, StaffRole.AUDITOR))
    links.push({ href: '/archive/runs', label: '再タイムスタンプ' });
  return [...links, ...navFor(p)];
}

function page(p: Principal, title: string, body: string, script: string): string {
  return renderPage({ title, body, scripts: [`archive/${script}`], nav: archiveNav(p), who: whoOf(p) });
}

const MESSAGES = `<p class="error" role="alert" id="error"></p><p class="success" role="status" id="notice"></p>`;

/**
 * Pages of the archive (Japanese, no inline script): search for auditors (電子帳簿保存法),
 * verification of an uploaded or archived PDF, and the re-stamping runs for administrators.
 */
@ApiExcludeController()
@Controller('archive')
export class ArchivePagesController {
  @Get()
  @RequireStaff()
  @Header('Content-Type', 'text/html; charset=utf-8')
  search(@CurrentPrincipal() p: Principal): string {
    return page(
      p,
      '原本検索',
      `<h1>保管原本の検索</h1>${MESSAGES}
<form id="search" class="card" aria-label="検索条件">
  <fieldset><legend>取引年月日</legend>
    <label for="dateFrom">から</label> <input type="date" id="dateFrom" name="dateFrom">
    <label for="dateTo">まで</label> <input type="date" id="dateTo" name="dateTo">
  </fieldset>
  <fieldset><legend>取引金額（円）</legend>
    <label for="amountMin">以上</label> <input type="text" inputmode="numeric" id="amountMin" name="amountMin" autocomplete="off">
    <label for="amountMax">以下</label> <input type="text" inputmode="numeric" id="amountMax" name="amountMax" autocomplete="off">
  </fieldset>
  <label for="counterparty">取引先（部分一致）</label> <input type="text" id="counterparty" name="counterparty" maxlength="200">
  <label for="loanType">ローン種別</label>
  <select id="loanType" name="loanType">
    <option value="">すべて</option>
    <option value="housing">住宅ローン</option>
    <option value="business">事業性融資</option>
    <option value="consumer">消費者ローン</option>
  </select>
  <button type="submit">検索</button>
  <button type="button" id="csv">CSV 出力</button>
</form>
<p id="count" role="status" aria-live="polite"></p>
<table id="results" class="list">
  <caption>検索結果（取引年月日順）</caption>
  <thead><tr><th scope="col">取引年月日</th><th scope="col">取引金額</th><th scope="col">取引先</th><th scope="col">種別</th><th scope="col">契約書</th><th scope="col">版</th><th scope="col">保護期限</th><th scope="col">操作</th></tr></thead>
  <tbody></tbody>
</table>
<nav aria-label="ページ" class="pager"><button type="button" id="prev">前へ</button> <span id="pageinfo"></span> <button type="button" id="next">次へ</button></nav>`,
      'search.js',
    );
  }

  @Get('verify')
  @RequireStaff()
  @Header('Content-Type', 'text/html; charset=utf-8')
  verify(@CurrentPrincipal() p: Principal): string {
    return page(
      p,
      '署名検証',
      `<h1>PDF の署名検証</h1>${MESSAGES}
<form id="upload" class="card" aria-label="ファイルを検証">
  <label for="file">検証する PDF ファイル</label>
  <input type="file" id="file" name="file" accept="application/pdf,.pdf" required>
  <button type="submit">検証する</button>
</form>
<form id="pick" class="card" aria-label="保管原本を検証">
  <label for="originalId">保管原本の契約 ID または原本 ID</label>
  <input type="text" id="originalId" name="originalId" autocomplete="off" required>
  <button type="submit">保管原本を検証する</button>
</form>
<section id="result" class="card" aria-labelledby="result-title" hidden>
  <h2 id="result-title">検証結果</h2>
  <p id="verdict"></p>
  <p id="match"></p>
  <table id="entries" class="list"><thead><tr><th scope="col">#</th><th scope="col">種類</th><th scope="col">名前</th><th scope="col">判定</th><th scope="col">署名者 / TSA</th><th scope="col">存在証明時刻</th><th scope="col">説明</th></tr></thead><tbody></tbody></table>
  <p><a id="printable" href="#" hidden>印刷用レポートを開く</a></p>
</section>`,
      'verify.js',
    );
  }

  @Get('runs')
  @RequireStaff(StaffRole.ADMIN, StaffRole.AUDITOR)
  @Header('Content-Type', 'text/html; charset=utf-8')
  runs(@CurrentPrincipal() p: Principal): string {
    const admin = hasRole(p, StaffRole.ADMIN);
    return page(
      p,
      '再タイムスタンプ',
      `<h1>アーカイブタイムスタンプの更新</h1>${MESSAGES}
<p id="due" role="status"></p>
${
  admin
    ? `<form id="start" class="card" aria-label="更新の実行">
  <label for="mode">対象</label>
  <select id="mode" name="mode"><option value="due">期限が近い原本</option><option value="all">すべての原本</option></select>
  <label for="limit">最大件数</label> <input type="number" id="limit" name="limit" min="1">
  <button type="submit">今すぐ実行</button>
</form>`
    : ''
}
<table id="runs" class="list">
  <caption>実行履歴</caption>
  <thead><tr><th scope="col">開始</th><th scope="col">終了</th><th scope="col">状態</th><th scope="col">契機</th><th scope="col">対象</th><th scope="col">更新</th><th scope="col">失敗</th><th scope="col">所要</th></tr></thead>
  <tbody></tbody>
</table>
<section class="card" aria-labelledby="failures-title"><h2 id="failures-title">失敗した原本</h2><ul id="failures"></ul></section>`,
      'runs.js',
    );
  }
}
