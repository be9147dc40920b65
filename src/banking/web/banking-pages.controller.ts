import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { escapeHtml, renderPage } from '../../web/layout';
import { SESSION_COOKIE } from '../customers/customer-auth.guard';
import { CustomerAuthService } from '../customers/customer-auth.service';

const NAV = [
  { href: '/banking', label: '口座一覧' },
  { href: '/banking/transfer', label: '振込・振替' },
  { href: '/banking/transfers', label: '予約・取引状況' },
  { href: '/banking/limits', label: '限度額設定' },
];

/** Personal internet-banking pages (Japanese); each page's script calls /api/banking. */
@ApiExcludeController()
@Controller('banking')
export class BankingPagesController {
  constructor(
    private readonly auth: CustomerAuthService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private area(): string {
    return `${this.config.BANK_NAME} 個人インターネットバンキング`;
  }

  /** Pages behind login redirect to /banking/login when there is no live session. */
  private async page(
    req: Request,
    res: Response,
    title: string,
    body: string,
    script: string,
  ): Promise<void> {
    const token = (req.cookies as Record<string, string | undefined> | undefined)?.[SESSION_COOKIE];
    if (!token || !(await this.auth.authenticate(token))) return res.redirect(303, '/banking/login');
    res.type('html').send(
      renderPage({
        title,
        area: this.area(),
        nav: NAV,
        body: `${body}\n<p><button type="button" id="logout" class="secondary">ログアウト</button></p>`,
        scripts: [`banking/${script}`],
      }),
    );
  }

  @Get('login')
  @Header('Content-Type', 'text/html; charset=utf-8')
  login(): string {
    return renderPage({
      title: 'ログイン',
      area: this.area(),
      body: `<h1>個人インターネットバンキング ログイン</h1>
<form id="login-form" class="card stack" novalidate>
  <label for="loginId">ログインID</label>
  <input id="loginId" name="loginId" autocomplete="username" required maxlength="64">
  <label for="password">ログインパスワード</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128">
  <p role="alert" id="error" class="error"></p>
  <button type="submit">ログイン</button>
</form>
<p><small>パスワードを所定回数続けて誤るとご利用が停止されます。電子契約サービスのログインとは別です。</small></p>`,
      scripts: ['banking/login.js'],
    });
  }

  @Get()
  summary(@Req() req: Request, @Res() res: Response) {
    return this.page(
      req,
      res,
      '口座一覧',
      `<h1>口座一覧・残高照会</h1>
<p role="alert" id="error" class="error"></p>
<table><thead><tr><th>店番</th><th>種目</th><th>口座番号</th><th>名義</th><th>残高</th><th>お支払可能額</th><th></th></tr></thead><tbody id="accounts"></tbody></table>
<p><small>照会結果は証明書ではなく、後日訂正されることがあります。</small></p>`,
      'summary.js',
    );
  }

  @Get('history')
  history(@Req() req: Request, @Res() res: Response) {
    return this.page(
      req,
      res,
      '入出金明細',
      `<h1>入出金明細照会</h1>
<form id="history-form" class="card stack">
  <label for="account">口座</label><select id="account" name="account"></select>
  <label for="from">開始日</label><input id="from" name="from" type="date">
  <label for="to">終了日</label><input id="to" name="to" type="date">
  <button type="submit">照会</button> <a id="csv" href="#">CSVダウンロード</a>
</form>
<p role="alert" id="error" class="error"></p>
<table><thead><tr><th>取引日</th><th>摘要</th><th>お支払金額</th><th>お預り金額</th><th>残高</th></tr></thead><tbody id="lines"></tbody></table>
<p><button type="button" id="prev" class="secondary">前へ</button> <span id="pageinfo"></span> <button type="button" id="next" class="secondary">次へ</button></p>`,
      'history.js',
    );
  }

  @Get('transfer')
  transfer(@Req() req: Request, @Res() res: Response) {
    return this.page(
      req,
      res,
      '振込・振替',
      `<h1>振込・振替</h1>
<section id="step-input">
<form id="transfer-form" class="card stack" novalidate>
  <label for="debitAccountId">お支払口座</label><select id="debitAccountId" name="debitAccountId" required></select>
  <label for="bankCode">金融機関コード（4桁）</label><input id="bankCode" name="bankCode" inputmode="numeric" maxlength="4" required value="${escapeHtml(this.config.BANK_CODE)}">
  <label for="branchCode">支店コード（3桁）</label><input id="branchCode" name="branchCode" inputmode="numeric" maxlength="3" required>
  <label for="accountType">預金種目</label><select id="accountType" name="accountType"><option value="1">普通</option><option value="2">当座</option><option value="4">貯蓄</option></select>
  <label for="accountNumber">口座番号（7桁）</label><input id="accountNumber" name="accountNumber" inputmode="numeric" maxlength="7" required>
  <label for="amountYen">金額（円）</label><input id="amountYen" name="amountYen" inputmode="numeric" required>
  <label for="executionDate">振込指定日（空欄は最短日）</label><input id="executionDate" name="executionDate" type="date">
  <label for="memo">メモ（任意）</label><input id="memo" name="memo" maxlength="30">
  <p role="alert" id="error" class="error"></p>
  <button type="submit">確認画面へ</button>
</form>
</section>
<section id="step-confirm" hidden>
<h2>ご依頼内容の確認</h2>
<dl class="card" id="confirm-details"></dl>
<form id="confirm-form" class="card stack" novalidate>
  <p>ご登録のメールアドレスに送信した<strong>確認コード</strong>を、有効時間内に入力してください。</p>
  <label for="code">確認コード</label><input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="10" required>
  <p role="alert" id="confirm-error" class="error"></p>
  <button type="submit">確定する</button> <button type="button" id="abort" class="secondary">中止する</button>
</form>
</section>
<section id="step-done" hidden>
<h2>受付完了</h2>
<div class="card" id="done-details" role="status"></div>
<p><a href="/banking/history">入出金明細を見る</a> ／ <a href="/banking/transfer">続けて振込</a></p>
</section>`,
      'transfer.js',
    );
  }

  @Get('transfers')
  transfers(@Req() req: Request, @Res() res: Response) {
    return this.page(
      req,
      res,
      '予約・取引状況',
      `<h1>予約・取引状況</h1>
<p role="alert" id="error" class="error"></p>
<p role="status" id="status"></p>
<table><thead><tr><th>受付日時</th><th>実行日</th><th>お受取人</th><th>金額</th><th>手数料</th><th>状況</th><th></th></tr></thead><tbody id="transfers"></tbody></table>`,
      'transfers.js',
    );
  }

  @Get('limits')
  limits(@Req() req: Request, @Res() res: Response) {
    return this.page(
      req,
      res,
      '限度額設定',
      `<h1>振込・振替限度額の設定</h1>
<p>当金庫所定の限度額の範囲内で、口座ごとに1回あたり・1日あたりの限度額を設定できます（空欄は当金庫所定の限度額）。</p>
<p role="alert" id="error" class="error"></p>
<p role="status" id="status"></p>
<div id="limits"></div>`,
      'limits.js',
    );
  }
}
