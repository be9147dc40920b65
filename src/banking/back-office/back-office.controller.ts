import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import {
  IsArray,
  IsBoolean,
  IsEmail,
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
} from 'class-validator';
import { AppError } from '../../common/errors/app-error';
import { CurrentPrincipal, RequireStaff } from '../../identity/auth/auth.decorators';
import { Principal, StaffRole, actorOf } from '../../identity/auth/principal';
import { AccountType } from '../accounts/account.entity';
import { AccountsService } from '../accounts/accounts.service';
import { BankingErrorCode } from '../banking.errors';
import { ContractsService } from '../customers/contracts.service';
import { LedgerService } from '../ledger/ledger.service';
import { UnitOfWork } from '../ledger/unit-of-work';
import { TransferExecutionService } from '../transfers/transfer-execution.service';
import { TransferCaseEntity } from '../transfers/transfer.entity';
import { caseView } from '../transfers/transfer-view';
import { ResolveCase } from './resolve-case.usecase';

class OpenAccountDto {
  @ApiProperty({ example: '002' }) @Matches(/^\d{3}$/) branchCode!: string;
  @ApiProperty({ enum: ['1', '2', '4'] }) @IsIn(['1', '2', '4']) accountType!: AccountType;
  @ApiProperty({ example: '信金 太郎' }) @IsString() @MinLength(1) @MaxLength(100) nameKanji!: string;
  @ApiProperty({ example: 'ｼﾝｷﾝ ﾀﾛｳ' }) @IsString() @MinLength(1) @MaxLength(100) nameKana!: string;
  @ApiPropertyOptional() @IsOptional() @IsUUID() customerId?: string;
  @ApiPropertyOptional({ example: '1234567' }) @IsOptional() @Matches(/^\d{7}$/) accountNumber?: string;
  @ApiPropertyOptional({ description: '当座貸越/総合口座 overdraft limit (yen)' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000_000)
  overdraftLimitYen?: number;
}
class CashDto {
  @ApiProperty({ enum: ['deposit', 'withdrawal'] }) @IsIn(['deposit', 'withdrawal']) direction!:
    'deposit' | 'withdrawal';
  @ApiProperty() @IsInt() @Min(1) @Max(1_000_000_000_000) amountYen!: number;
}
class FlagsDto {
  @ApiPropertyOptional() @IsOptional() @IsBoolean() paymentStopped?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() garnished?: boolean;
}
class CustomerDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) nameKanji!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(100) nameKana!: string;
  @ApiProperty({ example: '1980-04-01' }) @Matches(/^\d{4}-\d{2}-\d{2}$/) birthDate!: string;
  @ApiProperty() @IsEmail() email!: string;
}
class ContractDto {
  @ApiProperty() @IsUUID() customerId!: string;
  @ApiProperty() @IsUUID() representativeAccountId!: string;
  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @IsUUID('all', { each: true })
  serviceAccountIds?: string[];
  @ApiProperty() @IsString() @MaxLength(64) loginId!: string;
  @ApiProperty() @IsString() @MaxLength(128) password!: string;
}
class UnlockDto {
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() login?: boolean;
  @ApiPropertyOptional() @IsOptional() @IsBoolean() payeeCheck?: boolean;
}
class StatusDto {
  @ApiProperty({ enum: ['active', 'suspended', 'terminated'] })
  @IsIn(['active', 'suspended', 'terminated'])
  status!: 'active' | 'suspended' | 'terminated';
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) reason?: string;
  @ApiPropertyOptional({
    description: 'forced termination by the bank: unprocessed reservations are cancelled',
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}
class ServiceAccountDto {
  @ApiProperty() @IsUUID() accountId!: string;
}
class ResolveDto {
  @ApiProperty({ enum: ['done', 'rejected'] }) @IsIn(['done', 'rejected']) outcome!: 'done' | 'rejected';
  @ApiProperty() @IsString() @MaxLength(500) note!: string;
}
class FindQuery {
  @ApiProperty() @Matches(/^\d{3}$/) branchCode!: string;
  @ApiProperty() @IsIn(['1', '2', '4']) accountType!: string;
  @ApiProperty() @Matches(/^\d{7}$/) accountNumber!: string;
}

/** Bank back office (staff role `operations`): every action is audited under the staff actor. */
@ApiTags('banking: back office')
@RequireStaff(StaffRole.OPERATIONS)
@Controller('api/banking/back-office')
export class BackOfficeController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly contracts: ContractsService,
    private readonly ledger: LedgerService,
    private readonly jobs: TransferExecutionService,
    private readonly resolveCase: ResolveCase,
    private readonly uow: UnitOfWork,
  ) {}

  @Get('accounts')
  @ApiOperation({ summary: 'Find an account by branch, type and number' })
  async find(@Query() q: FindQuery) {
    const a = await this.accounts.findByNumber(q.branchCode, q.accountType, q.accountNumber);
    if (!a) throw AppError.notFound(BankingErrorCode.ACCOUNT_NOT_FOUND, '口座が見つかりません。');
    return this.accounts.view(a);
  }

  @Post('accounts')
  @ApiOperation({ summary: 'Open an account' })
  async open(@CurrentPrincipal() p: Principal, @Body() dto: OpenAccountDto) {
    return this.accounts.view(await this.accounts.open(dto, actorOf(p)));
  }

  @Get('accounts/:id')
  async get(@Param('id', ParseUUIDPipe) id: string) {
    return this.accounts.view(await this.accounts.get(id));
  }

  @Post('accounts/:id/close')
  @HttpCode(200)
  async close(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.accounts.view(await this.accounts.close(id, actorOf(p)));
  }

  @Post('accounts/:id/cash')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cash deposit or withdrawal over the counter' })
  async cash(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string, @Body() dto: CashDto) {
    return this.accounts.view(await this.accounts.cash(id, dto.direction, dto.amountYen, actorOf(p)));
  }

  @Patch('accounts/:id/flags')
  @ApiOperation({ summary: 'Set or clear payment stop and garnishment' })
  async flags(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: FlagsDto,
  ) {
    return this.accounts.view(await this.accounts.setFlags(id, dto, actorOf(p)));
  }

  @Post('customers')
  async customer(@CurrentPrincipal() p: Principal, @Body() dto: CustomerDto) {
    const c = await this.contracts.registerCustomer(dto, actorOf(p));
    return { id: c.id, nameKanji: c.nameKanji, nameKana: c.nameKana };
  }

  @Post('contracts')
  @ApiOperation({ summary: 'Register a personal internet-banking contract' })
  async contract(@CurrentPrincipal() p: Principal, @Body() dto: ContractDto) {
    const c = await this.contracts.registerContract(dto, actorOf(p));
    return { id: c.id, loginId: c.loginId, status: c.status, termEnd: c.termEnd };
  }

  @Post('contracts/:id/unlock')
  @HttpCode(200)
  @ApiOperation({ summary: 'Unlock the login and/or the payee check' })
  async unlock(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UnlockDto,
  ) {
    const c = await this.contracts.unlock(id, dto, actorOf(p));
    return {
      id: c.id,
      failedLogins: c.failedLogins,
      locked: Boolean(c.lockedAt),
      payeeCheckLocked: Boolean(c.payeeCheckLockedAt),
    };
  }

  @Post('contracts/:id/status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Suspend, reactivate or terminate a contract (BK-18)' })
  async status(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: StatusDto,
  ) {
    const c = await this.contracts.setStatus(id, dto.status, actorOf(p), dto.reason, dto.force);
    return { id: c.id, status: c.status };
  }

  @Post('contracts/:id/service-accounts')
  @ApiOperation({
    summary: 'Register another service account (same branch, same name, up to BANKING_MAX_SERVICE_ACCOUNTS)',
  })
  async addServiceAccount(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ServiceAccountDto,
  ) {
    const sa = await this.contracts.addServiceAccount(id, dto.accountId, actorOf(p));
    return { contractId: id, accountId: sa.accountId };
  }

  @Get('cases')
  async cases(@Query('status') status?: string) {
    const rows = await this.uow.dataSource.getRepository(TransferCaseEntity).find({
      where: status ? { status: status as TransferCaseEntity['status'] } : {},
      order: { createdAt: 'ASC' },
      take: 500,
    });
    return rows.map(caseView);
  }

  @Post('cases/:id/resolve')
  @HttpCode(200)
  async resolve(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ResolveDto,
  ) {
    return caseView(await this.resolveCase.execute(id, dto.outcome, dto.note, actorOf(p)));
  }

  @Get('ledger/check')
  @ApiOperation({
    summary: 'Ledger invariants: balances = sum of postings, every journal and the books balance',
  })
  check() {
    return this.ledger.check();
  }

  @Post('jobs/run')
  @HttpCode(200)
  @ApiOperation({ summary: 'Run the transfer job now (expiry, reservations due, clearing returns)' })
  run() {
    return this.jobs.runDue();
  }
}
