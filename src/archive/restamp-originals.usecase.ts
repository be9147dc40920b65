import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import * as os from 'node:os';
import { Brackets, DataSource, EntityManager, In, SelectQueryBuilder } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PadesEngine } from '../pades/pades-engine.service';
import { PadesServices, renewArchiveTimestamp } from '../pades/domain/pades-signing';
import { CertificateAuthority } from '../pki/certificate-authority.service';
import { HttpTimeStamper } from '../tsa/http-time-stamper';
import { loadTrustFiles } from '../tsa/tsa-trust';
import { PadesError, PadesErrorCode } from '../pades/pades.errors';
import { simpleReport } from '../pades/domain/validation-report';
import { AuditEvent, AuditLog, AuditPendingRow } from '../platform/audit/audit-log';
import { AuditPendingEntity } from '../platform/audit/audit-entry.entity';
import { SqlTable } from '../database/sql';
import { Clock } from '../platform/clock/clock';
import { FileStore } from '../platform/file-store/file-store';
import { ArchiveError, ArchiveErrorCode } from './archive.errors';
import {
  ArchivedOriginalEntity,
  ArchiveRunEntity,
  ArchiveVersionEntity,
  RunFailure,
  RunMode,
  RunTrigger,
} from './archive.entities';
import { PdfDocument } from '../pades/pdf/pdf-document';
import { ProtectionSummary, summarizeProtection } from './domain/protection';
import { CachingValidationDataSource, checkRenewalRevision } from './domain/renewal-check';
import { isAppendOnlyExtension } from './domain/version-chain';

export interface RestampCommand {
  mode: RunMode;
  /** At most this many originals in this run. */
  limit?: number;
  trigger: RunTrigger;
  actor: string;
  onProgress?: (p: RestampProgress) => void;
}

export interface RestampProgress {
  runId: string;
  total: number;
  renewed: number;
  failed: number;
}

export interface RestampResult extends RestampProgress {
  durationMs: number;
  failures: RunFailure[];
}

const MAX_RECORDED_FAILURES = 200;
const DAY_MS = 86_400_000;

/**
 * RestampOriginals (EC-09, EC-14): renews the archive timestamp of every due original.
 *
 * For each original: archive renewal through the PAdES engine (DSS for the chains already in
 * the file, then a new document timestamp), check the new file is the old one with updates
 * appended, validate it (TOTAL-PASSED required), write it to the FileStore (content-addressed, so
 * an orphan left by a crash is harmless), then ONE transaction inserts the version row, moves the
 * current pointer — only if the original is still at the version we started from — and audits.
 * A crash at any point leaves the original at its old or its new version.
 *
 * Scale-out: workers claim batches with a lease (an atomic conditional UPDATE; on PostgreSQL the
 * candidate rows are picked `FOR UPDATE SKIP LOCKED`), so instances do not work on the same
 * original; the version check at commit makes a double renewal impossible even if a lease ran out.
 */
@Injectable()
export class RestampOriginals {
  private readonly logger = new Logger('ArchiveRestamp');

  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: PadesEngine,
    private readonly ca: CertificateAuthority,
    @Inject(FileStore) private readonly store: FileStore,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get isPostgres(): boolean {
    return this.dataSource.options.type === 'postgres';
  }

  /** Candidates of a run: not claimed by a live lease, not already handled in this run, and due. */
  private candidates(
    qb: SelectQueryBuilder<ArchivedOriginalEntity>,
    mode: RunMode,
    runId: string,
    now: Date,
  ): SelectQueryBuilder<ArchivedOriginalEntity> {
    qb.where(
      new Brackets((w) => w.where('o.claimed_until IS NULL').orWhere('o.claimed_until < :now', { now })),
    ).andWhere(
      new Brackets((w) =>
        w.where('o.claimed_by IS NULL').orWhere('o.claimed_by NOT IN (:...mine)', {
          mine: [`done:${runId}`, `failed:${runId}`, `w:${runId}`],
        }),
      ),
    );
    if (mode === 'due')
      qb.andWhere('o.protection_expires_at <= :horizon', {
        horizon: new Date(now.getTime() + this.config.ARCHIVE_RENEWAL_WINDOW_DAYS * DAY_MS),
      });
    return qb;
  }

  /** How many originals are due now (for the admin page and the CLI). */
  async countDue(): Promise<number> {
    const now = this.clock.now();
    return this.candidates(
      this.dataSource.getRepository(ArchivedOriginalEntity).createQueryBuilder('o'),
      'due',
      'none',
      now,
    ).getCount();
  }

  async execute(cmd: RestampCommand): Promise<RestampResult> {
    await this.releaseClaimsOfDeadWorkers();
    const startedMs = Date.now();
    const startedAt = this.clock.now();
    const run: ArchiveRunEntity = {
      id: randomUUID(),
      trigger: cmd.trigger,
      mode: cmd.mode,
      worker: `${os.hostname()}:${process.pid}`.slice(0, 100),
      startedBy: cmd.actor,
      startedAt,
      finishedAt: null,
      status: 'running',
      dueCount: 0,
      renewedCount: 0,
      failedCount: 0,
      durationMs: null,
      failures: [],
    };
    const runs = this.dataSource.getRepository(ArchiveRunEntity);
    const total = await this.candidates(
      this.dataSource.getRepository(ArchivedOriginalEntity).createQueryBuilder('o'),
      cmd.mode,
      run.id,
      startedAt,
    ).getCount();
    run.dueCount = cmd.limit !== undefined ? Math.min(total, cmd.limit) : total;
    await runs.insert(run);
    await this.audit.append({
      actor: cmd.actor,
      action: 'archive.restamp.started',
      subject: `archive-run:${run.id}`,
      details: { mode: cmd.mode, trigger: cmd.trigger, due: run.dueCount, limit: cmd.limit ?? null },
    });

    const progress = (): RestampProgress => ({
      runId: run.id,
      total: run.dueCount,
      renewed: run.renewedCount,
      failed: run.failedCount,
    });
    cmd.onProgress?.(progress());
    const ctx = await this.runContext();
    let remaining = cmd.limit ?? Number.MAX_SAFE_INTEGER;
    const fetchBatch = async (): Promise<Claimed[]> => {
      const size = Math.min(remaining, this.config.ARCHIVE_RESTAMP_BATCH_SIZE);
      if (size <= 0) return [];
      const batch = await this.claim(run.id, cmd.mode, size);
      remaining -= batch.length;
      const previous = await this.currentVersionRows(batch);
      return batch.map((o) => ({ o, previous: previous.get(o.id) }));
    };
    const feed = new ClaimFeed(fetchBatch, this.config.ARCHIVE_RESTAMP_CONCURRENCY, () =>
      // Progress is visible to the admin page while the run goes on.
      runs.update(
        { id: run.id },
        { renewedCount: run.renewedCount, failedCount: run.failedCount, failures: run.failures },
      ),
    );
    await runPool(this.config.ARCHIVE_RESTAMP_CONCURRENCY, feed, async ({ o, previous }) => {
      const failure = await this.renewOne(o, run.id, cmd.actor, ctx, previous);
      if (failure) {
        run.failedCount++;
        if (run.failures.length < MAX_RECORDED_FAILURES) run.failures.push(failure);
      } else run.renewedCount++;
      cmd.onProgress?.(progress());
    });
    if (ctx.services.timeStamper instanceof HttpTimeStamper) ctx.services.timeStamper.close();
    run.finishedAt = this.clock.now();
    run.durationMs = Date.now() - startedMs;
    run.status = 'finished';
    // A run may meet more originals than counted at its start (others became due meanwhile).
    run.dueCount = Math.max(run.dueCount, run.renewedCount + run.failedCount);
    await this.dataSource.transaction(async (m) => {
      await m.getRepository(ArchiveRunEntity).update(
        { id: run.id },
        {
          finishedAt: run.finishedAt,
          durationMs: run.durationMs,
          status: run.status,
          dueCount: run.dueCount,
          renewedCount: run.renewedCount,
          failedCount: run.failedCount,
          failures: run.failures,
        },
      );
      await this.audit.append(
        {
          actor: cmd.actor,
          action: 'archive.restamp.finished',
          subject: `archive-run:${run.id}`,
          details: {
            due: run.dueCount,
            renewed: run.renewedCount,
            failed: run.failedCount,
            durationMs: run.durationMs,
          },
        },
        m,
      );
    });
    return { ...progress(), durationMs: run.durationMs, failures: run.failures };
  }

  /** Claims up to `n` candidates for this run (lease `w:<runId>` until now + lease). */
  private async claim(runId: string, mode: RunMode, n: number): Promise<ArchivedOriginalEntity[]> {
    const now = this.clock.now();
    const until = new Date(now.getTime() + this.config.ARCHIVE_CLAIM_LEASE_SECONDS * 1000);
    const marker = `w:${runId}`;
    return this.dataSource.transaction(async (m) => {
      const sub = this.candidates(
        m.getRepository(ArchivedOriginalEntity).createQueryBuilder('o'),
        mode,
        runId,
        now,
      )
        .select('o.id')
        .orderBy('o.protectionExpiresAt', 'ASC')
        .addOrderBy('o.id', 'ASC')
        .limit(n);
      if (this.isPostgres) sub.setLock('pessimistic_write').setOnLocked('skip_locked');
      const ids = (await sub.getMany()).map((o) => o.id);
      if (!ids.length) return [];
      await m
        .createQueryBuilder()
        .update(ArchivedOriginalEntity)
        .set({ claimedBy: marker, claimedUntil: until })
        .whereInIds(ids)
        .execute();
      // Exactly the rows claimed now (earlier batches of this run may still be in flight).
      return m.getRepository(ArchivedOriginalEntity).findBy({ id: In(ids), claimedBy: marker });
    });
  }

  /**
   * The version rows the claimed originals are at, in one query per batch instead of one per
   * original. Safe: version rows are append-only (never updated), and the incremental check still
   * requires the row's SHA-256 to be the original's current one; the commit still moves an
   * original only if it is at the version the renewal started from.
   */
  private async currentVersionRows(
    batch: ArchivedOriginalEntity[],
  ): Promise<Map<string, ArchiveVersionEntity>> {
    if (this.config.ARCHIVE_RENEWAL_VALIDATION !== 'incremental') return new Map();
    const rows = await this.dataSource
      .getRepository(ArchiveVersionEntity)
      .find({ where: batch.map((o) => ({ originalId: o.id, version: o.currentVersion })) });
    return new Map(rows.map((r) => [r.originalId, r]));
  }

  /** What every renewal of a run shares: the engine's services (revocation data cached) and trust. */
  private async runContext(): Promise<RunContext> {
    const services = await this.engine.services({ tsaUrl: this.config.ARCHIVE_TSA_URL });
    if (services.validationData && this.config.ARCHIVE_REVOCATION_CACHE_SECONDS > 0)
      services.validationData = new CachingValidationDataSource(
        services.validationData,
        this.config.ARCHIVE_REVOCATION_CACHE_SECONDS * 1000,
        () => Date.now(),
      );
    const trustAnchors = [await this.ca.rootCertificate()];
    if (this.config.TSA_TRUST_ANCHORS)
      trustAnchors.push(...(await loadTrustFiles(this.config.TSA_TRUST_ANCHORS)).anchors);
    return {
      services,
      trustAnchors,
      fullyValidatedTsas: new Set(),
      committer: new GroupCommitter((batch) => this.commitBatch(batch)),
    };
  }

  /**
   * Validates the renewed file before it is committed: incrementally on top of the previous
   * version's recorded TOTAL-PASSED verdict when ARCHIVE_RENEWAL_VALIDATION=incremental and the
   * new TSA certificate was already seen valid in a full validation of this run; otherwise (and
   * whenever the incremental check does not pass) the PAdES validator over the whole file.
   */
  private async validateRenewal(
    o: ArchivedOriginalEntity,
    old: PdfDocument,
    renewed: Uint8Array,
    ctx: RunContext,
    previous: ArchiveVersionEntity | undefined,
  ): Promise<{
    indication: string;
    summary: Record<string, unknown>;
    failure?: string;
    /** The renewed version as loaded by the incremental check, when that check decided. */
    document?: PdfDocument;
  }> {
    const now = this.clock.now();
    let tsaKey: string | undefined;
    if (this.config.ARCHIVE_RENEWAL_VALIDATION === 'incremental' && o.protectionExpiresAt > now) {
      if (
        previous?.version === o.currentVersion &&
        previous.validationIndication === 'TOTAL-PASSED' &&
        previous.sha256 === o.currentSha256
      ) {
        const check = await checkRenewalRevision(old, renewed, {
          trustAnchors: ctx.trustAnchors,
          at: now,
          maxBytes: this.config.PADES_MAX_PDF_BYTES,
        });
        if (check.ok && check.tsaCertificate) {
          tsaKey = createHash('sha256').update(check.tsaCertificate).digest('hex');
          if (ctx.fullyValidatedTsas.has(tsaKey))
            return {
              indication: 'TOTAL-PASSED',
              document: check.document,
              summary: {
                mode: 'incremental',
                validationTime: now.toISOString(),
                indication: 'TOTAL-PASSED',
                basedOnVersion: previous.version,
                checks: [
                  'append-only',
                  'renewal-changes-only',
                  'document-timestamp-valid',
                  'tsa-chain-trusted',
                ],
              },
            };
        }
      }
    }
    const report = await this.engine.verify(renewed);
    if (report.indication === 'TOTAL-PASSED' && tsaKey) ctx.fullyValidatedTsas.add(tsaKey);
    return {
      indication: report.indication,
      summary: { mode: 'full', ...(simpleReport(report) as unknown as Record<string, unknown>) },
      failure:
        report.indication === 'TOTAL-PASSED'
          ? undefined
          : `the renewed original validates as ${report.indication}: ${report.entries
              .filter((e) => e.indication !== 'TOTAL-PASSED')
              .map((e) => `${e.fieldName}: ${e.message}`)
              .join('; ')}`.slice(0, 900),
    };
  }

  /** Renews one original; returns the failure, or undefined when the new version is committed. */
  private async renewOne(
    o: ArchivedOriginalEntity,
    runId: string,
    actor: string,
    ctx: RunContext,
    previous: ArchiveVersionEntity | undefined,
  ): Promise<RunFailure | undefined> {
    try {
      const old = await this.readVerified(o.currentSha256);
      // Loaded once: the renewal and the check of its result reuse its cross-reference chain.
      const oldDoc = PdfDocument.load(old, { maxBytes: this.config.PADES_MAX_PDF_BYTES });
      let renewed: Uint8Array;
      try {
        // PAdES archive renewal (EC-09): DSS for the chains in the file, then a document timestamp.
        renewed = (await renewArchiveTimestamp(oldDoc, ctx.services)).bytes;
      } catch (e) {
        if (e instanceof PadesError && e.code === PadesErrorCode.TIMESTAMP_UNAVAILABLE)
          throw new ArchiveError(ArchiveErrorCode.TSA_UNAVAILABLE, 503, e.message);
        throw e;
      }
      if (!isAppendOnlyExtension(old, renewed))
        throw new ArchiveError(
          ArchiveErrorCode.NOT_AN_EXTENSION,
          500,
          'the renewed file does not start with the previous version',
        );
      // Validate BEFORE committing: a version that does not validate is never made current.
      const validation = await this.validateRenewal(o, oldDoc, renewed, ctx, previous);
      if (validation.failure)
        throw new ArchiveError(ArchiveErrorCode.RENEWAL_VALIDATION_FAILED, 422, validation.failure);
      const summary = summarizeProtection(validation.document ?? renewed, {
        maxBytes: this.config.PADES_MAX_PDF_BYTES,
      });
      const stored = await this.store.put(renewed);
      // Group commit: renewals ready at the same moment share one transaction (one fsync, one
      // audit-head lock); each still moves only if its original is at the version it started from.
      const committed = await ctx.committer.submit({ o, runId, actor, stored, summary, validation });
      if (!committed)
        throw new ArchiveError(
          ArchiveErrorCode.CONCURRENT_RENEWAL,
          409,
          'another worker renewed this original first',
        );
      return undefined;
    } catch (e) {
      const failure: RunFailure = {
        originalId: o.id,
        contractId: o.contractId,
        code: e instanceof ArchiveError || e instanceof PadesError ? e.code : 'INTERNAL_ERROR',
        message: (e instanceof Error ? e.message : String(e)).slice(0, 900),
      };
      if (failure.code === 'INTERNAL_ERROR')
        this.logger.error({ err: failure.message, originalId: o.id }, 'renewal failed');
      await this.recordFailure(o, runId, actor, failure);
      return failure;
    }
  }

  /**
   * Commits a batch of renewals atomically; returns which of them moved their original. Each
   * original moves only if it is still at the version its renewal started from (another worker
   * whose lease had run out may have moved it first; then nothing is written for it): its version
   * row and audit record are written only with the move.
   */
  private async commitBatch(batch: PendingRenewal[]): Promise<boolean[]> {
    // A run claims an original once, so it is never twice in a batch; were it, the second renewal
    // would be refused by the version check on SQLite but would break the unique
    // (original_id, version) index in PostgreSQL's single statement and fail the whole batch.
    if (new Set(batch.map((b) => b.o.id)).size !== batch.length)
      throw new Error('archive commit: an original appears twice in one batch');
    const now = this.clock.now();
    const versions = batch.map((p) => versionRow(p, now));
    if (this.isPostgres) {
      const audit = this.audit.pendingRows(batch.map(renewalAuditEvent));
      const out = await commitRenewalsPostgres(this.dataSource, batch, versions, audit, now);
      if (out.some(Boolean)) this.audit.pendingCommitted();
      return out;
    }
    return this.dataSource.transaction(async (m) => {
      const out = await moveToRenewedVersionsSqlite(m, batch, now);
      const moved = (_: unknown, i: number) => out[i];
      if (!out.some(Boolean)) return out;
      // The version rows of the batch in one multi-row INSERT (same transaction).
      await m.getRepository(ArchiveVersionEntity).insert(versions.filter(moved) as never);
      await this.audit.appendMany(batch.filter(moved).map(renewalAuditEvent), m);
      return out;
    });
  }

  private async readVerified(sha256: string): Promise<Buffer> {
    let bytes: Buffer;
    try {
      bytes = await this.store.get(sha256);
    } catch {
      throw new ArchiveError(ArchiveErrorCode.ORIGINAL_OBJECT_MISSING, 500, `object ${sha256} is missing`);
    }
    // Never extend a file whose bytes are no longer the archived ones.
    if (createHash('sha256').update(bytes).digest('hex') !== sha256)
      throw new ArchiveError(
        ArchiveErrorCode.INTEGRITY_FAILURE,
        500,
        `object ${sha256} does not match its hash`,
      );
    return bytes;
  }

  private async recordFailure(
    o: ArchivedOriginalEntity,
    runId: string,
    actor: string,
    failure: RunFailure,
  ): Promise<void> {
    await this.dataSource.transaction(async (m: EntityManager) => {
      // The lease is dropped (another run may retry at once) but this run does not retry it.
      await m
        .createQueryBuilder()
        .update(ArchivedOriginalEntity)
        .set({
          claimedBy: `failed:${runId}`,
          claimedUntil: null,
          failureCount: () => 'failure_count + 1',
          lastFailure: `${failure.code}: ${failure.message}`.slice(0, 1000),
          updatedAt: this.clock.now(),
        })
        .where('id = :id AND claimed_by = :claim', { id: o.id, claim: `w:${runId}` })
        .execute();
      await this.audit.append(
        {
          actor,
          action: 'archive.original.renewal_failed',
          subject: `archive-original:${o.id}`,
          details: { contractId: o.contractId, runId, code: failure.code, message: failure.message },
        },
        m,
      );
    });
  }

  /**
   * A worker killed mid-run (kill -9) leaves its run `running` and its claims leased. Runs of
   * this host whose process is gone are marked interrupted and their claims released at once, so
   * the next run continues without waiting for the lease; other hosts' claims expire by lease.
   */
  async releaseClaimsOfDeadWorkers(): Promise<number> {
    const host = `${os.hostname()}:`;
    const runs = await this.dataSource.getRepository(ArchiveRunEntity).findBy({ status: 'running' });
    let released = 0;
    for (const r of runs) {
      if (!r.worker.startsWith(host)) continue;
      const pid = Number(r.worker.slice(host.length));
      if (!Number.isInteger(pid) || pid === process.pid || processAlive(pid)) continue;
      await this.dataSource.transaction(async (m) => {
        const res = await m
          .createQueryBuilder()
          .update(ArchivedOriginalEntity)
          .set({ claimedBy: null, claimedUntil: null })
          .where('claimed_by = :claim', { claim: `w:${r.id}` })
          .execute();
        released += res.affected ?? 0;
        await m.getRepository(ArchiveRunEntity).update({ id: r.id }, { status: 'interrupted' });
        await this.audit.append(
          {
            actor: 'system',
            action: 'archive.restamp.interrupted',
            subject: `archive-run:${r.id}`,
            details: { worker: r.worker, releasedClaims: res.affected ?? 0 },
          },
          m,
        );
      });
    }
    return released;
  }
}

interface PendingRenewal {
  o: ArchivedOriginalEntity;
  runId: string;
  actor: string;
  stored: { sha256: string; size: number };
  summary: ProtectionSummary;
  validation: { indication: string; summary: Record<string, unknown> };
}

/** Requests that arrive while a batch commits wait and form the next batch (at most 64). */
class GroupCommitter {
  private queue: { item: PendingRenewal; resolve: (ok: boolean) => void; reject: (e: unknown) => void }[] =
    [];
  private draining = false;

  constructor(private readonly commit: (batch: PendingRenewal[]) => Promise<boolean[]>) {}

  submit(item: PendingRenewal): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, 64);
        try {
          const results = await this.commit(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(results[i]));
        } catch (e) {
          for (const b of batch) b.reject(e);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}

/** The version row a renewal adds (version n + 1 of its original). */
function versionRow(
  { o, runId, stored, summary, validation }: PendingRenewal,
  now: Date,
): ArchiveVersionEntity {
  return {
    id: randomUUID(),
    originalId: o.id,
    version: o.currentVersion + 1,
    sha256: stored.sha256,
    sizeBytes: stored.size,
    previousSha256: o.currentSha256,
    reason: 'renewal',
    runId,
    validationIndication: validation.indication,
    validationSummary: validation.summary,
    protectionExpiresAt: new Date(summary.protectionExpiresAt),
    createdAt: now,
  };
}

function renewalAuditEvent({ o, runId, actor, stored, summary }: PendingRenewal): AuditEvent {
  return {
    actor,
    action: 'archive.original.renewed',
    subject: `archive-original:${o.id}`,
    details: {
      contractId: o.contractId,
      runId,
      version: o.currentVersion + 1,
      sha256: stored.sha256,
      previousSha256: o.currentSha256,
      protectionExpiresAt: summary.protectionExpiresAt,
      limitedBy: summary.limitedBy,
    },
  };
}

/**
 * PostgreSQL: the whole batch as ONE statement (atomic on its own, like a transaction of its
 * parts): the conditional UPDATE of the originals, and — joined to the rows it moved — the INSERT
 * of their version rows and of their audit records, as data-modifying CTEs. One round trip instead
 * of five (BEGIN, UPDATE, INSERT, INSERT, COMMIT): in a CPU profile of the archive benchmark the
 * worker's socket writes to PostgreSQL were its largest single item, and every round trip also
 * wakes a server process. Values go in as one array per column (unnest), so the statement text is
 * the same for any batch size; the audit rows are inserted in batch order (WITH ORDINALITY).
 */
async function commitRenewalsPostgres(
  ds: DataSource,
  batch: readonly PendingRenewal[],
  versions: readonly ArchiveVersionEntity[],
  audit: readonly AuditPendingRow[],
  now: Date,
): Promise<boolean[]> {
  // Each original is once in the batch (commitBatch): both INSERTs join the rows moved by id, so
  // one version row and one audit record per original moved.
  const O = SqlTable.of(ds, ArchivedOriginalEntity);
  const V = SqlTable.of(ds, ArchiveVersionEntity);
  const A = SqlTable.of(ds, AuditPendingEntity);
  const rows = await ds.query<{ id: string }[]>(
    `WITH v AS (
       SELECT * FROM unnest($2::varchar[], $3::integer[], $4::varchar[], $5::timestamptz[],
                            $6::text[], $7::varchar[], $8::varchar[], $9::varchar[], $10::integer[],
                            $11::varchar[], $12::varchar[], $13::varchar[], $14::text[],
                            $15::varchar[], $16::varchar[], $17::varchar[], $18::text[])
              WITH ORDINALITY
              AS v(id, from_version, sha256, expires, summary, claimed_by, version_id,
                   previous_sha256, size_bytes, reason, run_id, indication, validation_summary,
                   actor, action, subject, details, n)
     ),
     moved AS (
       UPDATE archive_originals AS o
          SET current_version = o.current_version + 1, current_sha256 = v.sha256,
              protection_expires_at = v.expires, summary = v.summary, last_renewed_at = $1,
              updated_at = $1, claimed_by = v.claimed_by, claimed_until = NULL, failure_count = 0,
              last_failure = NULL
         FROM v
        WHERE o.id = v.id AND o.current_version = v.from_version
    RETURNING o.id
     ),
     versions AS (
       INSERT INTO archive_versions (id, original_id, version, sha256, size_bytes, previous_sha256,
                                     reason, run_id, validation_indication, validation_summary,
                                     protection_expires_at, created_at)
       SELECT v.version_id, v.id, v.from_version + 1, v.sha256, v.size_bytes, v.previous_sha256,
              v.reason, v.run_id, v.indication, v.validation_summary, v.expires, $1
         FROM v JOIN moved ON moved.id = v.id
     ),
     audit AS (
       INSERT INTO audit_pending (at, actor, action, subject, details)
       SELECT $19, v.actor, v.action, v.subject, v.details
         FROM v JOIN moved ON moved.id = v.id
        ORDER BY v.n
     )
     SELECT moved.id FROM moved`,
    [
      now,
      batch.map((b) => b.o.id),
      batch.map((b) => b.o.currentVersion),
      batch.map((b) => b.stored.sha256),
      versions.map((r) => r.protectionExpiresAt),
      batch.map((b) => O.value('summary', b.summary as never)),
      batch.map((b) => `done:${b.runId}`),
      versions.map((r) => r.id),
      versions.map((r) => r.previousSha256),
      versions.map((r) => r.sizeBytes),
      versions.map((r) => r.reason),
      versions.map((r) => r.runId),
      versions.map((r) => r.validationIndication),
      versions.map((r) => V.value('validationSummary', r.validationSummary)),
      audit.map((r) => r.actor),
      audit.map((r) => r.action),
      audit.map((r) => r.subject),
      audit.map((r) => A.value('details', r.details)),
      audit[0]?.at ?? now,
    ],
  );
  const moved = new Set(rows.map((r) => r.id));
  return batch.map((b) => moved.has(b.o.id));
}

/**
 * SQLite: one conditional UPDATE per original inside the caller's transaction (a statement costs no
 * round trip there). Plain SQL rather than the query builder: this runs once per renewal, and
 * building the UPDATE cost more than executing it.
 */
async function moveToRenewedVersionsSqlite(
  m: EntityManager,
  batch: PendingRenewal[],
  now: Date,
): Promise<boolean[]> {
  const O = SqlTable.of(m.connection, ArchivedOriginalEntity);
  const runner = m.queryRunner!;
  const out: boolean[] = [];
  for (const { o, runId, stored, summary } of batch) {
    const res = (await runner.query(
      `UPDATE archive_originals
          SET current_version = ?, current_sha256 = ?, protection_expires_at = ?, summary = ?,
              last_renewed_at = ?, updated_at = ?, claimed_by = ?, claimed_until = NULL,
              failure_count = 0, last_failure = NULL
        WHERE id = ? AND current_version = ?`,
      [
        o.currentVersion + 1,
        stored.sha256,
        O.value('protectionExpiresAt', new Date(summary.protectionExpiresAt)),
        O.value('summary', summary),
        O.value('lastRenewedAt', now),
        O.value('updatedAt', now),
        `done:${runId}`,
        o.id,
        o.currentVersion,
      ],
      true,
    )) as { affected?: number };
    out.push(res.affected === 1);
  }
  return out;
}

interface RunContext {
  committer: GroupCommitter;
  services: PadesServices;
  trustAnchors: Uint8Array[];
  /** TSA certificates (SHA-256 of DER) whose renewal passed a full validation in this run. */
  fullyValidatedTsas: Set<string>;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Claimed {
  o: ArchivedOriginalEntity;
  previous: ArchiveVersionEntity | undefined;
}

/**
 * Hands claimed originals to the renewal lanes one by one and claims the next batch while the
 * current one is still being renewed (when fewer items are left than lanes), so lanes never wait
 * for a claim round trip and no batch ends with most lanes idle. One claim at a time.
 */
class ClaimFeed {
  private readonly queue: Claimed[] = [];
  private pending?: Promise<Claimed[]>;
  private exhausted = false;

  constructor(
    private readonly fetch: () => Promise<Claimed[]>,
    private readonly lanes: number,
    private readonly onBatch: () => Promise<unknown>,
  ) {}

  async take(): Promise<Claimed | undefined> {
    for (;;) {
      if (this.queue.length) {
        const item = this.queue.shift()!;
        if (this.queue.length < this.lanes) this.prefetch();
        return item;
      }
      if (this.exhausted) return undefined;
      this.prefetch();
      const p = this.pending!;
      const got = await p;
      if (this.pending === p) {
        this.pending = undefined;
        if (got.length) this.queue.push(...got);
        else this.exhausted = true;
      }
    }
  }

  private prefetch(): void {
    if (this.pending || this.exhausted) return;
    this.pending = this.onBatch().then(() => this.fetch());
  }
}

/** Runs `fn` over the feed's items with at most `concurrency` in flight. */
async function runPool(
  concurrency: number,
  feed: ClaimFeed,
  fn: (item: Claimed) => Promise<void>,
): Promise<void> {
  const lanes = Array.from({ length: concurrency }, async () => {
    for (let item = await feed.take(); item; item = await feed.take()) await fn(item);
  });
  // A failed claim ends every lane; the run reports it only once no renewal is in flight.
  const settled = await Promise.allSettled(lanes);
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
