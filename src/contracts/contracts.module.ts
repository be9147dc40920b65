import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '../identity/identity.module';
import { BankSignContract } from './bank-sign-contract.usecase';
import { ContractArchiveHandoff } from './contract-archive-handoff';
import { CancelContract } from './cancel-contract.usecase';
import {
  ContractDocumentEntity,
  ContractEntity,
  ContractEventEntity,
  ContractSignerEntity,
} from './contract.entity';
import { ContractDocuments } from './contract-documents.service';
import { ContractNotifier } from './contract-notifier.service';
import { ContractParties } from './contract-parties.service';
import { ContractQueries } from './contract-queries.service';
import { ContractRepository } from './contract.repository';
import { ContractSigningGateway } from './contract-signing.gateway';
import { ContractSigningThrottle } from './contract-signing-throttle';
import { ContractSweep } from './contract-sweep.usecase';
import { ContractUploadInterceptor } from './contract-upload.interceptor';
import { ContractsController } from './contracts.controller';
import { ContractsPagesController } from './contracts-pages.controller';
import { CreateContract } from './create-contract.usecase';
import { SignContract } from './sign-contract.usecase';

/** The e-contract workflow: registration, bank signature, parties' signatures, completion. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      ContractEntity,
      ContractSignerEntity,
      ContractDocumentEntity,
      ContractEventEntity,
    ]),
    IdentityModule,
  ],
  controllers: [ContractsController, ContractsPagesController],
  providers: [
    ContractRepository,
    ContractDocuments,
    ContractArchiveHandoff,
    ContractParties,
    ContractNotifier,
    ContractSigningGateway,
    ContractSigningThrottle,
    ContractUploadInterceptor,
    ContractQueries,
    CreateContract,
    BankSignContract,
    SignContract,
    CancelContract,
    ContractSweep,
  ],
  exports: [
    ContractQueries,
    ContractRepository,
    ContractSweep,
    CreateContract,
    BankSignContract,
    SignContract,
  ],
})
export class ContractsModule {}
