import { escapeHtml, NavLink, renderPage } from '../web/layout';
import { Principal, StaffRole } from './auth/principal';

/** A page of the logged-in area: the short label for the navigation, a line for the home page. */
export interface AreaLink extends NavLink {
  description: string;
}

/** Staff roles that see the contract list (the contracts module's own guard says the same). */
const CONTRACT_ROLES = [StaffRole.LOAN_OFFICER, StaffRole.BANK_SIGNER, StaffRole.AUDITOR, StaffRole.ADMIN];

/**
 * The pages of the other modules a person may open, by role (one list for the navigation and the
 * home page). Each page still checks the role itself: this only decides what is offered.
 */
export function areaLinksFor(p: Principal): AreaLink[] {
  if (p.kind === 'subscriber') {
    return [
      { href: '/my/contracts', label: '契約書', description: 'ご契約の確認・電子署名' },
      { href: '/me/certificate', label: '電子証明書', description: '署名用電子証明書の確認・暗証コード' },
    ];
  }
  const has = (...roles: StaffRole[]) => roles.some((r) => p.roles.includes(r));
  const links: AreaLink[] = [];
  if (has(...CONTRACT_ROLES)) {
    links.push({ href: '/contracts', label: '契約書一覧', description: '電子契約書の一覧・詳細' });
  }
  if (has(StaffRole.BANK_SIGNER)) {
    links.push({
      href: '/contracts/queue',
      label: '当金庫署名待ち',
      description: '当金庫の署名を待つ契約書',
    });
  }
  if (has(StaffRole.RA_OFFICER, StaffRole.AUDITOR)) {
    links.push({ href: '/ra/subscribers', label: '利用者管理', description: '利用者の登録・管理' });
  }
  if (has(StaffRole.RA_OFFICER)) {
    links.push({ href: '/ra/certificates', label: '証明書の失効', description: '電子証明書の失効' });
  }
  if (has(StaffRole.ADMIN)) {
    links.push(
      { href: '/admin/staff', label: '職員管理', description: '職員の登録・管理' },
      {
        href: '/admin/signing-identities',
        label: '金庫署名名義',
        description: '当金庫の署名名義（支店長等）の管理',
      },
    );
  }
  if (has(StaffRole.AUDITOR)) {
    links.push(
      { href: '/archive', label: '原本検索', description: '保存された契約書原本の検索' },
      { href: '/archive/verify', label: '署名検証', description: '署名付きPDFの検証' },
    );
  }
  return links;
}

/** Navigation of the logged-in area, by role. */
export function navFor(p: Principal | undefined): NavLink[] {
  if (!p) return [];
  return [
    { href: '/home', label: 'ホーム' },
    ...areaLinksFor(p).map(({ href, label }) => ({ href, label })),
    { href: '/password/change', label: 'パスワード変更' },
    { href: '/logout', label: 'ログアウト' },
  ];
}

export function whoOf(p: Principal | undefined): string | undefined {
  if (!p) return undefined;
  return `${p.name}（${p.loginId}）`;
}

/** A page inside the logged-in area. */
export function renderAppPage(
  p: Principal | undefined,
  title: string,
  body: string,
  scripts: string[] = [],
): string {
  return renderPage({ title, body, scripts, nav: navFor(p), who: whoOf(p) });
}

export function renderNoticePage(title: string, message: string, p?: Principal): string {
  return renderAppPage(
    p,
    title,
    `<h1>${escapeHtml(title)}</h1><div class="card"><p role="alert">${escapeHtml(message)}</p></div>`,
  );
}
