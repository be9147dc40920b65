import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireStaff } from '../identity/auth/auth.decorators';
import { actorOf, Principal, StaffRole } from '../identity/auth/principal';
import { CreateSigningIdentityDto, RevokeSigningIdentityDto } from './pki.dto';
import {
  CreateSigningIdentity,
  RevokeSigningIdentity,
  SigningIdentityQueries,
} from './signing-identities.usecase';

/** EC-06: branch-manager signing identities, managed by an administrator. */
@ApiTags('pki')
@Controller('api/admin/signing-identities')
export class SigningIdentitiesController {
  constructor(
    private readonly create: CreateSigningIdentity,
    private readonly revoke: RevokeSigningIdentity,
    private readonly queries: SigningIdentityQueries,
  ) {}

  @Post()
  @RequireStaff(StaffRole.ADMIN)
  @ApiOperation({ summary: 'Create a branch-manager signing identity (certificate + PIN-sealed key)' })
  add(@CurrentPrincipal() p: Principal, @Body() dto: CreateSigningIdentityDto) {
    return this.create.execute({ ...dto, actor: actorOf(p) });
  }

  @Get()
  @RequireStaff(StaffRole.ADMIN, StaffRole.BANK_SIGNER, StaffRole.LOAN_OFFICER, StaffRole.AUDITOR)
  @ApiOperation({ summary: 'List signing identities' })
  async list() {
    return { items: await this.queries.list() };
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequireStaff(StaffRole.ADMIN)
  @ApiOperation({ summary: 'Revoke a signing identity and its certificate' })
  remove(
    @CurrentPrincipal() p: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: RevokeSigningIdentityDto,
  ) {
    return this.revoke.execute({
      signingIdentityId: id,
      reason: dto.reason ?? 'cessationOfOperation',
      actor: actorOf(p),
    });
  }
}
