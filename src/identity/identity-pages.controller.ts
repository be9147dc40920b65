import { Controller, Get, Header, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { escapeHtml, renderPage } from '../web/layout';
import {
  AllowPendingPasswordChange,
  CurrentPrincipal,
  RequireAuth,
  RequireStaff,
} from './auth/auth.decorators';
import { Principal, StaffRole } from './auth/principal';
import { areaLinksFor, renderAppPage } from './identity-pages.render';

const HTML = 'text/html; charset=utf-8';

const ROLE_LABELS: Record<StaffRole, string> = {
  [StaffRole.ADMIN]: '管理者',
  [StaffRole.RA_OFFICER]: '登録局担当者',
  [StaffRole.LOAN_OFFICER]: '融資担当者',
  [StaffRole.BANK_SIGNER]: '金庫署名担当者',
  [StaffRole.AUDITOR]: '監査担当者',
  [StaffRole.OPERATIONS]: '事務担当者',
};

export function roleLabel(r: StaffRole): string {
  return ROLE_LABELS[r];
}

/** Login, password change, home and staff administration pages (server-rendered, JS under /assets/js/identity). */
@ApiExcludeController()
@Controller()
export class IdentityPagesController {
  /**
   * The personal login URL (EC-05 (1)). The page is the same whatever the key: whether a key is
   * valid is only ever decided together with the ID and password, so the page is no oracle.
   */
  @Get('login/:loginKey')
  @Header('Content-Type', HTML)
  @Header('Cache-Control', 'no-store')
  login(@Param('loginKey') _key: string): string {
    return renderPage({
      title: 'ログイン',
      scripts: ['identity/login.js'],
      body: `<h1>ログイン</h1>
<section id="step-password" class="card">
  <form id="login-form" class="stack" novalidate>
    <p>ログインIDとパスワードを入力してください。</p>
    <label for="loginId">ログインID</label>
    <input id="loginId" name="loginId" autocomplete="username" required maxlength="64" autofocus>
    <label for="password">パスワード</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="128">
    <p class="error" role="alert" hidden id="login-error"></p>
    <button type="submit">次へ</button>
  </form>
</section>
<section id="step-otp" class="card" hidden>
  <form id="otp-form" class="stack" novalidate>
    <p>ご登録のメールアドレスにワンタイムパスワード（6桁）をお送りしました。メールに記載のコードを入力してください。</p>
    <label for="otp">ワンタイムパスワード</label>
    <input id="otp" name="otp" inputmode="numeric" pattern="[0-9]{6}" maxlength="6" autocomplete="one-time-code" required>
    <p class="error" role="alert" hidden id="otp-error"></p>
    <p class="notice" role="status" id="otp-status"></p>
    <button type="submit">ログイン</button>
    <button type="button" id="otp-resend" class="secondary">コードを再送信</button>
    <button type="button" id="otp-restart" class="secondary">最初からやり直す</button>
  </form>
</section>`,
    });
  }

  @Get('login-required')
  @Header('Content-Type', HTML)
  loginRequired(@Query('expired') expired?: string): string {
    return renderPage({
      title: 'ログインしてください',
      body: `<h1>ログインしてください</h1>
<div class="card">
  ${expired ? '<p role="alert">セッションの有効期限が切れたため、ログアウトしました。</p>' : ''}
  <p>このページを表示するにはログインが必要です。登録時にお知らせした<strong>個人専用ログインURL</strong>からログインしてください。</p>
  <p>個人専用ログインURLがわからない場合は、お取引店（職員の方は管理者）にお問い合わせください。</p>
</div>`,
    });
  }

  @Get('password/change')
  @Header('Content-Type', HTML)
  @Header('Cache-Control', 'no-store')
  @RequireAuth()
  @AllowPendingPasswordChange()
  passwordChange(@CurrentPrincipal() p: Principal): string {
    return renderAppPage(
      p,
      'パスワード変更',
      `<h1>パスワード変更</h1>
<form id="password-form" class="card stack" novalidate>
  <p id="password-intro">新しいパスワードを設定してください。他人に推測されにくい、ほかのサービスで使っていないものにしてください。</p>
  <label for="currentPassword">現在のパスワード（仮パスワード）</label>
  <input id="currentPassword" name="currentPassword" type="password" autocomplete="current-password" required>
  <label for="newPassword">新しいパスワード</label>
  <input id="newPassword" name="newPassword" type="password" autocomplete="new-password" required maxlength="128">
  <label for="confirmPassword">新しいパスワード（確認）</label>
  <input id="confirmPassword" name="confirmPassword" type="password" autocomplete="new-password" required maxlength="128">
  <p class="error" role="alert" hidden id="password-error"></p>
  <button type="submit">変更する</button>
</form>`,
      ['identity/password.js'],
    );
  }

  @Get('home')
  @Header('Content-Type', HTML)
  @Header('Cache-Control', 'no-store')
  @RequireAuth()
  home(@CurrentPrincipal() p: Principal, @Query('passwordChanged') changed?: string): string {
    const items = areaLinksFor(p).map(
      (l) => `<li><a href="${escapeHtml(l.href)}">${escapeHtml(l.description)}</a></li>`,
    );
    if (p.kind === 'subscriber') {
      items.push('<li>契約書が登録されると、ご登録のメールアドレスにご署名のお願いをお送りします。</li>');
      if (p.status === 'restricted') {
        items.unshift(
          '<li role="alert">現在、ご利用が制限されています。お取引店へお問い合わせください。</li>',
        );
      }
    }
    items.push('<li><a href="/password/change">パスワード変更</a></li>');
    const roles =
      p.kind === 'staff' ? `<p>権限: ${p.roles.map((r) => escapeHtml(roleLabel(r))).join('、')}</p>` : '';
    return renderAppPage(
      p,
      'ホーム',
      `<h1>ようこそ、${escapeHtml(p.name)} 様</h1>
${changed ? '<p class="success" role="status">パスワードを変更しました。</p>' : ''}
<div class="card" id="home">${roles}<ul>${items.join('')}</ul></div>`,
    );
  }

  @Get('logout')
  @Header('Content-Type', HTML)
  @RequireAuth()
  @AllowPendingPasswordChange()
  logout(@CurrentPrincipal() p: Principal): string {
    return renderAppPage(
      p,
      'ログアウト',
      `<h1>ログアウト</h1>
<div class="card">
  <p>ログアウトしますか。</p>
  <p class="error" role="alert" hidden id="logout-error"></p>
  <button type="button" id="logout-button">ログアウトする</button>
</div>`,
      ['identity/logout.js'],
    );
  }

  @Get('logged-out')
  @Header('Content-Type', HTML)
  loggedOut(): string {
    return renderPage({
      title: 'ログアウトしました',
      body: `<h1>ログアウトしました</h1><div class="card"><p role="status">ご利用ありがとうございました。再度ご利用の際は、個人専用ログインURLからログインしてください。</p></div>`,
    });
  }

  @Get('admin/staff')
  @Header('Content-Type', HTML)
  @Header('Cache-Control', 'no-store')
  @RequireStaff(StaffRole.ADMIN)
  staffList(@CurrentPrincipal() p: Principal): string {
    const roleBoxes = staffRoleCheckboxes();
    return renderAppPage(
      p,
      '職員管理',
      `<h1>職員管理</h1>
<section class="card">
  <h2>職員の登録</h2>
  <form id="staff-form" class="stack" novalidate>
    <label for="staff-name">氏名</label>
    <input id="staff-name" name="name" required maxlength="200">
    <label for="staff-email">メールアドレス</label>
    <input id="staff-email" name="email" type="email" required maxlength="254">
    <fieldset><legend>権限</legend>${roleBoxes}</fieldset>
    <p class="error" role="alert" hidden id="staff-error"></p>
    <button type="submit">登録する</button>
  </form>
  <div id="staff-issued" hidden role="status"></div>
</section>
<section class="card">
  <h2>職員一覧</h2>
  <p class="error" role="alert" hidden id="staff-list-error"></p>
  <table id="staff-table"><thead><tr><th>ログインID</th><th>氏名</th><th>メール</th><th>権限</th><th>状態</th><th>操作</th></tr></thead><tbody></tbody></table>
</section>`,
      ['identity/staff.js'],
    );
  }

  @Get('admin/staff/:id')
  @Header('Content-Type', HTML)
  @Header('Cache-Control', 'no-store')
  @RequireStaff(StaffRole.ADMIN)
  staffDetail(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string): string {
    const roleBoxes = staffRoleCheckboxes();
    return renderAppPage(
      p,
      '職員の詳細',
      `<h1>職員の詳細</h1>
<div id="staff" data-id="${escapeHtml(id)}">
  <p class="error" role="alert" hidden id="detail-error"></p>
  <form id="staff-edit-form" class="card stack" novalidate>
    <p>ログインID: <strong id="staff-login-id"></strong> ・ 状態: <span id="staff-status"></span></p>
    <label for="edit-name">氏名</label>
    <input id="edit-name" name="name" required maxlength="200">
    <label for="edit-email">メールアドレス</label>
    <input id="edit-email" name="email" type="email" required maxlength="254">
    <fieldset><legend>権限</legend>${roleBoxes}</fieldset>
    <p class="error" role="alert" hidden id="edit-error"></p>
    <p role="status" id="edit-status"></p>
    <button type="submit">変更する</button>
  </form>
  <section class="card"><h2>変更履歴</h2><table id="history"><thead><tr><th>日時</th><th>項目</th><th>変更前</th><th>変更後</th><th>担当</th></tr></thead><tbody></tbody></table></section>
</div>`,
      ['identity/staff-detail.js'],
    );
  }
}

/** One checkbox per staff role (registration and role-change forms share the same set). */
function staffRoleCheckboxes(): string {
  return Object.values(StaffRole)
    .map(
      (r) =>
        `<label class="inline"><input type="checkbox" name="roles" value="${r}"> ${escapeHtml(roleLabel(r))}</label>`,
    )
    .join(' ');
}
