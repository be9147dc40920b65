import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { IdentityModule } from '../identity/identity.module';
import { Clock } from '../platform/clock/clock';
import { AccountEntity } from './accounts/account.entity';
import { AccountsService } from './accounts/accounts.service';
import { BackOfficeController } from './back-office/back-office.controller';
import { ResolveCase } from './back-office/resolve-case.usecase';
import { ClearingPort } from './clearing/clearing.port';
import { ZenginSimulator } from './clearing/zengin-simulator';
import { ContractsService } from './customers/contracts.service';
import { CustomerAuthGuard } from './customers/customer-auth.guard';
import { CustomerAuthService } from './customers/customer-auth.service';
import { CustomerSessionController } from './customers/customer-session.controller';
import {
  CustomerEntity,
  IbContractEntity,
  IbServiceAccountEntity,
  IbSessionEntity,
  PayeeCheckEntity,
} from './customers/customer.entity';
import { InquiriesController } from './inquiries/inquiries.controller';
import { InquiriesService } from './inquiries/inquiries.service';
import { BankingJobs } from './jobs/banking-jobs';
import { JournalEntryEntity, PostingEntity } from './ledger/journal.entity';
import { LedgerService } from './ledger/ledger.service';
import { UnitOfWork } from './ledger/unit-of-work';
import { PayeeService } from './transfers/payee.service';
import { TransferExecutionService } from './transfers/transfer-execution.service';
import { TransferNotices } from './transfers/transfer-notices';
import { TransferPosting } from './transfers/transfer-posting';
import { TransferCaseEntity, TransferEntity } from './transfers/transfer.entity';
import { TransfersController } from './transfers/transfers.controller';
import { TransfersService } from './transfers/transfers.service';
import { BankingPagesController } from './web/banking-pages.controller';

/**
 * Banking core (accounts, ledger, calendar, clearing port) and personal internet banking
 * (seed 003 §1–7). Later banking modules import this module and reuse its exported services.
 */
@Module({
  imports: [
    IdentityModule,
    TypeOrmModule.forFeature([
      AccountEntity,
      JournalEntryEntity,
      PostingEntity,
      CustomerEntity,
      IbContractEntity,
      IbServiceAccountEntity,
      IbSessionEntity,
      PayeeCheckEntity,
      TransferEntity,
      TransferCaseEntity,
    ]),
  ],
  controllers: [
    CustomerSessionController,
    InquiriesController,
    TransfersController,
    BackOfficeController,
    BankingPagesController,
  ],
  providers: [
    UnitOfWork,
    LedgerService,
    AccountsService,
    ContractsService,
    CustomerAuthService,
    CustomerAuthGuard,
    InquiriesService,
    PayeeService,
    TransferPosting,
    TransferNotices,
    TransfersService,
    TransferExecutionService,
    BankingJobs,
    ResolveCase,
    {
      provide: ClearingPort,
      inject: [APP_CONFIG, Clock],
      useFactory: (config: AppConfig, clock: Clock) =>
        new ZenginSimulator(
          {
            returnSuffix: config.BANKING_SIM_RETURN_SUFFIX,
            unknownSuffix: config.BANKING_SIM_UNKNOWN_SUFFIX,
            returnDelayMs: config.BANKING_SIM_RETURN_DELAY_SECONDS * 1000,
          },
          () => clock.now(),
        ),
    },
  ],
  exports: [
    UnitOfWork,
    LedgerService,
    AccountsService,
    ContractsService,
    CustomerAuthService,
    CustomerAuthGuard,
    TransfersService,
    TransferExecutionService,
    PayeeService,
    ClearingPort,
  ],
})
export class BankingModule {}
