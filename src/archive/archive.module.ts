import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ContractDocumentEntity, ContractEntity, ContractSignerEntity } from '../contracts/contract.entity';
import { IdentityModule } from '../identity/identity.module';
import { PadesModule } from '../pades/pades.module';
import { PkiModule } from '../pki/pki.module';
import { ArchivedOriginalEntity, ArchiveRunEntity, ArchiveVersionEntity } from './archive.entities';
import { ArchiveController } from './archive.controller';
import { ArchiveOriginal } from './archive-original.usecase';
import { ArchivePagesController } from './archive-pages.controller';
import { ArchiveQueries } from './archive-queries.service';
import { ArchiveRestampJob } from './archive-restamp.job';
import { ArchiveVerification } from './archive-verification.service';
import { AuditOriginals } from './audit-originals.usecase';
import { ContractIntake } from './contract-intake.service';
import { RestampOriginals } from './restamp-originals.usecase';
import { VerifyUploadInterceptor } from './verify-upload.interceptor';

/** Archive of originals: intake, search, re-timestamping job, integrity audit, verification. */
@Module({
  imports: [
    TypeOrmModule.forFeature([
      ArchivedOriginalEntity,
      ArchiveVersionEntity,
      ArchiveRunEntity,
      // Read only: completed contracts are taken into the archive by ContractIntake.
      ContractEntity,
      ContractSignerEntity,
      ContractDocumentEntity,
    ]),
    PadesModule,
    PkiModule,
    IdentityModule,
  ],
  controllers: [ArchiveController, ArchivePagesController],
  providers: [
    ArchiveOriginal,
    ArchiveQueries,
    ArchiveVerification,
    AuditOriginals,
    ContractIntake,
    RestampOriginals,
    ArchiveRestampJob,
    VerifyUploadInterceptor,
  ],
  exports: [ArchiveOriginal, ArchiveQueries, RestampOriginals, AuditOriginals, ContractIntake],
})
export class ArchiveModule {}
