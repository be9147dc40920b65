import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Sql, SqlTable, join, raw, sql, value } from '../../database/sql';
import { Clock } from '../clock/clock';
import { AuditChainVerifier, ChainBreak, GENESIS_HASH, hashAuditRecord } from './audit-chain';
import { AuditEntryEntity, AuditHeadEntity, AuditPendingEntity } from './audit-entry.entity';

export interface AuditEvent {
  actor: string;
  action: string;
  subject?: string | null;
  /** Never put secrets here (passwords, OTPs, PINs, keys, tokens). */
  details?: Record<string, unknown> | null;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBreak?: ChainBreak;
}

const SECRET_KEYS =
  /(password|passphrase|secret|privatekey)$|^(otp|pin|newpin|currentpin|token|sessiontoken)$/i;
const SEAL_BATCH = 500;
const SEAL_INTERVAL_MS = 1000;
/** Appends within this window are sealed together: one chain transaction for a burst of events. */
const SEAL_DEBOUNCE_MS = 200;

/**
 * Append-only, hash-chained audit log in two steps:
 * 1. `append` inserts the event into `audit_pending` inside the caller's transaction (pass its
 *    EntityManager), so the record commits or rolls back with the change it describes. It takes no
 *    shared lock, so busy modules (transfers) do not queue behind one another.
 * 2. `seal` moves committed pending events, oldest first, into `audit_entries`, giving each the
 *    next sequence number and a hash over its content and the previous hash. Sealers serialise on
 *    the chain's head row, so several service instances may run it. It runs shortly after each
 *    append, every second, before `list`/`verify`, and at shutdown.
 */
@Injectable()
export class AuditLog implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditLog.name);
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private sealing: Promise<number> | undefined;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.sealInBackground(), SEAL_INTERVAL_MS);
    this.timer.unref();
  }

  /** Runs before the database connection closes (that happens in onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    if (!this.dataSource.isInitialized) return;
    try {
      await this.seal();
    } catch (e) {
      this.logger.warn({ err: e }, 'audit seal at shutdown failed; pending entries are sealed at next start');
    }
  }

  async append(event: AuditEvent, manager?: EntityManager): Promise<void> {
    await this.appendMany([event], manager);
  }

  /**
   * Appends several events in one statement (a batch of renewals, say), in the given order, inside
   * the caller's transaction.
   */
  async appendMany(events: AuditEvent[], manager?: EntityManager): Promise<void> {
    if (!events.length) return;
    const m = manager ?? this.dataSource.manager;
    await m.getRepository(AuditPendingEntity).insert(this.pendingRows(events) as never);
    this.pendingCommitted();
  }

  /**
   * The `audit_pending` rows `appendMany` would insert (details checked for secrets, time to the
   * millisecond), for a hot path that inserts them in the same statement as the change they record.
   * It calls `pendingCommitted` once that statement has committed.
   */
  pendingRows(events: readonly AuditEvent[]): AuditPendingRow[] {
    const now = this.clock.now();
    return events.map((event) => auditPendingRow(event, now));
  }

  /** Pending rows were committed: seal them soon (the periodic sealer would, within a second). */
  pendingCommitted(): void {
    this.scheduleSeal();
  }

  /** Seals every committed pending entry into the chain; returns how many were sealed. */
  async seal(): Promise<number> {
    // One sealing pass at a time per process; callers share the pass in progress, then run again
    // so that entries committed during it are included.
    while (this.sealing) await this.sealing.catch(() => undefined);
    this.sealing = this.sealAll();
    try {
      return await this.sealing;
    } finally {
      this.sealing = undefined;
    }
  }

  private async sealAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.dataSource.transaction((m) => this.sealBatch(m));
      total += n;
      if (n < SEAL_BATCH) return total;
    }
  }

  /**
   * One batch: lock the head, read the oldest pending events, chain them, insert the entries,
   * delete the pending rows, move the head. Hand-written statements (database/sql.ts), values
   * converted by the driver per column exactly as TypeORM converts them: with a thousand events a
   * second from the transfer hot path, building and hydrating these rows through the query builder
   * cost more CPU than the transfers' own statements.
   */
  private async sealBatch(m: EntityManager): Promise<number> {
    const pg = m.connection.options.type === 'postgres';
    const run = (q: Sql): Promise<Record<string, unknown>[]> => {
      const { text, values } = q.render(pg);
      return m.query(text, values);
    };
    const H = SqlTable.of(this.dataSource, AuditHeadEntity);
    const P = SqlTable.of(this.dataSource, AuditPendingEntity);
    const E = SqlTable.of(this.dataSource, AuditEntryEntity);
    const lockHead = sql`SELECT ${H.select('h')} FROM ${raw(H.name)} h WHERE h.id = 1${raw(pg ? ' FOR UPDATE' : '')}`;
    let [headRow] = await run(lockHead);
    if (!headRow && pg) {
      // First entry ever: create the head row (ON CONFLICT keeps concurrent sealers safe), then lock it.
      await run(
        sql`INSERT INTO ${raw(H.name)} (id, last_seq, last_hash) VALUES (1, 0, ${GENESIS_HASH}) ON CONFLICT (id) DO NOTHING`,
      );
      [headRow] = await run(lockHead);
    }
    const head = headRow ? H.hydrate(headRow, 'h') : undefined;
    const pending = (
      await run(sql`SELECT ${P.select('p')} FROM ${raw(P.name)} p ORDER BY p.ord ASC LIMIT ${SEAL_BATCH}`)
    ).map((r) => P.hydrate(r, 'p')!);
    if (!pending.length) return 0;
    let seq = head?.lastSeq ?? 0;
    let prevHash = head?.lastHash ?? GENESIS_HASH;
    const entries: AuditEntryEntity[] = [];
    for (const p of pending) {
      seq++;
      const entry = {
        seq,
        at: p.at,
        actor: p.actor,
        action: p.action,
        subject: p.subject,
        details: p.details,
        prevHash,
      } as AuditEntryEntity;
      entry.hash = hashAuditRecord(entry);
      prevHash = entry.hash;
      entries.push(entry);
    }
    // 100 rows × 8 columns stays far below either database's limit of bound parameters.
    for (let i = 0; i < entries.length; i += 100) await run(E.insert(entries.slice(i, i + 100)));
    await run(sql`DELETE FROM ${raw(P.name)} WHERE ord IN (${join(pending.map((p) => value(p.ord)))})`);
    await run(
      head
        ? sql`UPDATE ${raw(H.name)} SET ${H.set({ lastSeq: seq, lastHash: prevHash })} WHERE id = 1`
        : H.insert([{ id: 1, lastSeq: seq, lastHash: prevHash }]),
    );
    return pending.length;
  }

  private scheduleSeal(): void {
    if (this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      this.sealInBackground();
    }, SEAL_DEBOUNCE_MS);
    this.soon.unref();
  }

  private sealInBackground(): void {
    if (this.sealing || !this.dataSource.isInitialized) return;
    this.seal().catch((e: unknown) => this.logger.warn({ err: e }, 'audit seal failed; will retry'));
  }

  /** Seals, then walks the whole chain in pages and reports the first broken link. */
  async verify(pageSize = 1000): Promise<AuditVerification> {
    await this.seal();
    const repo = this.dataSource.getRepository(AuditEntryEntity);
    const verifier = new AuditChainVerifier();
    let after = 0;
    for (;;) {
      const page = await repo
        .createQueryBuilder('e')
        .where('e.seq > :after', { after })
        .orderBy('e.seq', 'ASC')
        .limit(pageSize)
        .getMany();
      for (const e of page) {
        const br = verifier.push(e);
        if (br) return { ok: false, checked: verifier.checked, firstBreak: br };
      }
      if (page.length < pageSize) break;
      after = page[page.length - 1].seq;
    }
    const head = await this.dataSource.getRepository(AuditHeadEntity).findOneBy({ id: 1 });
    const br = verifier.finish(head);
    return br
      ? { ok: false, checked: verifier.checked, firstBreak: br }
      : { ok: true, checked: verifier.checked };
  }

  /** Newest first, after sealing what is pending. */
  async list(
    filter: { action?: string; subject?: string; actor?: string; limit?: number; beforeSeq?: number } = {},
  ) {
    await this.seal();
    const qb = this.dataSource
      .getRepository(AuditEntryEntity)
      .createQueryBuilder('e')
      .orderBy('e.seq', 'DESC');
    if (filter.action) qb.andWhere('e.action LIKE :action', { action: `${filter.action}%` });
    if (filter.subject) qb.andWhere('e.subject = :subject', { subject: filter.subject });
    if (filter.actor) qb.andWhere('e.actor = :actor', { actor: filter.actor });
    if (filter.beforeSeq) qb.andWhere('e.seq < :b', { b: filter.beforeSeq });
    return qb.limit(Math.min(filter.limit ?? 100, 1000)).getMany();
  }
}

/** An `audit_pending` row before the database numbers it. */
export type AuditPendingRow = Omit<AuditPendingEntity, 'ord'>;

/**
 * The `audit_pending` row of an event at `now`: the time to the millisecond (as stored, so the
 * chain hashes what reads back), the details checked for secret-like keys. Every writer of pending
 * rows builds them here — AuditLog itself and the hot paths that insert them in their own
 * statement (banking's auditWrite, the archive's renewal commit).
 */
export function auditPendingRow(event: AuditEvent, now: Date): AuditPendingRow {
  assertNoSecrets(event.details);
  return {
    at: new Date(Math.floor(now.getTime())),
    actor: event.actor,
    action: event.action,
    subject: event.subject ?? null,
    details: event.details ?? null,
  };
}

/** A programming error, caught in tests: audit details must never carry a secret. */
function assertNoSecrets(details: Record<string, unknown> | null | undefined): void {
  if (!details) return;
  for (const k of Object.keys(details)) {
    if (SECRET_KEYS.test(k)) {
      throw new Error(`audit details must not contain a secret-like field: ${k}`);
    }
  }
}
