import { escapeHtml, NavLink, renderPage } from '../web/layout';
import { Principal, StaffRole } from './auth/principal';

/** Navigation of the logged-in area, by role. */
export function navFor(p: Principal | undefined): NavLink[] {
  if (!p) return [];
  const links: NavLink[] = [{ href: '/home', label: 'ホーム' }];
  if (p.kind === 'staff') {
    if (p.roles.some((r) => r === StaffRole.RA_OFFICER || r === StaffRole.AUDITOR)) {
      links.push({ href: '/ra/subscribers', label: '利用者管理' });
    }
    if (p.roles.includes(StaffRole.ADMIN)) links.push({ href: '/admin/staff', label: '職員管理' });
  }
  links.push({ href: '/password/change', label: 'パスワード変更' }, { href: '/logout', label: 'ログアウト' });
  return links;
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
