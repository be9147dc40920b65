import { Controller, Get, Header, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { escapeHtml } from '../web/layout';
import { CurrentPrincipal, RequireStaff } from '../identity/auth/auth.decorators';
import { Principal, StaffRole } from '../identity/auth/principal';
import { renderAppPage } from '../identity/identity-pages.render';
import { ID_DOCUMENT_TYPES } from './ra.dto';

const HTML = 'text/html; charset=utf-8';

export const ID_DOCUMENT_LABELS: Record<(typeof ID_DOCUMENT_TYPES)[number], string> = {
  drivers_license: '運転免許証',
  my_number_card: 'マイナンバーカード',
  passport: 'パスポート',
  residence_card: '在留カード',
  health_insurance_card: '健康保険証',
  seal_certificate: '印鑑登録証明書',
  corporate_registry: '登記事項証明書',
  other: 'その他',
};

/** RA officer pages: search, register, and manage subscribers. */
@ApiExcludeController()
@Controller('ra/subscribers')
export class RaPagesController {
  @Get()
  @Header('Content-Type', HTML)
  @Header('Cache-Control', 'no-store')
  @RequireStaff(StaffRole.RA_OFFICER, StaffRole.AUDITOR)
  list(@CurrentPrincipal() p: Principal): string {
    const canWrite = p.kind === 'staff' && p.roles.includes(StaffRole.RA_OFFICER);
    return renderAppPage(
      p,
      '利用者管理',
      `<h1>利用者管理</h1>
${canWrite ? '<p><a class="button" href="/ra/subscribers/new">利用者を登録する</a></p>' : ''}
<form id="search-form" class="card stack" role="search">
  <label for="query">氏名・カナ・ログインID・メール・法人名で検索</label>
  <input id="query" name="query" maxlength="100">
  <label for="status">状態</label>
  <select id="status" name="status"><option value="">すべて</option><option value="active">利用中</option><option value="suspended">利用停止</option><option value="restricted">利用制限</option><option value="deleted">削除済み</option></select>
  <button type="submit">検索</button>
</form>
<p class="error" role="alert" hidden id="search-error"></p>
<table id="subscriber-table"><thead><tr><th>ログインID</th><th>氏名</th><th>カナ</th><th>区分</th><th>法人名</th><th>状態</th></tr></thead><tbody></tbody></table>
<p id="search-count" role="status"></p>`,
      ['identity/ra-list.js'],
    );
  }

  @Get('new')
  @Header('Content-Type', HTML)
  @Header('Cache-Control', 'no-store')
  @RequireStaff(StaffRole.RA_OFFICER)
  create(@CurrentPrincipal() p: Principal): string {
    const docs = ID_DOCUMENT_TYPES.map(
      (d) => `<option value="${d}">${escapeHtml(ID_DOCUMENT_LABELS[d])}</option>`,
    ).join('');
    return renderAppPage(
      p,
      '利用者の登録',
      `<h1>利用者の登録</h1>
<form id="register-form" class="card stack" novalidate>
  <p>本人確認書類を確認したうえで登録してください（当金庫所定の手続）。</p>
  <label for="kind">区分</label>
  <select id="kind" name="kind" required><option value="individual">個人</option><option value="sole_proprietor">個人事業主</option><option value="corporate">法人（電子契約責任者）</option></select>
  <div id="corporate-fields">
    <label for="corporationName">法人名</label>
    <input id="corporationName" name="corporationName" maxlength="200">
    <label for="officerTitle">役職</label>
    <input id="officerTitle" name="officerTitle" maxlength="100">
    <label for="officerAuthority">権限の内容（法人による指定）</label>
    <textarea id="officerAuthority" name="officerAuthority" maxlength="2000"></textarea>
  </div>
  <label for="name">氏名（漢字）</label>
  <input id="name" name="name" required maxlength="200">
  <label for="nameKana">氏名（カナ）</label>
  <input id="nameKana" name="nameKana" required maxlength="200">
  <label for="email">メールアドレス</label>
  <input id="email" name="email" type="email" required maxlength="254">
  <label for="phone">電話番号</label>
  <input id="phone" name="phone" type="tel" maxlength="20">
  <label for="birthDate">生年月日</label>
  <input id="birthDate" name="birthDate" type="date">
  <fieldset><legend>本人確認</legend>
    <label for="documentType">確認書類</label>
    <select id="documentType" name="documentType" required>${docs}</select>
    <label for="documentNumberLast4">書類番号の末尾4桁</label>
    <input id="documentNumberLast4" name="documentNumberLast4" required maxlength="4" pattern="[A-Za-z0-9]{4}">
    <label for="verifiedAt">確認日時</label>
    <input id="verifiedAt" name="verifiedAt" type="datetime-local" required>
  </fieldset>
  <p class="error" role="alert" hidden id="register-error"></p>
  <button type="submit">登録する</button>
</form>
<section id="issued" class="card" hidden role="status" aria-live="polite"></section>`,
      ['identity/ra-register.js'],
    );
  }

  @Get(':id')
  @Header('Content-Type', HTML)
  @Header('Cache-Control', 'no-store')
  @RequireStaff(StaffRole.RA_OFFICER, StaffRole.AUDITOR)
  detail(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string): string {
    const canWrite = p.kind === 'staff' && p.roles.includes(StaffRole.RA_OFFICER);
    return renderAppPage(
      p,
      '利用者の詳細',
      `<h1>利用者の詳細</h1>
<div id="subscriber" data-id="${escapeHtml(id)}" data-can-write="${canWrite ? '1' : '0'}">
  <p class="error" role="alert" hidden id="detail-error"></p>
  <dl id="subscriber-fields" class="card"></dl>
  ${
    canWrite
      ? `<section class="card"><h2>操作</h2>
    <label for="status-reason">理由（記録されます）</label>
    <input id="status-reason" maxlength="1000">
    <div class="actions">
      <button type="button" data-action="suspend">利用停止</button>
      <button type="button" data-action="restrict">利用制限（EC-18）</button>
      <button type="button" data-action="reactivate">利用再開</button>
      <button type="button" data-action="unlock">ロック解除</button>
      <button type="button" data-action="reissue" class="secondary">仮パスワード・ログインURLの再発行</button>
      <button type="button" data-action="delete" class="danger">削除</button>
    </div>
    <p role="status" id="action-status"></p>
    <div id="reissued" hidden role="status"></div>
  </section>
  <form id="edit-form" class="card stack" novalidate><h2>登録内容の変更（EC-12）</h2>
    <label for="edit-name">氏名（漢字）</label><input id="edit-name" name="name" maxlength="200">
    <label for="edit-nameKana">氏名（カナ）</label><input id="edit-nameKana" name="nameKana" maxlength="200">
    <label for="edit-email">メールアドレス</label><input id="edit-email" name="email" type="email" maxlength="254">
    <label for="edit-phone">電話番号</label><input id="edit-phone" name="phone" type="tel" maxlength="20">
    <p class="error" role="alert" hidden id="edit-error"></p>
    <button type="submit">変更する</button>
  </form>`
      : ''
  }
  <section class="card"><h2>変更履歴</h2><table id="history"><thead><tr><th>日時</th><th>項目</th><th>変更前</th><th>変更後</th><th>担当</th></tr></thead><tbody></tbody></table></section>
</div>`,
      ['identity/ra-detail.js'],
    );
  }
}
