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
import { AccountService, toAccountChangeView } from '../identity/account.service';
import { CurrentPrincipal, RequireStaff } from '../identity/auth/auth.decorators';
import { actorOf, Principal, StaffRole } from '../identity/auth/principal';
import { ChangeAccountStatus, notFound, StatusAction } from '../identity/change-account-status.usecase';
import { StatusReasonDto } from '../identity/staff.dto';
import { SubscriberDirectory } from '../identity/subscriber-directory.service';
import { UnlockAccount } from '../identity/unlock-account.usecase';
import { ReissueCredentials } from '../identity/reissue-credentials.usecase';
import { RegisterSubscriberDto, SearchSubscribersDto, UpdateSubscriberDto } from './ra.dto';
import { RegisterSubscriber } from './register-subscriber.usecase';
import { UpdateSubscriber } from './update-subscriber.usecase';

/** Registration-authority API (EC-02): RA officers write, auditors read. */
@ApiTags('ra')
@Controller('api/ra/subscribers')
export class RaSubscribersController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly registerSubscriber: RegisterSubscriber,
    private readonly updateSubscriber: UpdateSubscriber,
    private readonly changeStatus: ChangeAccountStatus,
    private readonly unlockAccount: UnlockAccount,
    private readonly reissueCredentials: ReissueCredentials,
    private readonly directory: SubscriberDirectory,
    private readonly accounts: AccountService,
  ) {}

  @Post()
  @RequireStaff(StaffRole.RA_OFFICER)
  register(@CurrentPrincipal() p: Principal, @Body() dto: RegisterSubscriberDto) {
    return this.registerSubscriber.execute(p, dto);
  }

  @Get()
  @RequireStaff(StaffRole.RA_OFFICER, StaffRole.AUDITOR)
  search(@Query() q: SearchSubscribersDto) {
    return this.directory.search({ query: q.query, status: q.status, limit: q.limit, offset: q.offset });
  }

  @Get(':id')
  @RequireStaff(StaffRole.RA_OFFICER, StaffRole.AUDITOR)
  async get(@Param('id', ParseUUIDPipe) id: string) {
    const s = await this.directory.findById(id);
    if (!s) throw notFound('subscriber');
    return s;
  }

  /** EC-12: the recorded changes of name, email and status, with who and when. */
  @Get(':id/history')
  @RequireStaff(StaffRole.RA_OFFICER, StaffRole.AUDITOR)
  async history(@Param('id', ParseUUIDPipe) id: string) {
    if (!(await this.directory.findById(id))) throw notFound('subscriber');
    const items = await this.accounts.history(this.dataSource.manager, id);
    return { items: items.map(toAccountChangeView) };
  }

  @Patch(':id')
  @RequireStaff(StaffRole.RA_OFFICER)
  update(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: UpdateSubscriberDto,
  ) {
    return this.updateSubscriber.execute(p, id, dto);
  }

  @Post(':id/suspend')
  @HttpCode(200)
  @RequireStaff(StaffRole.RA_OFFICER)
  suspend(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: StatusReasonDto,
  ) {
    return this.status(p, id, 'suspend', dto);
  }

  /** EC-18: pending work of a restricted subscriber is not processed. */
  @Post(':id/restrict')
  @HttpCode(200)
  @RequireStaff(StaffRole.RA_OFFICER)
  restrict(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: StatusReasonDto,
  ) {
    return this.status(p, id, 'restrict', dto);
  }

  @Post(':id/reactivate')
  @HttpCode(200)
  @RequireStaff(StaffRole.RA_OFFICER)
  reactivate(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: StatusReasonDto,
  ) {
    return this.status(p, id, 'reactivate', dto);
  }

  @Post(':id/unlock')
  @HttpCode(200)
  @RequireStaff(StaffRole.RA_OFFICER)
  unlock(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.unlockAccount.execute(actorOf(p), 'subscriber', id);
  }

  /** New temporary password and login URL (forgotten password, leaked URL); shown once for the printed notice. */
  @Post(':id/reissue')
  @HttpCode(200)
  @RequireStaff(StaffRole.RA_OFFICER)
  reissue(@CurrentPrincipal() p: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.reissueCredentials.execute(actorOf(p), 'subscriber', id);
  }

  /** EC-12: a user who leaves is deleted; login ends, records are kept. */
  @Delete(':id')
  @RequireStaff(StaffRole.RA_OFFICER)
  remove(
    @CurrentPrincipal() p: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: StatusReasonDto,
  ) {
    return this.status(p, id, 'delete', dto);
  }

  private status(p: Principal, id: string, action: StatusAction, dto: StatusReasonDto) {
    return this.changeStatus.execute(p, 'subscriber', id, action, dto.reason);
  }
}
