import type { CookieOptions, Request, Response } from 'express';
import { createHmac } from 'node:crypto';

export const SESSION_COOKIE = 'session';
export const CSRF_COOKIE = 'csrf';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * The CSRF token is derived from the session token, so a cookie planted by someone else (a
 * sibling subdomain, say) cannot match: double-submit bound to the session.
 */
export function csrfTokenFor(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('csrf').digest('base64url');
}

function base(secure: boolean): CookieOptions {
  return { secure, sameSite: 'strict', path: '/' };
}

/** Browser-session cookies (no Max-Age): they go with the browser; the server enforces lifetimes. */
export function setSessionCookies(res: Response, token: string, secure: boolean): void {
  res.cookie(SESSION_COOKIE, token, { ...base(secure), httpOnly: true });
  res.cookie(CSRF_COOKIE, csrfTokenFor(token), { ...base(secure), httpOnly: false });
}

export function clearSessionCookies(res: Response, secure: boolean): void {
  res.clearCookie(SESSION_COOKIE, { ...base(secure), httpOnly: true });
  res.clearCookie(CSRF_COOKIE, { ...base(secure), httpOnly: false });
}

export type TokenSource = { token: string; via: 'bearer' | 'cookie' } | undefined;

export function tokenFrom(req: Request): TokenSource {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+([A-Za-z0-9_-]{16,200})$/i.exec(auth.trim());
    if (m) return { token: m[1], via: 'bearer' };
  }
  const cookies = req.cookies as Record<string, unknown> | undefined;
  const c = cookies?.[SESSION_COOKIE];
  if (typeof c === 'string' && c.length > 0) return { token: c, via: 'cookie' };
  return undefined;
}
