import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { InstantColumn, JsonColumn, MoneyColumn } from '../database/columns';
import type { ProtectionSummary } from './domain/protection';

export interface ArchiveParty {
  role: string;
  name: string;
}

/**
 * One archived original (EC-10): the search keys the electronic-books law asks for (取引年月日,
 * 取引金額, 取引先), the current version and when its protection ends. The bytes live in the
 * FileStore under the version's SHA-256.
 */
@Entity('archive_originals')
export class ArchivedOriginalEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Index({ unique: true })
  @Column({ name: 'contract_id', type: 'varchar', length: 36 })
  contractId!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  /** 取引年月日 `YYYY-MM-DD` (Asia/Tokyo). */
  @Column({ name: 'transaction_date', type: 'varchar', length: 10 })
  transactionDate!: string;

  @MoneyColumn({ name: 'amount_yen' })
  amountYen!: number;

  @Column({ type: 'varchar', length: 200 })
  counterparty!: string;

  @Column({ name: 'loan_type', type: 'varchar', length: 20 })
  loanType!: string;

  @JsonColumn()
  parties!: ArchiveParty[];

  @JsonColumn()
  summary!: ProtectionSummary;

  @Column({ name: 'current_version', type: 'integer' })
  currentVersion!: number;

  @Column({ name: 'current_sha256', type: 'varchar', length: 64 })
  currentSha256!: string;

  @InstantColumn({ name: 'protection_expires_at' })
  protectionExpiresAt!: Date;

  /** `YYYY-MM-DD`: conclusion + ARCHIVE_RETENTION_YEARS. */
  @Column({ name: 'retention_ends_on', type: 'varchar', length: 10 })
  retentionEndsOn!: string;

  @InstantColumn({ name: 'concluded_at' })
  concludedAt!: Date;

  @InstantColumn({ name: 'last_renewed_at', nullable: true })
  lastRenewedAt!: Date | null;

  /** The worker holding the original for renewal, and until when (a lease). */
  @Column({ name: 'claimed_by', type: 'varchar', length: 100, nullable: true })
  claimedBy!: string | null;

  @InstantColumn({ name: 'claimed_until', nullable: true })
  claimedUntil!: Date | null;

  @Column({ name: 'failure_count', type: 'integer' })
  failureCount!: number;

  @Column({ name: 'last_failure', type: 'varchar', length: 1000, nullable: true })
  lastFailure!: string | null;

  @InstantColumn({ name: 'created_at' })
  createdAt!: Date;

  @InstantColumn({ name: 'updated_at' })
  updatedAt!: Date;
}

export type ArchiveVersionReason = 'original' | 'renewal';

/** Every version of an original, append-only; each one's bytes start with the previous one's. */
@Entity('archive_versions')
@Index('ux_archive_versions_version', ['originalId', 'version'], { unique: true })
export class ArchiveVersionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'original_id', type: 'varchar', length: 36 })
  originalId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Index()
  @Column({ type: 'varchar', length: 64 })
  sha256!: string;

  @Column({ name: 'size_bytes', type: 'integer' })
  sizeBytes!: number;

  @Column({ name: 'previous_sha256', type: 'varchar', length: 64, nullable: true })
  previousSha256!: string | null;

  @Column({ type: 'varchar', length: 20 })
  reason!: ArchiveVersionReason;

  @Column({ name: 'run_id', type: 'varchar', length: 36, nullable: true })
  runId!: string | null;

  @Column({ name: 'validation_indication', type: 'varchar', length: 30, nullable: true })
  validationIndication!: string | null;

  /** The validator's simple report at the time this version was made. */
  @JsonColumn({ name: 'validation_summary', nullable: true })
  validationSummary!: Record<string, unknown> | null;

  @InstantColumn({ name: 'protection_expires_at' })
  protectionExpiresAt!: Date;

  @InstantColumn({ name: 'created_at' })
  createdAt!: Date;
}

export interface RunFailure {
  originalId: string;
  contractId: string;
  code: string;
  message: string;
}

export type RunTrigger = 'schedule' | 'cli' | 'api';
export type RunMode = 'due' | 'all';

/** One re-timestamping run: progress the admin page shows (started, due, renewed, failed). */
@Entity('archive_runs')
export class ArchiveRunEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 20 })
  trigger!: RunTrigger;

  @Column({ type: 'varchar', length: 10 })
  mode!: RunMode;

  @Column({ type: 'varchar', length: 100 })
  worker!: string;

  @Column({ name: 'started_by', type: 'varchar', length: 100 })
  startedBy!: string;

  @Index()
  @InstantColumn({ name: 'started_at' })
  startedAt!: Date;

  @InstantColumn({ name: 'finished_at', nullable: true })
  finishedAt!: Date | null;

  /** `running` until it ends; `interrupted` when its worker died (found by the next run). */
  @Column({ type: 'varchar', length: 20 })
  status!: 'running' | 'finished' | 'interrupted';

  @Column({ name: 'due_count', type: 'integer' })
  dueCount!: number;

  @Column({ name: 'renewed_count', type: 'integer' })
  renewedCount!: number;

  @Column({ name: 'failed_count', type: 'integer' })
  failedCount!: number;

  @Column({ name: 'duration_ms', type: 'integer', nullable: true })
  durationMs!: number | null;

  /** The first failures (capped), for the admin page. */
  @JsonColumn()
  failures!: RunFailure[];
}
