import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CurrentPrincipal, RequireStaff, RequireSubscriber } from '../identity/auth/auth.decorators';
import { Principal, StaffRole } from '../identity/auth/principal';
import { renderAppPage } from '../identity/identity-pages.render';
import { escapeHtml } from '../web/layout';
import { RA_REVOCATION_REASONS } from './domain/revocation-reason';

const HTML = 'text/html; charset=utf-8';

const REASON_LABELS: Record<string, string> = {
  unspecified: '理由を特定しない (unspecified)',
  keyCompromise: 'ID・パスワード・暗証コードの漏えい (keyCompromise)',
  affiliationChanged: '氏名・所属等の変更 (affiliationChanged)',
  superseded: '新しい証明書への切替 (superseded)',
  cessationOfOperation: '利用終了 (cessationOfOperation)',
  privilegeWithdrawn: '利用資格の取消 (privilegeWithdrawn)',
};

/** Pages of the PKI: the subscriber's certificate, the RA revocation form, the bank's signing identities. */
@ApiExcludeController()
@Controller()
export class PkiPagesController {
  @Get('me/certificate')
  @Header('Content-Type', HTML)
  @Header('Cache-Control', 'no-store')
  @RequireSubscriber()
  mine(@CurrentPrincipal() p: Principal): string {
    return renderAppPage(
      p,
      '署名用電子証明書',
      `<h1>署名用電子証明書</h1>
<section class="card" aria-labelledby="status-h">
  <h2 id="status-h">現在の証明書</h2>
  <div id="cert-status" aria-live="polite"><p>読み込み中…</p></div>
  <p class="error" role="alert" id="status-error"></p>
</section>
<section class="card" id="apply-section" hidden aria-labelledby="apply-h">
  <h2 id="apply-h">証明書の申請と暗証コードの設定</h2>
  <p>申請すると、署名用の鍵と電子証明書が発行され、本サービスに保管されます。同時に、署名の際に入力する<strong>暗証コード</strong>を設定してください。暗証コードの設定をもって、証明書と鍵の受領を確認したものとします。</p>
  <p>暗証コードは6文字以上の半角英数字・記号です。同じ文字の繰り返し、連続した数字（123456 など）、生年月日は使用できません。暗証コードは当金庫も知ることができません。忘れた場合は失効・再申請となります。</p>
  <form id="apply-form" novalidate>
    <label for="pin">暗証コード</label>
    <input id="pin" name="pin" type="password" autocomplete="new-password" required maxlength="64">
    <label for="pinConfirmation">暗証コード（確認）</label>
    <input id="pinConfirmation" name="pinConfirmation" type="password" autocomplete="new-password" required maxlength="64">
    <p class="error" role="alert" id="apply-error"></p>
    <button type="submit">申請して暗証コードを設定する</button>
  </form>
</section>
<section class="card" id="pin-section" hidden aria-labelledby="pin-h">
  <h2 id="pin-h">暗証コードの変更</h2>
  <form id="pin-form" novalidate>
    <label for="currentPin">現在の暗証コード</label>
    <input id="currentPin" name="currentPin" type="password" autocomplete="current-password" required maxlength="64">
    <label for="newPin">新しい暗証コード</label>
    <input id="newPin" name="newPin" type="password" autocomplete="new-password" required maxlength="64">
    <label for="newPinConfirmation">新しい暗証コード（確認）</label>
    <input id="newPinConfirmation" name="newPinConfirmation" type="password" autocomplete="new-password" required maxlength="64">
    <p class="error" role="alert" id="pin-error"></p>
    <p class="notice" role="status" id="pin-done"></p>
    <button type="submit">変更する</button>
  </form>
</section>`,
      ['pki/my-certificate.js'],
    );
  }

  @Get('ra/certificates')
  @Header('Content-Type', HTML)
  @Header('Cache-Control', 'no-store')
  @RequireStaff(StaffRole.RA_OFFICER)
  ra(@CurrentPrincipal() p: Principal): string {
    const reasons = RA_REVOCATION_REASONS.filter((r) => r !== 'superseded')
      .map((r) => `<option value="${escapeHtml(r)}">${escapeHtml(REASON_LABELS[r] ?? r)}</option>`)
      .join('');
    return renderAppPage(
      p,
      '電子証明書の失効',
      `<h1>電子証明書の失効（登録局）</h1>
<section class="card">
  <form id="lookup-form" novalidate>
    <label for="subscriberId">利用者ID（内部ID）</label>
    <input id="subscriberId" name="subscriberId" required maxlength="36" autocomplete="off">
    <p class="error" role="alert" id="lookup-error"></p>
    <button type="submit">証明書を表示</button>
  </form>
  <p class="notice" role="status" id="revoke-done"></p>
  <div id="cert-list" aria-live="polite"></div>
</section>
<section class="card" id="revoke-section" hidden>
  <h2>失効の届出</h2>
  <form id="revoke-form" novalidate>
    <label for="reason">失効理由</label>
    <select id="reason" name="reason" required>${reasons}</select>
    <fieldset>
      <legend>届出の方法</legend>
      <label><input type="radio" name="channel" value="counter" checked> 窓口（書面）</label>
      <label><input type="radio" name="channel" value="phone"> 電話</label>
    </fieldset>
    <p class="error" role="alert" id="revoke-error"></p>
    <button type="submit">失効する</button>
  </form>
</section>`,
      ['pki/ra-revoke.js'],
    );
  }

  @Get('admin/signing-identities')
  @Header('Content-Type', HTML)
  @Header('Cache-Control', 'no-store')
  @RequireStaff(StaffRole.ADMIN)
  identities(@CurrentPrincipal() p: Principal): string {
    return renderAppPage(
      p,
      '金庫署名名義',
      `<h1>金庫署名名義（支店長名義の署名用証明書）</h1>
<section class="card">
  <h2>登録済みの名義</h2>
  <div id="identity-list" aria-live="polite"><p>読み込み中…</p></div>
  <p class="error" role="alert" id="list-error"></p>
</section>
<section class="card">
  <h2>名義の作成</h2>
  <p>証明書は支店長名義で発行され、鍵は本サービスが保管します。署名担当者（bank_signer）はこの暗証コードを入力して、使者として署名します。</p>
  <form id="create-form" novalidate>
    <label for="branchName">部店名</label>
    <input id="branchName" name="branchName" required maxlength="60" placeholder="本店営業部">
    <label for="title">役職</label>
    <input id="title" name="title" required maxlength="30" value="支店長">
    <label for="personName">氏名</label>
    <input id="personName" name="personName" required maxlength="60">
    <label for="idPin">暗証コード</label>
    <input id="idPin" name="pin" type="password" autocomplete="new-password" required maxlength="64">
    <p class="error" role="alert" id="create-error"></p>
    <p class="notice" role="status" id="create-done"></p>
    <button type="submit">作成する</button>
  </form>
</section>`,
      ['pki/signing-identities.js'],
    );
  }
}
