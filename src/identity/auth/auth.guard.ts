import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { AppError, CommonErrorCode } from '../../common/errors/app-error';
import { constantTimeEqual } from '../../common/crypto/secrets';
import { IdentityErrorCode } from '../identity.errors';
import { renderNoticePage } from '../identity-pages.render';
import { Principal, StaffRole } from './principal';
import { CSRF_COOKIE, CSRF_HEADER, csrfTokenFor, tokenFrom } from './session-cookies';
import { SessionService } from './session.service';

export const AUTH_REQUIREMENT = 'identity:auth-requirement';
export const ALLOW_PENDING_PASSWORD = 'identity:allow-pending-password';

export interface AuthRequirement {
  kind: 'staff' | 'subscriber' | 'any';
  roles: StaffRole[];
}

export type AuthenticatedRequest = Request & {
  principal?: Principal;
  mustChangePassword?: boolean;
  sessionToken?: string;
};

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves the session (Bearer header first, then the cookie), checks CSRF for cookie-carried
 * writes, the forced password change and the role. API routes answer with the one error shape;
 * browser pages (GET outside /api) redirect to the "use your personal login URL" page instead.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const requirement = this.reflector.getAllAndOverride<AuthRequirement | undefined>(AUTH_REQUIREMENT, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!requirement) return true;
    const allowPending =
      this.reflector.getAllAndOverride<boolean | undefined>(ALLOW_PENDING_PASSWORD, [
        context.getHandler(),
        context.getClass(),
      ]) ?? false;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    const page = isPageRequest(req);

    const source = tokenFrom(req);
    const resolved = source ? await this.sessions.resolve(source.token) : 'unknown';
    if (typeof resolved === 'string') {
      if (page) {
        res.redirect(
          303,
          `/login-required${resolved === 'idle' || resolved === 'expired' ? '?expired=1' : ''}`,
        );
        return false;
      }
      throw AppError.unauthorized(
        CommonErrorCode.UNAUTHENTICATED,
        resolved === 'idle' || resolved === 'expired'
          ? 'セッションの有効期限が切れました。個人専用ログインURLから再度ログインしてください。'
          : 'ログインが必要です。個人専用ログインURLからログインしてください。',
        resolved === 'unknown' ? undefined : { reason: resolved },
      );
    }
    if (source?.via === 'cookie' && !SAFE_METHODS.has(req.method)) {
      // Double submit: the header must repeat the readable csrf cookie, and both must be the
      // value derived from this session's token.
      const header = req.headers[CSRF_HEADER];
      const cookies = (req.cookies as Record<string, unknown> | undefined) ?? {};
      const cookie = cookies[CSRF_COOKIE];
      const expected = csrfTokenFor(source.token);
      if (
        typeof header !== 'string' ||
        typeof cookie !== 'string' ||
        !constantTimeEqual(header, cookie) ||
        !constantTimeEqual(cookie, expected)
      ) {
        throw AppError.forbidden(
          CommonErrorCode.CSRF_FAILED,
          'リクエストを確認できませんでした。画面を再読み込みしてください。',
        );
      }
    }
    req.principal = resolved.principal;
    req.mustChangePassword = resolved.mustChangePassword;
    req.sessionToken = source?.token;

    if (resolved.mustChangePassword && !allowPending) {
      if (page) {
        res.redirect(303, '/password/change');
        return false;
      }
      throw AppError.forbidden(
        IdentityErrorCode.PASSWORD_CHANGE_REQUIRED,
        '仮パスワードを変更してください。変更するまで他の操作はできません。',
      );
    }
    if (!satisfies(resolved.principal, requirement)) {
      if (page) {
        res
          .status(403)
          .type('html')
          .send(
            renderNoticePage('権限がありません', 'この画面を表示する権限がありません。', resolved.principal),
          );
        return false;
      }
      throw AppError.forbidden(CommonErrorCode.FORBIDDEN, 'この操作を行う権限がありません。');
    }
    return true;
  }
}

export function satisfies(p: Principal, r: AuthRequirement): boolean {
  if (r.kind === 'any') return true;
  if (r.kind === 'subscriber') return p.kind === 'subscriber';
  if (p.kind !== 'staff') return false;
  return r.roles.length === 0 || r.roles.some((role) => p.roles.includes(role));
}

function isPageRequest(req: Request): boolean {
  if (req.method !== 'GET' || req.path.startsWith('/api/')) return false;
  return req.accepts(['json', 'html']) === 'html';
}
