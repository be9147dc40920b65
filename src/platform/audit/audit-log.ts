import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../clock/clock';
import { AuditChainVerifier, ChainBreak, GENESIS_HASH, hashAuditRecord } from './audit-chain';
import { AuditEntryEntity, AuditHeadEntity } from './audit-entry.entity';

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

/**
 * Append-only, hash-chained audit log. `append` joins the caller's transaction (pass its
 * EntityManager) so the audit record commits or rolls back with the change it describes.
 */
@Injectable()
export class AuditLog {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async append(event: AuditEvent, manager?: EntityManager): Promise<AuditEntryEntity> {
    if (manager) return this.appendIn(manager, event);
    return this.dataSource.transaction((m) => this.appendIn(m, event));
  }

  private async appendIn(m: EntityManager, event: AuditEvent): Promise<AuditEntryEntity> {
    assertNoSecrets(event.details);
    const headRepo = m.getRepository(AuditHeadEntity);
    // Lock the head row (PostgreSQL); SQLite serialises writers on its own.
    const head =
      m.connection.options.type === 'postgres'
        ? await headRepo.createQueryBuilder('h').setLock('pessimistic_write').where('h.id = 1').getOne()
        : await headRepo.findOneBy({ id: 1 });
    const seq = (head?.lastSeq ?? 0) + 1;
    const prevHash = head?.lastHash ?? GENESIS_HASH;
    const entry = m.getRepository(AuditEntryEntity).create({
      seq,
      at: new Date(Math.floor(this.clock.now().getTime())),
      actor: event.actor,
      action: event.action,
      subject: event.subject ?? null,
      details: event.details ?? null,
      prevHash,
    });
    entry.hash = hashAuditRecord(entry);
    await m.getRepository(AuditEntryEntity).insert(entry as never);
    if (head) await headRepo.update({ id: 1 }, { lastSeq: seq, lastHash: entry.hash });
    else await headRepo.insert({ id: 1, lastSeq: seq, lastHash: entry.hash });
    return entry;
  }

  /** Walks the whole chain in pages and reports the first broken link. */
  async verify(pageSize = 1000): Promise<AuditVerification> {
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

  async list(
    filter: { action?: string; subject?: string; actor?: string; limit?: number; beforeSeq?: number } = {},
  ) {
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

/** A programming error, caught in tests: audit details must never carry a secret. */
function assertNoSecrets(details: Record<string, unknown> | null | undefined): void {
  if (!details) return;
  for (const k of Object.keys(details)) {
    if (SECRET_KEYS.test(k)) {
      throw new Error(`audit details must not contain a secret-like field: ${k}`);
    }
  }
}
