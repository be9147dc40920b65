import { Inject, Injectable } from '@nestjs/common';
import { In, Not } from 'typeorm';
import { AppError } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { actorOf, Principal, StaffRole } from '../identity/auth/principal';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { ContractEntity, ContractSignerEntity } from './contract.entity';
import { recordContractEvent } from './contract-history';
import { ContractDocuments } from './contract-documents.service';
import { ContractRepository, LoadedContract } from './contract.repository';
import { contractNotFound, ContractErrorCode } from './contracts.errors';
import { ContractStatus, copyDownloadAllowed, isPastDeadline } from './domain/contract-workflow';

/** Staff roles that see every contract. */
const STAFF_READERS: StaffRole[] = [
  StaffRole.LOAN_OFFICER,
  StaffRole.BANK_SIGNER,
  StaffRole.AUDITOR,
  StaffRole.ADMIN,
];

export interface ContractSummary {
  id: string;
  title: string;
  loanType: string;
  amountYen: number;
  counterparty: string;
  contractDate: string;
  status: ContractStatus;
  currentSignerOrder: number | null;
  deadline: string | null;
  createdAt: string;
  completedAt: string | null;
  /** For a subscriber: whether it is their turn now. */
  myTurn?: boolean;
}

export interface PdfFile {
  bytes: Buffer;
  sha256: string;
  version: number;
  filename: string;
}

/**
 * What each caller may see: staff readers see everything; a subscriber sees the contracts they
 * are a party to once the bank has signed (a draft is still the bank's internal work).
 */
@Injectable()
export class ContractQueries {
  constructor(
    private readonly repo: ContractRepository,
    private readonly documents: ContractDocuments,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async list(p: Principal, filter: { status?: ContractStatus } = {}): Promise<ContractSummary[]> {
    const rows = this.repo.dataSource.getRepository(ContractEntity);
    if (p.kind === 'staff') {
      if (!p.roles.some((r) => STAFF_READERS.includes(r))) return [];
      const list = await rows.find({
        where: filter.status ? { status: filter.status } : {},
        order: { createdAt: 'DESC' },
        take: 500,
      });
      return list.map((c) => summary(c));
    }
    const mine = await this.repo.dataSource
      .getRepository(ContractSignerEntity)
      .find({ where: { subscriberId: p.id } });
    if (mine.length === 0) return [];
    const list = await rows.find({
      where: {
        id: In(mine.map((s) => s.contractId)),
        status: filter.status ? filter.status : Not('draft'),
      },
      order: { createdAt: 'DESC' },
    });
    const order = new Map(mine.map((s) => [s.contractId, s.order]));
    return list
      .filter((c) => c.status !== 'draft')
      .map((c) => summary(c, c.status === 'awaiting_signature' && c.currentSignerOrder === order.get(c.id)));
  }

  async detail(p: Principal, id: string) {
    const l = await this.visible(p, id);
    const [documents, events] = await Promise.all([this.repo.documentsOf(id), this.repo.eventsOf(id)]);
    const now = this.clock.now();
    const c = l.contract;
    const mine = p.kind === 'subscriber' ? l.signers.find((s) => s.subscriberId === p.id) : undefined;
    return {
      ...summary(
        c,
        mine ? c.status === 'awaiting_signature' && c.currentSignerOrder === mine.order : undefined,
      ),
      currentVersion: c.currentVersion,
      currentSha256: c.currentSha256,
      originalSha256: c.originalSha256,
      originalVersion: c.originalVersion,
      cancelledAt: c.cancelledAt?.toISOString() ?? null,
      cancelReason: p.kind === 'staff' ? c.cancelReason : null,
      haltReason: p.kind === 'staff' ? c.haltReason : null,
      deadlinePassed: isPastDeadline(c, now),
      copyAvailableUntil:
        c.completedAt && this.config.CONTRACT_COPY_DOWNLOAD_DAYS > 0
          ? new Date(
              c.completedAt.getTime() + this.config.CONTRACT_COPY_DOWNLOAD_DAYS * 86_400_000,
            ).toISOString()
          : null,
      parties: l.signers.map((s) => ({
        order: s.order,
        role: s.role,
        name: s.displayName,
        // Staff see who the subscriber is; parties see each other's names only.
        subscriberId:
          p.kind === 'staff' || s.subscriberId === mine?.subscriberId ? s.subscriberId : undefined,
        notifiedAt: s.notifiedAt?.toISOString() ?? null,
        signedAt: s.signedAt?.toISOString() ?? null,
      })),
      documents: documents.map((d) => ({
        version: d.version,
        kind: d.kind,
        sha256: d.sha256,
        sizeBytes: d.sizeBytes,
        createdAt: d.createdAt.toISOString(),
        validation: d.validationIndication,
        ...(p.kind === 'staff' ? { validationReport: d.validationReport } : {}),
      })),
      events:
        p.kind === 'staff'
          ? events.map((e) => ({ at: e.at.toISOString(), actor: e.actor, type: e.type, details: e.details }))
          : events
              .filter((e) => PARTY_EVENTS.has(e.type))
              .map((e) => ({ at: e.at.toISOString(), type: e.type })),
    };
  }

  /** The current PDF, for reading in the viewer. */
  async document(p: Principal, id: string): Promise<PdfFile> {
    const l = await this.visible(p, id);
    const c = l.contract;
    if (p.kind === 'subscriber' && c.status === 'completed') this.assertCopyPeriod(c);
    const bytes = await this.documents.read(c.currentSha256);
    await this.audit.append({
      actor: actorOf(p),
      action: 'contract.document_viewed',
      subject: `contract:${c.id}`,
      details: { version: c.currentVersion, sha256: c.currentSha256 },
    });
    return {
      bytes,
      sha256: c.currentSha256,
      version: c.currentVersion,
      filename: `contract-${c.id}-v${c.currentVersion}.pdf`,
    };
  }

  /**
   * The archived signed original. For a party it is a copy (副本, EC-10): available for the
   * configured period after completion; every download is audited; the stored original is only
   * ever read.
   */
  async original(p: Principal, id: string): Promise<PdfFile> {
    const l = await this.visible(p, id);
    const c = l.contract;
    if (c.status !== 'completed' || !c.originalSha256 || c.originalVersion === null) {
      throw AppError.conflict(
        ContractErrorCode.ORIGINAL_NOT_AVAILABLE,
        'この契約書はまだ締結されていません。',
      );
    }
    if (p.kind === 'subscriber') this.assertCopyPeriod(c);
    const bytes = await this.documents.read(c.originalSha256);
    const type = p.kind === 'subscriber' ? 'copy_downloaded' : 'original_downloaded';
    await this.repo.dataSource.transaction((m) =>
      recordContractEvent(m, this.audit, {
        contractId: c.id,
        actor: actorOf(p),
        type,
        at: this.clock.now(),
        details: { version: c.originalVersion, sha256: c.originalSha256 },
      }),
    );
    return {
      bytes,
      sha256: c.originalSha256,
      version: c.originalVersion,
      filename: `contract-${c.id}${p.kind === 'subscriber' ? '-copy' : '-original'}.pdf`,
    };
  }

  private assertCopyPeriod(c: ContractEntity): void {
    if (!copyDownloadAllowed(c.completedAt, this.clock.now(), this.config.CONTRACT_COPY_DOWNLOAD_DAYS)) {
      throw AppError.forbidden(
        ContractErrorCode.COPY_PERIOD_OVER,
        '契約書の閲覧・ダウンロードができる期間を過ぎています。お取引店にお問い合わせください。',
      );
    }
  }

  /** Loads a contract the caller may see; otherwise 404, so existence is not revealed. */
  async visible(p: Principal, id: string): Promise<LoadedContract> {
    const l = await this.repo.load(id);
    if (p.kind === 'staff') {
      if (p.roles.some((r) => STAFF_READERS.includes(r))) return l;
      throw contractNotFound();
    }
    if (l.contract.status === 'draft' || !l.signers.some((s) => s.subscriberId === p.id))
      throw contractNotFound();
    return l;
  }
}

const PARTY_EVENTS = new Set([
  'bank_signed',
  'signature_requested',
  'signed',
  'completed',
  'archived',
  'cancelled',
  'expired',
]);

function summary(c: ContractEntity, myTurn?: boolean): ContractSummary {
  return {
    id: c.id,
    title: c.title,
    loanType: c.loanType,
    amountYen: c.amountYen,
    counterparty: c.counterparty,
    contractDate: c.contractDate,
    status: c.status,
    currentSignerOrder: c.currentSignerOrder,
    deadline: c.deadline?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
    completedAt: c.completedAt?.toISOString() ?? null,
    ...(myTurn === undefined ? {} : { myTurn }),
  };
}
