import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiHeader,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { CurrentCustomer, CustomerAuthGuard } from '../customers/customer-auth.guard';
import { CustomerPrincipal } from '../customers/customer-auth.service';
import { PayeeService } from './payee.service';
import { caseView, transferView } from './transfer-view';
import { TransfersService } from './transfers.service';

class PayeeDto {
  @ApiProperty({ example: '0001' }) @Matches(/^\d{4}$/) bankCode!: string;
  @ApiProperty({ example: '001' }) @Matches(/^\d{3}$/) branchCode!: string;
  @ApiProperty({ enum: ['1', '2', '4', '9'] }) @IsIn(['1', '2', '4', '9']) accountType!: string;
  @ApiProperty({ example: '1234567' }) @Matches(/^\d{7}$/) accountNumber!: string;
}

class RequestTransferDto extends PayeeDto {
  @ApiProperty() @IsUUID() debitAccountId!: string;
  @ApiProperty({ example: 10000 }) @IsInt() @Min(1) @Max(1_000_000_000_000) amountYen!: number;
  @ApiPropertyOptional({
    description:
      'Designated date YYYY-MM-DD (business day, within BANKING_DESIGNATED_DATE_MAX_DAYS); omit for as soon as possible',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  executionDate?: string;
  @ApiPropertyOptional({ maxLength: 30 }) @IsOptional() @IsString() @MaxLength(30) memo?: string;
}

class ConfirmDto {
  @ApiProperty({ description: 'The one-time code emailed for this transfer' })
  @Matches(/^\d{4,10}$/)
  code!: string;
}

class CaseDto {
  @ApiProperty({ enum: ['correction', 'recall'] }) @IsIn(['correction', 'recall']) kind!:
    'correction' | 'recall';
  @ApiProperty({ maxLength: 500 }) @IsString() @MinLength(1) @MaxLength(500) reason!: string;
}

class LimitsDto {
  @ApiPropertyOptional({ nullable: true, description: 'null = the bank limit' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(0)
  perTransferYen?: number | null;
  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(0)
  perDayYen?: number | null;
}

class ListQueryDto {
  @ApiPropertyOptional({ description: 'comma-separated statuses' })
  @IsOptional()
  @Matches(/^[a-z_,]{1,200}$/)
  status?: string;
}

@ApiTags('banking: transfers')
@ApiBearerAuth()
@ApiCookieAuth()
@UseGuards(CustomerAuthGuard)
@Controller('api/banking')
export class TransfersController {
  constructor(
    private readonly transfers: TransfersService,
    private readonly payees: PayeeService,
  ) {}

  @Post('payees/check')
  @HttpCode(200)
  @ApiOperation({ summary: 'Payee check: the account name in kana (BK-10; counts toward the lock)' })
  async check(@CurrentCustomer() p: CustomerPrincipal, @Body() dto: PayeeDto) {
    const payee = await this.payees.check(p.contractId, dto);
    return {
      bankCode: payee.bankCode,
      bankName: payee.bankName,
      branchCode: payee.branchCode,
      branchName: payee.branchName,
      accountType: payee.accountType,
      accountNumber: payee.accountNumber,
      nameKana: payee.nameKana,
    };
  }

  @Post('transfers')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'same key + same request returns the first result',
  })
  @ApiOperation({
    summary: 'Request a transfer: returns the confirmation details; a one-time code is emailed (BK-05)',
  })
  async request(
    @CurrentCustomer() p: CustomerPrincipal,
    @Body() dto: RequestTransferDto,
    @Headers('idempotency-key') key?: string,
  ) {
    return transferView(await this.transfers.request(p, dto, key));
  }

  @Get('transfers')
  @ApiOperation({ summary: 'Transfers of this contract, newest first' })
  async list(@CurrentCustomer() p: CustomerPrincipal, @Query() q: ListQueryDto) {
    return (await this.transfers.list(p.contractId, q.status?.split(',').filter(Boolean))).map(transferView);
  }

  @Get('transfers/:id')
  async get(@CurrentCustomer() p: CustomerPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    return transferView(await this.transfers.get(p.contractId, id));
  }

  @Post('transfers/:id/confirm')
  @HttpCode(200)
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Confirm with the emailed code within the window: executes now or schedules' })
  async confirm(
    @CurrentCustomer() p: CustomerPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ConfirmDto,
    @Headers('idempotency-key') key?: string,
  ) {
    return transferView(await this.transfers.confirm(p, id, dto.code, key));
  }

  @Post('transfers/:id/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cancel a reservation (or an unconfirmed request) until processed (BK-09)' })
  async cancel(@CurrentCustomer() p: CustomerPrincipal, @Param('id', ParseUUIDPipe) id: string) {
    return transferView(await this.transfers.cancel(p, id));
  }

  @Post('transfers/:id/cases')
  @ApiOperation({ summary: '訂正/組戻し request after execution: a case with a fee for staff (BK-09)' })
  async openCase(
    @CurrentCustomer() p: CustomerPrincipal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: CaseDto,
  ) {
    return caseView(await this.transfers.openCase(p, id, dto.kind, dto.reason));
  }

  @Get('cases')
  async cases(@CurrentCustomer() p: CustomerPrincipal) {
    return (await this.transfers.listCases(p.contractId)).map(caseView);
  }

  @Put('limits/:accountId')
  @ApiOperation({ summary: 'Set the customer limits of a service account within the bank limits (BK-08)' })
  async setLimits(
    @CurrentCustomer() p: CustomerPrincipal,
    @Param('accountId', ParseUUIDPipe) accountId: string,
    @Body() dto: LimitsDto,
  ) {
    const sa = await this.transfers.setLimits(p, accountId, dto);
    return {
      accountId,
      bank: this.transfers.bankLimits(),
      customer: { perTransferYen: sa.limitPerTransferYen, perDayYen: sa.limitPerDayYen },
      effective: this.transfers.limitsFor(sa),
    };
  }
}
