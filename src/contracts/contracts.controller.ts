import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import {
  CurrentPrincipal,
  RequireAuth,
  RequireStaff,
  RequireSubscriber,
} from '../identity/auth/auth.decorators';
import { Principal, StaffRole } from '../identity/auth/principal';
import { SubscriberDirectory } from '../identity/subscriber-directory.service';
import { BankSignContract } from './bank-sign-contract.usecase';
import { CancelContract } from './cancel-contract.usecase';
import { ContractQueries, PdfFile } from './contract-queries.service';
import { ContractSigningGateway } from './contract-signing.gateway';
import { ContractUploadInterceptor } from './contract-upload.interceptor';
import {
  BankSignatureDto,
  CancelContractDto,
  ListContractsQuery,
  parseNewContractFields,
  PartySignatureDto,
} from './contracts.dto';
import { CreateContract } from './create-contract.usecase';
import { SignContract } from './sign-contract.usecase';

/** The e-contract JSON API (seed 000 §12). Thin: each route hands over to one use case. */
@ApiTags('contracts')
@Controller('api/contracts')
export class ContractsController {
  constructor(
    private readonly create: CreateContract,
    private readonly bankSign: BankSignContract,
    private readonly sign: SignContract,
    private readonly cancelContract: CancelContract,
    private readonly queries: ContractQueries,
    private readonly subscribers: SubscriberDirectory,
    private readonly signing: ContractSigningGateway,
  ) {}

  @Post()
  @RequireStaff(StaffRole.LOAN_OFFICER)
  @UseInterceptors(ContractUploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description:
      'The contract PDF (`file`) and its fields. `signerIds` is repeated (or a JSON array): the debtor first, then guarantors, in signing order. `deadline` is `YYYY-MM-DD` (end of that day, Asia/Tokyo) or an ISO instant; without it the default period applies.',
    schema: {
      type: 'object',
      required: ['file', 'title', 'loanType', 'amount', 'counterparty', 'contractDate', 'signerIds'],
      properties: {
        file: { type: 'string', format: 'binary' },
        title: { type: 'string', maxLength: 200 },
        loanType: { type: 'string', enum: ['housing', 'business', 'consumer'] },
        amount: { type: 'integer', minimum: 1, description: 'yen' },
        counterparty: { type: 'string', maxLength: 200 },
        contractDate: { type: 'string', format: 'date' },
        signerIds: { type: 'array', items: { type: 'string', format: 'uuid' } },
        deadline: { type: 'string' },
      },
    },
  })
  async register(@CurrentPrincipal() p: Principal, @Req() req: Request) {
    const fields = parseNewContractFields((req.body ?? {}) as Record<string, unknown>);
    const file = (req as Request & { file?: Express.Multer.File }).file;
    const c = await this.create.execute({
      operator: p,
      title: fields.title,
      loanType: fields.loanType,
      amountYen: fields.amount,
      counterparty: fields.counterparty,
      contractDate: fields.contractDate,
      signerIds: fields.signerIds,
      deadline: fields.deadline,
      pdf: file?.buffer,
    });
    return { id: c.id, status: c.status };
  }

  @Get()
  @RequireAuth()
  async list(@CurrentPrincipal() p: Principal, @Query() q: ListContractsQuery) {
    return { items: await this.queries.list(p, { status: q.status }) };
  }

  /** Subscribers the loan officer may name as signers (search by name, kana, login ID, e-mail). */
  @Get('signer-candidates')
  @RequireStaff(StaffRole.LOAN_OFFICER)
  async candidates(@Query('query') query?: string) {
    const { items } = await this.subscribers.search({
      query: typeof query === 'string' ? query : '',
      limit: 20,
    });
    return {
      items: items
        .filter((s) => s.status !== 'deleted')
        .map((s) => ({
          id: s.id,
          loginId: s.loginId,
          name: s.name,
          corporationName: s.corporationName,
          status: s.status,
        })),
    };
  }

  /** The branch manager signing identities a bank signer may use (EC-06). */
  @Get('signing-identities')
  @RequireStaff(StaffRole.BANK_SIGNER)
  async signingIdentities() {
    return { items: await this.signing.signingIdentities() };
  }

  @Get(':id')
  @RequireAuth()
  detail(@CurrentPrincipal() p: Principal, @Param('id') id: string) {
    return this.queries.detail(p, id);
  }

  @Get(':id/document')
  @RequireAuth()
  async document(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Res() res: Response) {
    sendPdf(res, await this.queries.document(p, id), 'inline');
  }

  @Get(':id/original')
  @RequireAuth()
  async original(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Res() res: Response) {
    sendPdf(res, await this.queries.original(p, id), 'attachment');
  }

  @Post(':id/bank-signature')
  @HttpCode(200)
  @RequireStaff(StaffRole.BANK_SIGNER)
  async bankSignature(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: BankSignatureDto,
  ) {
    const c = await this.bankSign.execute({
      contractId: id,
      signingIdentityId: body.signingIdentityId,
      pin: body.pin,
      operator: p,
    });
    return { id: c.id, status: c.status, currentSignerOrder: c.currentSignerOrder };
  }

  @Post(':id/signature')
  @HttpCode(200)
  @RequireSubscriber()
  async signature(
    @CurrentPrincipal() p: Principal,
    @Param('id') id: string,
    @Body() body: PartySignatureDto,
  ) {
    const c = await this.sign.execute({
      contractId: id,
      subscriber: p,
      pin: body.pin,
      agreed: body.agreed === true,
    });
    return { id: c.id, status: c.status, currentSignerOrder: c.currentSignerOrder };
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @RequireStaff(StaffRole.LOAN_OFFICER, StaffRole.ADMIN)
  async cancel(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() body: CancelContractDto) {
    const c = await this.cancelContract.execute({ contractId: id, reason: body.reason.trim(), operator: p });
    return { id: c.id, status: c.status };
  }
}

function sendPdf(res: Response, f: PdfFile, disposition: 'inline' | 'attachment'): void {
  res.setHeader('Content-Type', 'application/pdf');
  res.setHeader('Content-Disposition', `${disposition}; filename="${f.filename}"`);
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('X-Content-SHA256', f.sha256);
  res.setHeader('X-Document-Version', String(f.version));
  res.end(f.bytes);
}
