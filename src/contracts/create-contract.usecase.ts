import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { actorOf, Principal } from '../identity/auth/principal';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { ContractEntity, ContractSignerEntity } from './contract.entity';
import { recordContractEvent } from './contract-history';
import { ContractDocuments } from './contract-documents.service';
import { ContractParties } from './contract-parties.service';
import { ContractRepository } from './contract.repository';
import { ContractErrorCode } from './contracts.errors';
import { assertSignerList, LoanType, resolveDeadline, roleOf } from './domain/contract-workflow';
import { checkContractPdf } from './domain/contract-upload';

export interface CreateContractCommand {
  operator: Principal;
  title: string;
  loanType: LoanType;
  amountYen: number;
  counterparty: string;
  contractDate: string;
  signerIds: string[];
  deadline?: string;
  pdf: Uint8Array | undefined;
}

/** Seed 000 §12(1): the loan officer registers the contract the bank has approved (a draft). */
@Injectable()
export class CreateContract {
  constructor(
    private readonly repo: ContractRepository,
    private readonly documents: ContractDocuments,
    private readonly parties: ContractParties,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(cmd: CreateContractCommand): Promise<ContractEntity> {
    if (!cmd.pdf || cmd.pdf.length === 0) {
      throw AppError.badRequest(
        ContractErrorCode.FILE_REQUIRED,
        '契約書の PDF ファイルを選択してください。',
        {
          field: 'file',
        },
      );
    }
    const now = this.clock.now();
    assertSignerList(cmd.signerIds, this.config.CONTRACT_MAX_SIGNERS);
    const deadline = resolveDeadline(cmd.deadline, now, this.config.CONTRACT_DEFAULT_DEADLINE_DAYS);
    checkContractPdf(cmd.pdf, this.config.UPLOAD_LIMIT_BYTES);
    const found = await this.parties.findMany(cmd.signerIds);
    const missing = cmd.signerIds.filter((id) => !found.has(id) || found.get(id)?.status === 'deleted');
    if (missing.length > 0) {
      throw AppError.unprocessable(
        ContractErrorCode.SIGNER_NOT_FOUND,
        '指定された署名者が登録されていません。',
        {
          field: 'signerIds',
          signerIds: missing,
        },
      );
    }
    const stored = await this.documents.put(cmd.pdf);
    const actor = actorOf(cmd.operator);
    const contract: ContractEntity = {
      id: randomUUID(),
      title: cmd.title,
      loanType: cmd.loanType,
      amountYen: cmd.amountYen,
      counterparty: cmd.counterparty,
      contractDate: cmd.contractDate,
      status: 'draft',
      currentSignerOrder: null,
      deadline,
      createdBy: cmd.operator.id,
      bankSignedBy: null,
      bankSigningIdentityId: null,
      currentVersion: 1,
      currentSha256: stored.sha256,
      originalSha256: null,
      originalVersion: null,
      completedAt: null,
      cancelledAt: null,
      cancelReason: null,
      haltReason: null,
      lastReminderAt: null,
      createdAt: now,
      updatedAt: now,
      rowVersion: 1,
    };
    await this.repo.dataSource.transaction(async (m) => {
      await m.getRepository(ContractEntity).insert(contract);
      await m.getRepository(ContractSignerEntity).insert(
        cmd.signerIds.map((subscriberId, i) => ({
          id: randomUUID(),
          contractId: contract.id,
          order: i + 1,
          subscriberId,
          role: roleOf(i + 1),
          displayName: found.get(subscriberId)?.name ?? '',
          notifiedAt: null,
          signedAt: null,
          certificateSerial: null,
        })),
      );
      await this.documents.record(m, {
        contractId: contract.id,
        version: 1,
        kind: 'uploaded',
        sha256: stored.sha256,
        size: stored.size,
        createdBy: actor,
        at: now,
      });
      await recordContractEvent(m, this.audit, {
        contractId: contract.id,
        actor,
        type: 'created',
        at: now,
        details: {
          title: cmd.title,
          loanType: cmd.loanType,
          amountYen: cmd.amountYen,
          counterparty: cmd.counterparty,
          contractDate: cmd.contractDate,
          signerIds: cmd.signerIds,
          deadline: deadline?.toISOString() ?? null,
          sha256: stored.sha256,
        },
      });
    });
    return contract;
  }
}
