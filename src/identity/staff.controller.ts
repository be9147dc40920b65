import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AccountService, toAccountChangeView } from './account.service';
import { RequireStaff, CurrentPrincipal } from './auth/auth.decorators';
import { actorOf, Principal, StaffRole } from './auth/principal';
import { ChangeAccountStatus, notFound, StatusAction } from './change-account-status.usecase';
import { RegisterStaff } from './register-staff.usecase';
import { ReissueCredentials } from './reissue-credentials.usecase';
import { RegisterStaffDto, StatusReasonDto, UpdateStaffDto } from './staff.dto';
import { StaffDirectory } from './subscriber-directory.service';
import { UnlockAccount } from './unlock-account.usecase';
import { UpdateStaff } from './update-staff.usecase';

/** Staff accounts, managed by administrators. */
@ApiTags('staff')
@Controller('api/staff')
@RequireStaff(StaffRole.ADMIN)
export class StaffController {
  constructor(
    private readonly registerStaff: RegisterStaff,
    private readonly updateStaff: UpdateStaff,
    private readonly changeStatus: ChangeAccountStatus,
    private readonly unlockAccount: UnlockAccount,
    private readonly reissueCredentials: ReissueCredentials,
    private readonly directory: StaffDirectory,
    private readonly accounts: AccountService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Post()
  register(@CurrentPrincipal() p: Principal, @Body() dto: RegisterStaffDto) {
    return this.registerStaff.execute(`staff:${p.id}`, dto);
  }

  @Get()
  async list(@Query('includeDeleted') includeDeleted?: string) {
    return { items: await this.directory.list({ includeDeleted: includeDeleted === 'true' }) };
  }

  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string) {
    const s = await this.directory.findById(id);
    if (!s) throw notFound('staff');
    return s;
  }

  /** Recorded changes of name, email, roles and status, with who and when. */
  @Get(':id/history')
  async history(@Param('id', ParseUUIDPipe) id: string) {
    if (!(await this.directory.findById(id))) throw notFound('staff');
    const items = await this.accounts.history(this.dataSource.manager, id);
    return { items: items.map(toAccountChangeView) };
  }

  @Patch(':id')
  update(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateStaffDto,
  ) {
    return this.updateStaff.execute(p, id, dto);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  suspend(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: StatusReasonDto,
  ) {
    return this.status(p, id, 'suspend', dto);
  }

  @Post(':id/reactivate')
  @HttpCode(200)
  reactivate(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: StatusReasonDto,
  ) {
    return this.status(p, id, 'reactivate', dto);
  }

  @Post(':id/unlock')
  @HttpCode(200)
  unlock(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.unlockAccount.execute(actorOf(p), 'staff', id);
  }

  /** New temporary password and login URL (forgotten password, leaked URL); shown once. */
  @Post(':id/reissue')
  @HttpCode(200)
  reissue(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.reissueCredentials.execute(actorOf(p), 'staff', id);
  }

  @Delete(':id')
  remove(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: StatusReasonDto,
  ) {
    return this.status(p, id, 'delete', dto);
  }

  private status(p: Principal, id: string, action: StatusAction, dto: StatusReasonDto) {
    return this.changeStatus.execute(p, 'staff', id, action, dto.reason);
  }
}
