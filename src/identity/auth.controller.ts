import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AuditLog } from '../platform/audit/audit-log';
import { AllowPendingPasswordChange, CurrentPrincipal, RequireAuth } from './auth/auth.decorators';
import type { AuthenticatedRequest } from './auth/auth.guard';
import { actorOf, Principal } from './auth/principal';
import { clearSessionCookies, setSessionCookies, tokenFrom } from './auth/session-cookies';
import { SessionService } from './auth/session.service';
import { AuthChangePasswordDto, AuthLoginDto, AuthOtpDto, AuthResendOtpDto } from './auth.dto';
import { ChangePassword } from './change-password.usecase';
import { ResendOtp } from './resend-otp.usecase';
import { StartLogin } from './start-login.usecase';
import { VerifyOtp } from './verify-otp.usecase';

export function userView(p: Principal) {
  return p.kind === 'staff'
    ? { id: p.id, loginId: p.loginId, name: p.name, email: p.email, kind: 'staff' as const, roles: p.roles }
    : {
        id: p.id,
        loginId: p.loginId,
        name: p.name,
        email: p.email,
        kind: 'subscriber' as const,
        subscriberKind: p.subscriberKind,
        status: p.status,
      };
}

@ApiTags('auth')
@Controller('api')
export class AuthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly startLogin: StartLogin,
    private readonly verifyOtp: VerifyOtp,
    private readonly resendOtp: ResendOtp,
    private readonly changePassword: ChangePassword,
    private readonly sessions: SessionService,
    private readonly audit: AuditLog,
  ) {}

  private get secureCookies(): boolean {
    return this.config.publicUrl.startsWith('https:');
  }

  /** EC-05 (1)(2): personal login key + ID + password → an OTP is mailed. */
  @Post('auth/login')
  @HttpCode(200)
  login(@Body() dto: AuthLoginDto) {
    return this.startLogin.execute(dto);
  }

  /** EC-05 (3): the mailed OTP → a session (Bearer token and cookie). */
  @Post('auth/otp')
  @HttpCode(200)
  async otp(@Body() dto: AuthOtpDto, @Res({ passthrough: true }) res: Response) {
    const r = await this.verifyOtp.execute(dto);
    setSessionCookies(res, r.token, this.secureCookies);
    return {
      token: r.token,
      mustChangePassword: r.mustChangePassword,
      expiresAt: r.expiresAt,
      user: userView(r.principal),
    };
  }

  @Post('auth/otp/resend')
  @HttpCode(200)
  resend(@Body() dto: AuthResendOtpDto) {
    return this.resendOtp.execute(dto.challengeId);
  }

  @Post('auth/password')
  @HttpCode(200)
  @RequireAuth()
  @AllowPendingPasswordChange()
  async password(
    @CurrentPrincipal() p: Principal,
    @Body() dto: AuthChangePasswordDto,
    @Req() req: AuthenticatedRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    const r = await this.changePassword.execute(p, dto);
    if (tokenFrom(req)?.via === 'cookie') setSessionCookies(res, r.token, this.secureCookies);
    return { token: r.token, expiresAt: r.expiresAt };
  }

  @Post('auth/logout')
  @HttpCode(200)
  @RequireAuth()
  @AllowPendingPasswordChange()
  async logout(@CurrentPrincipal() p: Principal, @Res({ passthrough: true }) res: Response) {
    await this.sessions.end(p.sessionId, 'logout');
    await this.audit.append({
      actor: actorOf(p),
      action: 'auth.logout',
      subject: actorOf(p),
      details: { sessionId: p.sessionId },
    });
    clearSessionCookies(res, this.secureCookies);
    return { ok: true };
  }

  @Get('me')
  @RequireAuth()
  @AllowPendingPasswordChange()
  me(@CurrentPrincipal() p: Principal, @Req() req: AuthenticatedRequest) {
    return { user: userView(p), mustChangePassword: req.mustChangePassword ?? false };
  }
}
