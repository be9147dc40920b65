import {
  applyDecorators,
  createParamDecorator,
  ExecutionContext,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCookieAuth } from '@nestjs/swagger';
import { AppError, CommonErrorCode } from '../../common/errors/app-error';
import {
  ALLOW_PENDING_PASSWORD,
  AUTH_REQUIREMENT,
  AuthenticatedRequest,
  AuthGuard,
  AuthRequirement,
} from './auth.guard';
import { Principal, StaffRole } from './principal';

function requirement(r: AuthRequirement) {
  return applyDecorators(
    SetMetadata(AUTH_REQUIREMENT, r),
    UseGuards(AuthGuard),
    ApiBearerAuth(),
    ApiCookieAuth(),
  );
}

/** Staff holding any of the roles (no roles = any staff member). */
export function RequireStaff(...roles: StaffRole[]) {
  return requirement({ kind: 'staff', roles });
}

export function RequireSubscriber() {
  return requirement({ kind: 'subscriber', roles: [] });
}

/** Any logged-in principal. */
export function RequireAuth() {
  return requirement({ kind: 'any', roles: [] });
}

/**
 * Lets a session whose temporary password is still unchanged call this route (password change,
 * logout, /api/me). Everything else answers 403 PASSWORD_CHANGE_REQUIRED.
 */
export function AllowPendingPasswordChange() {
  return SetMetadata(ALLOW_PENDING_PASSWORD, true);
}

/** The authenticated principal (use with one of the Require… decorators). */
export const CurrentPrincipal = createParamDecorator((_: unknown, ctx: ExecutionContext): Principal => {
  const p = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
  if (!p) throw AppError.unauthorized(CommonErrorCode.UNAUTHENTICATED, 'ログインが必要です。');
  return p;
});
