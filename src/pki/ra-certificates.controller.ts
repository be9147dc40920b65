import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppError } from '../common/errors/app-error';
import { CurrentPrincipal, RequireStaff } from '../identity/auth/auth.decorators';
import { actorOf, Principal, StaffRole } from '../identity/auth/principal';
import { CertificateQueries } from './certificate-queries.service';
import { PkiErrorCode } from './pki.errors';
import { RevokeDto } from './pki.dto';
import { RevokeCertificate } from './revoke-certificate.usecase';

/** EC-11: the RA revokes a subscriber's certificate on a report at the counter or by phone. */
@ApiTags('pki')
@Controller('api/ra/subscribers/:id')
export class RaCertificatesController {
  constructor(
    private readonly revocation: RevokeCertificate,
    private readonly queries: CertificateQueries,
  ) {}

  @Get('certificates')
  @RequireStaff(StaffRole.RA_OFFICER, StaffRole.AUDITOR)
  @ApiOperation({ summary: "A subscriber's certificates (current and history)" })
  list(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.queries.forSubscriber(id);
  }

  @Post('certificate/revoke')
  @HttpCode(200)
  @RequireStaff(StaffRole.RA_OFFICER)
  @ApiOperation({ summary: "Revoke the subscriber's current certificate with an RFC 5280 reason" })
  async revoke(
    @CurrentPrincipal() p: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() dto: RevokeDto,
  ) {
    const revoked = await this.revocation.revokeForSubscriber(id, dto.reason, {
      channel: dto.channel,
      actor: actorOf(p),
    });
    if (revoked.length === 0) {
      throw AppError.notFound(
        PkiErrorCode.NO_ACTIVE_CERTIFICATE,
        'この利用者には失効できる有効な電子証明書がありません。',
      );
    }
    return { revoked };
  }
}
