import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireSubscriber } from '../identity/auth/auth.decorators';
import { actorOf, Principal } from '../identity/auth/principal';
import { CertificateQueries } from './certificate-queries.service';
import { ChangePin } from './change-pin.usecase';
import { IssueSubscriberCertificate } from './issue-subscriber-certificate.usecase';
import { ApplyCertificateDto, ChangePinDto } from './pki.dto';

/** The subscriber's own signing certificate (EC-03, EC-04). */
@ApiTags('pki')
@Controller('api/me/certificate')
@RequireSubscriber()
export class MeCertificateController {
  constructor(
    private readonly issue: IssueSubscriberCertificate,
    private readonly changePin: ChangePin,
    private readonly queries: CertificateQueries,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Apply for the signing certificate and set its PIN in the same step' })
  async apply(@CurrentPrincipal() p: Principal, @Body() dto: ApplyCertificateDto) {
    return this.issue.execute({
      subscriberId: p.id,
      pin: dto.pin,
      pinConfirmation: dto.pinConfirmation,
      actor: actorOf(p),
    });
  }

  @Get()
  @ApiOperation({ summary: 'Current certificate (or null) and history' })
  get(@CurrentPrincipal() p: Principal) {
    return this.queries.forSubscriber(p.id);
  }

  @Post('pin')
  @HttpCode(200)
  @ApiOperation({ summary: 'Change the PIN (the current PIN is required)' })
  async pin(@CurrentPrincipal() p: Principal, @Body() dto: ChangePinDto) {
    await this.changePin.execute({
      subscriberId: p.id,
      currentPin: dto.currentPin,
      newPin: dto.newPin,
      actor: actorOf(p),
    });
    return { changed: true };
  }
}
