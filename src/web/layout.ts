/**
 * Server-rendered page shell. Pages are HTML produced here plus small vanilla-JS modules under
 * /assets/js that call the JSON API: no build step, no external CDN, and nothing browser-specific,
 * so the pages work offline and in every current browser (EC-20).
 */
export function escapeHtml(value: string | number | null | undefined): string {
  return String(value ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export interface NavLink {
  href: string;
  label: string;
}

export interface PageOptions {
  title: string;
  /** Trusted HTML (escape every interpolated value with escapeHtml). */
  body: string;
  /** Module scripts under /assets/js, e.g. `login.js`. */
  scripts?: string[];
  nav?: NavLink[];
  /** Shown at the top right, e.g. the logged-in person's name. */
  who?: string;
  /** Product area shown in the header. */
  area?: string;
}

export function renderPage(o: PageOptions): string {
  // A module's own links come first; the same page offered again by the common navigation is dropped.
  const seen = new Set<string>();
  const nav = (o.nav ?? [])
    .filter((l) => !seen.has(l.href) && seen.add(l.href))
    .map((l) => `<a href="${escapeHtml(l.href)}">${escapeHtml(l.label)}</a>`)
    .join('');
  const scripts = (o.scripts ?? [])
    .map((s) => `<script type="module" src="/assets/js/${escapeHtml(s)}"></script>`)
    .join('\n');
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(o.title)} | ${escapeHtml(o.area ?? '電子契約サービス')}</title>
<link rel="stylesheet" href="/assets/css/app.css">
</head>
<body>
<header class="site">
  <span class="brand">${escapeHtml(o.area ?? '電子契約サービス')}</span>
  <nav>${nav}</nav>
  ${o.who ? `<span class="who">${escapeHtml(o.who)}</span>` : ''}
</header>
<main id="main">
${o.body}
</main>
<footer class="site"><small>&copy; 電子契約サービス</small></footer>
<script type="module" src="/assets/js/app.js"></script>
${scripts}
</body>
</html>`;
}
