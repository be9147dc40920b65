import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { InstantColumn, JsonColumn, MoneyColumn } from '../database/columns';
import type { ContractStatus, LoanType, SignerRole } from './domain/contract-workflow';

/** One loan contract moving through the signing workflow (seed 000 §12). */
@Entity('contracts')
export class ContractEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ name: 'loan_type', type: 'varchar', length: 20 })
  loanType!: LoanType;

  @MoneyColumn({ name: 'amount_yen' })
  amountYen!: number;

  /** The borrower's or corporation's name, as written in the contract (電子帳簿保存法 search key). */
  @Column({ type: 'varchar', length: 200 })
  counterparty!: string;

  /** `YYYY-MM-DD`, Asia/Tokyo. */
  @Column({ name: 'contract_date', type: 'varchar', length: 10 })
  contractDate!: string;

  @Index()
  @Column({ type: 'varchar', length: 30 })
  status!: ContractStatus;

  @Column({ name: 'current_signer_order', type: 'integer', nullable: true })
  currentSignerOrder!: number | null;

  @InstantColumn({ nullable: true })
  deadline!: Date | null;

  @Column({ name: 'created_by', type: 'varchar', length: 36 })
  createdBy!: string;

  @Column({ name: 'bank_signed_by', type: 'varchar', length: 36, nullable: true })
  bankSignedBy!: string | null;

  @Column({ name: 'bank_signing_identity_id', type: 'varchar', length: 36, nullable: true })
  bankSigningIdentityId!: string | null;

  /** Number of the latest document version (1 = the upload). */
  @Column({ name: 'current_version', type: 'integer' })
  currentVersion!: number;

  @Column({ name: 'current_sha256', type: 'varchar', length: 64 })
  currentSha256!: string;

  /** The archived original (B-LTA), once completed; the archive module takes over from here. */
  @Column({ name: 'original_sha256', type: 'varchar', length: 64, nullable: true })
  originalSha256!: string | null;

  @Column({ name: 'original_version', type: 'integer', nullable: true })
  originalVersion!: number | null;

  @InstantColumn({ name: 'completed_at', nullable: true })
  completedAt!: Date | null;

  @InstantColumn({ name: 'cancelled_at', nullable: true })
  cancelledAt!: Date | null;

  @Column({ name: 'cancel_reason', type: 'varchar', length: 500, nullable: true })
  cancelReason!: string | null;

  /** Why the workflow stopped (EC-08 validation failure), when halted. */
  @Column({ name: 'halt_reason', type: 'varchar', length: 500, nullable: true })
  haltReason!: string | null;

  @InstantColumn({ name: 'last_reminder_at', nullable: true })
  lastReminderAt!: Date | null;

  @InstantColumn({ name: 'created_at' })
  createdAt!: Date;

  @InstantColumn({ name: 'updated_at' })
  updatedAt!: Date;

  /** Incremented on every state change; a concurrent change is detected by comparing it. */
  @Column({ name: 'row_version', type: 'integer' })
  rowVersion!: number;
}

/** A party who signs, in order: 1 = the debtor, then guarantors. */
@Entity('contract_signers')
@Index('ux_contract_signers_order', ['contractId', 'order'], { unique: true })
export class ContractSignerEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index()
  @Column({ name: 'contract_id', type: 'varchar', length: 36 })
  contractId!: string;

  @Column({ name: 'signer_order', type: 'integer' })
  order!: number;

  @Index()
  @Column({ name: 'subscriber_id', type: 'varchar', length: 36 })
  subscriberId!: string;

  @Column({ type: 'varchar', length: 20 })
  role!: SignerRole;

  /** Name at registration, so the history reads correctly even after the subscriber changes it. */
  @Column({ name: 'display_name', type: 'varchar', length: 200 })
  displayName!: string;

  @InstantColumn({ name: 'notified_at', nullable: true })
  notifiedAt!: Date | null;

  @InstantColumn({ name: 'signed_at', nullable: true })
  signedAt!: Date | null;

  @Column({ name: 'certificate_serial', type: 'varchar', length: 100, nullable: true })
  certificateSerial!: string | null;
}

export type DocumentVersionKind = 'uploaded' | 'bank_signature' | 'party_signature' | 'archival';

/** Every version of the PDF, kept in the FileStore under its SHA-256; append-only. */
@Entity('contract_documents')
@Index('ux_contract_documents_version', ['contractId', 'version'], { unique: true })
export class ContractDocumentEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'contract_id', type: 'varchar', length: 36 })
  contractId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'varchar', length: 20 })
  kind!: DocumentVersionKind;

  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  /** Principal id of the staff member or subscriber whose act produced this version. */
  @Column({ name: 'created_by', type: 'varchar', length: 100 })
  createdBy!: string;

  @InstantColumn({ name: 'created_at' })
  createdAt!: Date;

  /** EC-08: the validation verdict recorded for this version (indication + per-signature summary). */
  @Column({ name: 'validation_indication', type: 'varchar', length: 30, nullable: true })
  validationIndication!: string | null;

  @JsonColumn({ name: 'validation_report', nullable: true })
  validationReport!: Record<string, unknown> | null;
}

/** The contract's history as users see it; the audit log holds the tamper-evident record. */
@Entity('contract_events')
export class ContractEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index()
  @Column({ name: 'contract_id', type: 'varchar', length: 36 })
  contractId!: string;

  /** Position in the contract's history (ties in `at` are common inside one transaction). */
  @Column({ type: 'integer' })
  seq!: number;

  @InstantColumn()
  at!: Date;

  /** `staff:<id>`, `subscriber:<id>` or `system`. */
  @Column({ type: 'varchar', length: 100 })
  actor!: string;

  @Column({ type: 'varchar', length: 50 })
  type!: string;

  @JsonColumn({ nullable: true })
  details!: Record<string, unknown> | null;
}
