import { CanActivate, ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import type { Request } from 'express';
import { AppError } from '../../common/errors/app-error';
import { constantTimeEqual, sha256Hex } from '../../common/crypto/secrets';
import { BankingErrorCode } from '../banking.errors';
import { CustomerAuthService, CustomerPrincipal } from './customer-auth.service';

export const SESSION_COOKIE = 'bk_session';
export const CSRF_COOKIE = 'csrf';

type BankingRequest = Request & { bankingPrincipal?: CustomerPrincipal };

/**
 * Authenticates internet-banking customers: `Authorization: Bearer <token>` or the HttpOnly
 * `bk_session` cookie. Cookie-authenticated writes must echo the readable `csrf` cookie in
 * `X-CSRF-Token` (double submit), and that token must be the one issued with the session.
 */
@Injectable()
export class CustomerAuthGuard implements CanActivate {
  constructor(private readonly auth: CustomerAuthService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<BankingRequest>();
    const header = req.headers.authorization;
    const bearer =
      typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const cookies = (req.cookies ?? {}) as Record<string, string | undefined>;
    const token = bearer ?? cookies[SESSION_COOKIE];
    const required = AppError.unauthorized(
      BankingErrorCode.SESSION_REQUIRED,
      'ログインしてください（セッションの有効期限が切れた可能性があります）。',
    );
    if (!token) throw required;
    const p = await this.auth.authenticate(token);
    if (!p) throw required;
    const via = bearer ? 'bearer' : 'cookie';
    if (via === 'cookie' && !['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
      const sent = req.headers['x-csrf-token'];
      const cookie = cookies[CSRF_COOKIE];
      if (
        typeof sent !== 'string' ||
        !cookie ||
        !constantTimeEqual(sent, cookie) ||
        !constantTimeEqual(sha256Hex(sent), p.csrfHash)
      )
        throw AppError.forbidden(
          BankingErrorCode.CSRF_FAILED,
          '画面の有効期限が切れました。再読み込みしてからやり直してください。',
        );
    }
    req.bankingPrincipal = {
      sessionId: p.sessionId,
      contractId: p.contractId,
      customerId: p.customerId,
      via,
    };
    return true;
  }
}

export const CurrentCustomer = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): CustomerPrincipal => {
    const p = ctx.switchToHttp().getRequest<BankingRequest>().bankingPrincipal;
    if (!p) throw new Error('CurrentCustomer used without CustomerAuthGuard');
    return p;
  },
);
