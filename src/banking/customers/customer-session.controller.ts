import { Body, Controller, Delete, Get, HttpCode, Inject, Post, Res, UseGuards } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { Response } from 'express';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { ContractsService } from './contracts.service';
import { CustomerAuthService, CustomerPrincipal } from './customer-auth.service';
import { CSRF_COOKIE, CurrentCustomer, CustomerAuthGuard, SESSION_COOKIE } from './customer-auth.guard';

class LoginDto {
  @ApiProperty({ example: 'taro2026' }) @IsString() @MinLength(1) @MaxLength(64) loginId!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(128) password!: string;
  @ApiPropertyOptional({
    enum: ['cookie', 'bearer'],
    description: 'cookie (browser, default) or bearer (token in the body, no cookies)',
  })
  @IsOptional()
  @IsIn(['cookie', 'bearer'])
  mode?: 'cookie' | 'bearer';
}

@ApiTags('banking: session')
@Controller('api/banking/session')
export class CustomerSessionController {
  constructor(
    private readonly auth: CustomerAuthService,
    private readonly contracts: ContractsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Customer login (login ID + password; locks after BANKING_LOCKOUT_THRESHOLD misses)',
  })
  async login(@Body() dto: LoginDto, @Res({ passthrough: true }) res: Response) {
    const s = await this.auth.login(dto.loginId, dto.password);
    const body = { contractId: s.contract.id, expiresAt: s.expiresAt.toISOString() };
    if (dto.mode === 'bearer') return { ...body, token: s.token };
    // Browser-session cookies (no Max-Age): closing the browser ends them; the server enforces
    // the idle and absolute lifetimes.
    const secure = this.config.publicUrl.startsWith('https:');
    res.cookie(SESSION_COOKIE, s.token, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
    res.cookie(CSRF_COOKIE, s.csrfToken, { httpOnly: false, sameSite: 'strict', secure, path: '/' });
    return body;
  }

  @Get()
  @UseGuards(CustomerAuthGuard)
  @ApiBearerAuth()
  @ApiCookieAuth()
  @ApiOperation({ summary: 'Who is logged in' })
  async me(@CurrentCustomer() p: CustomerPrincipal) {
    const c = await this.contracts.get(p.contractId);
    const cu = await this.contracts.customerOf(c);
    return {
      contractId: c.id,
      loginId: c.loginId,
      name: cu.nameKanji,
      status: c.status,
      termEnd: c.termEnd,
      lastLoginAt: c.lastLoginAt,
    };
  }

  @Delete()
  @HttpCode(204)
  @UseGuards(CustomerAuthGuard)
  @ApiBearerAuth()
  @ApiCookieAuth()
  @ApiOperation({ summary: 'Logout' })
  async logout(@CurrentCustomer() p: CustomerPrincipal, @Res({ passthrough: true }) res: Response) {
    await this.auth.logout(p.sessionId);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.clearCookie(CSRF_COOKIE, { path: '/' });
  }
}
