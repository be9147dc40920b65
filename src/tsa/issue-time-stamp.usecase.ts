import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { AsyncResource } from 'node:async_hooks';
import { hash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { NativeSqlite, runNativeSqliteUnit } from '../database/sqlite-serializer';
import { Clock } from '../platform/clock/clock';
import { IssuedToken } from './domain/tst-signer';
import {
  ParsedTimeStampRequest,
  PkiFailureInfo,
  TimeStampRequestRejected,
  parseTimeStampRequest,
} from './domain/time-stamp-request';
import { encodeRejection } from './domain/time-stamp-response';
import { RotateTsaCertificate } from './rotate-tsa-certificate.usecase';
import { SigningThread } from './signing-thread';
import { ActiveSigner, TsaCredentials, lockTsaState } from './tsa-credentials.service';
import { TsaTokenEntity } from './tsa.entities';

export type TsaChannel = 'http' | 'local';

/** The TSA could not issue (database or key unavailable); nothing was recorded. */
export class TsaIssuanceFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TsaIssuanceFailed';
  }
}

/** An issued token with the credential that signed it. */
export interface RecordedToken extends IssuedToken {
  credentialId: string;
  signerCertificate: Buffer;
  signerChain: Buffer[];
}

interface Pending {
  req: ParsedTimeStampRequest;
  channel: TsaChannel;
  resolve: (t: RecordedToken) => void;
  reject: (e: Error) => void;
  /** Times this request was signed by a credential another instance had retired meanwhile. */
  retries: number;
}

interface Signed {
  p: Pending;
  token: IssuedToken;
  by: ActiveSigner;
}

/** Tokens recorded in one transaction at most (bounded lock time, SQL size). */
const MAX_BATCH = 256;
/** Serial numbers taken from tsa_state at a time (see reserveSerials). */
const SERIAL_BLOCK = 256;
/** A request re-signed this often because credentials kept rotating under it is refused. */
const MAX_RETRIES = 3;
/** Signatures queued for the signing thread beyond which the event loop signs inline. */
const THREAD_BACKLOG = 64;
/** Smallest group of requests worth sharing with the signing thread. */
const THREAD_MIN_GROUP = 8;

/**
 * IssueTimeStamp: the one path by which the own TSA issues a token (POST /tsa and the in-process
 * LocalTimeStamper both come here).
 *
 * A pipeline of two stages that overlap, so the event loop records one group of tokens while the
 * thread pool signs the next:
 * 1. Sign: each request gets the next serial number from a block reserved in tsa_state (one locked
 *    update per SERIAL_BLOCK serials, so serials stay unique across restarts and instances), its
 *    TSTInfo is built and the signature computed on libuv's thread pool.
 * 2. Record: signed tokens that are ready are inserted into the register in one transaction
 *    (group commit), which also reads tsa_state: a token whose credential another instance retired
 *    meanwhile is discarded and its request signed again with the new credential. A token is handed
 *    out only after the commit that records it, so no token exists without its record.
 * Serials are unique and, within one running instance, increasing. A block is given back at a
 * clean shutdown; after a crash, or with several instances, the unused rest of a block is a gap in
 * the sequence (RFC 3161 §2.4.2 requires uniqueness only).
 */
@Injectable()
export class IssueTimeStamp implements BeforeApplicationShutdown {
  private readonly logger = new Logger('TSA');
  private incoming: Pending[] = [];
  private toRecord: Signed[] = [];
  private pumping = false;
  private recording = false;
  private readonly thread = new SigningThread();
  private active?: ActiveSigner;
  /** Reserved serials [next, end). */
  private serials = { next: 0, end: 0 };
  private readonly outstanding = new Set<Promise<unknown>>();
  /**
   * The async context the pipeline runs in, captured at start-up: a request made inside someone's
   * database unit of work (SQLite lock, AsyncLocalStorage) must not have its batch recorded inside
   * that unit, where a rollback would erase the record of a token already handed out.
   */
  private readonly detached = new AsyncResource('tsa-issuance');

  constructor(
    private readonly dataSource: DataSource,
    private readonly credentials: TsaCredentials,
    private readonly rotate: RotateTsaCertificate,
    @Inject(Clock) private readonly clock: Clock,
  ) {
    // A rotation in this instance takes effect for the next request; one made by another instance
    // is noticed when recording (see recordBatch).
    rotate.onRotated(() => (this.active = undefined));
  }

  /** Answers a DER TimeStampReq with a DER TimeStampResp (granted or a PKIStatusInfo rejection). */
  async respond(der: Uint8Array, channel: TsaChannel): Promise<{ ok: boolean; body: Buffer }> {
    try {
      const issued = await this.issue(parseTimeStampRequest(der), channel);
      return { ok: true, body: issued.response };
    } catch (e) {
      if (e instanceof TimeStampRequestRejected)
        return { ok: true, body: encodeRejection(e.failInfo, e.message) };
      this.logger.error(`time-stamp issuance failed: ${e instanceof Error ? e.message : String(e)}`);
      return {
        ok: false,
        body: encodeRejection(
          PkiFailureInfo.systemFailure,
          'the TSA is temporarily unavailable; retry later',
        ),
      };
    }
  }

  /** Issues and records a token for a validated request. */
  issue(req: ParsedTimeStampRequest, channel: TsaChannel): Promise<RecordedToken> {
    const done = new Promise<RecordedToken>((resolve, reject) => {
      this.incoming.push({ req, channel, resolve, reject, retries: 0 });
      this.schedulePump();
    });
    this.outstanding.add(done);
    const forget = () => this.outstanding.delete(done);
    done.then(forget, forget);
    return done;
  }

  /** Lets issuance in progress finish, then gives the unused serials back. */
  async beforeApplicationShutdown(): Promise<void> {
    while (this.outstanding.size) await Promise.allSettled([...this.outstanding]);
    await this.thread.close();
    const { next, end } = this.serials;
    if (next >= end) return;
    this.serials = { next: 0, end: 0 };
    try {
      // Only if nobody reserved after us: then the next start continues without a gap.
      await this.dataSource.query(
        this.dataSource.options.type === 'postgres'
          ? 'UPDATE tsa_state SET next_serial = $1 WHERE id = 1 AND next_serial = $2'
          : 'UPDATE tsa_state SET next_serial = ? WHERE id = 1 AND next_serial = ?',
        [next, end],
      );
    } catch (e) {
      this.logger.warn(`unused serials not given back: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private schedulePump(): void {
    if (this.pumping) return;
    this.pumping = true;
    // setImmediate: requests arriving in the same turn of the event loop are handled together.
    this.detached.runInAsyncScope(() => setImmediate(() => void this.pump()));
  }

  /** Stage 1: serial numbers, TSTInfo, signatures (on the signing thread or inline). */
  private async pump(): Promise<void> {
    try {
      while (this.incoming.length) {
        const active = await this.usableSigner();
        if (this.serials.next >= this.serials.end) await this.reserveSerials(this.incoming.length);
        const batch = this.incoming.splice(0, this.serials.end - this.serials.next);
        // A small group is signed inline: handing signatures to another thread and back costs a
        // wake-up of each thread (tens to hundreds of µs on virtual machines), more than a few
        // signatures. A larger group is shared: about half goes to the signing thread
        // (sent at once, so it signs while this thread signs the other half inline), unless the
        // thread is already behind. Whole groups on the thread would leave this one idle while its
        // callers wait; whole groups inline would leave the second core unused.
        const toThread =
          batch.length < THREAD_MIN_GROUP || this.thread.backlog >= THREAD_BACKLOG
            ? 0
            : Math.ceil(batch.length / 2);
        for (let i = 0; i < batch.length; i++) {
          this.sign(batch[i], active, i >= toThread);
          if (i === toThread - 1) this.thread.flush();
        }
      }
    } catch (e) {
      const err = new TsaIssuanceFailed(
        `no usable TSA credential or serial number: ${e instanceof Error ? e.message : String(e)}`,
      );
      for (const p of this.incoming.splice(0)) p.reject(err);
    } finally {
      this.pumping = false;
      if (this.incoming.length) this.schedulePump();
    }
  }

  private sign(p: Pending, by: ActiveSigner, inline: boolean): void {
    const genTime = this.clock.now();
    try {
      // A refusal (unaccepted policy, time outside the certificate) consumes no serial.
      by.signer.check(p.req, genTime);
    } catch (e) {
      p.reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    const serial = BigInt(this.serials.next++);
    if (inline) {
      let token: IssuedToken;
      try {
        token = by.signer.issue(p.req, serial, genTime);
      } catch (e) {
        p.reject(new TsaIssuanceFailed(`signing failed: ${e instanceof Error ? e.message : String(e)}`));
        return;
      }
      this.signed({ p, token, by });
      return;
    }
    by.signer.issueWith(p.req, serial, genTime, this.thread.sign).then(
      (token) => this.signed({ p, token, by }),
      () => {
        // The signing thread failed: sign here, with the same serial and time.
        try {
          this.signed({ p, token: by.signer.issue(p.req, serial, genTime), by });
        } catch (e) {
          p.reject(new TsaIssuanceFailed(`signing failed: ${e instanceof Error ? e.message : String(e)}`));
        }
      },
    );
  }

  private signed(s: Signed): void {
    this.toRecord.push(s);
    this.scheduleRecord();
  }

  private scheduleRecord(): void {
    if (this.recording) return;
    this.recording = true;
    // Signatures completing in the same turn of the event loop are recorded together.
    this.detached.runInAsyncScope(() => setImmediate(() => void this.record()));
  }

  /** Stage 2: group commit of the register rows; tokens are handed out after the commit. */
  private async record(): Promise<void> {
    try {
      while (this.toRecord.length) await this.recordBatch(this.toRecord.splice(0, MAX_BATCH));
    } finally {
      this.recording = false;
      if (this.toRecord.length) this.scheduleRecord();
    }
  }

  private async recordBatch(batch: Signed[]): Promise<void> {
    let stale: Signed[] = [];
    try {
      const rows = batch.map((s): TsaTokenEntity => ({
        serial: Number(s.token.serialNumber),
        genTime: s.token.genTime,
        policy: s.token.policy,
        hashAlgorithm: s.p.req.hash.name,
        imprintHex: s.p.req.hashedMessage.toString('hex'),
        tokenSha256: hash('sha256', s.token.token, 'hex'),
        credentialId: s.by.id,
        channel: s.p.channel,
      }));
      const active = await recordTokens(this.dataSource, rows);
      stale = batch.filter((s) => s.by.id !== active);
    } catch (e) {
      const err = new TsaIssuanceFailed(
        `time-stamp batch not recorded: ${e instanceof Error ? e.message : String(e)}`,
      );
      for (const s of batch) s.p.reject(err);
      return;
    }
    for (const s of batch) {
      if (stale.includes(s)) continue;
      s.p.resolve({
        ...s.token,
        credentialId: s.by.id,
        signerCertificate: s.by.signer.certificate,
        signerChain: s.by.signer.chain,
      });
    }
    if (stale.length) {
      // Another instance rotated the credential: these tokens are discarded, never handed out.
      if (this.active && stale.some((s) => s.by.id === this.active!.id)) this.active = undefined;
      for (const s of stale) {
        if (++s.p.retries > MAX_RETRIES)
          s.p.reject(new TsaIssuanceFailed('the TSA credential kept changing while signing; retry later'));
        else this.incoming.push(s.p);
      }
      this.schedulePump();
    }
  }

  /** Takes a block of serial numbers from tsa_state (locked update, committed before any is used). */
  private async reserveSerials(wanted: number): Promise<void> {
    const size = Math.max(wanted, SERIAL_BLOCK);
    const first = await this.dataSource.transaction(async (m) => {
      const state = await lockTsaState(m);
      await m.query(
        m.connection.options.type === 'postgres'
          ? 'UPDATE tsa_state SET next_serial = $1 WHERE id = 1'
          : 'UPDATE tsa_state SET next_serial = ? WHERE id = 1',
        [state.nextSerial + size],
      );
      return state.nextSerial;
    });
    this.serials = { next: first, end: first + size };
  }

  /** The active signer; creates the first credential or rotates when the key usage period is over. */
  private async usableSigner(): Promise<ActiveSigner> {
    // The cached signer is checked against tsa_state in every recording transaction.
    const active = this.active ?? (await this.credentials.active());
    if (!active) {
      const r = await this.rotate.execute({
        actor: 'system',
        reason: 'first credential',
        onlyIfMissing: true,
      });
      return (this.active = await this.credentials.signer(r.credentialId));
    }
    if (this.credentials.rotationDue(active, this.clock.now())) {
      const r = await this.rotate.execute({
        actor: 'system',
        reason: 'key usage period ended',
        ifActiveIs: active.id,
      });
      return (this.active = await this.credentials.signer(r.credentialId));
    }
    return (this.active = active);
  }
}

const TOKEN_COLUMNS: (keyof TsaTokenEntity)[] = [
  'serial',
  'genTime',
  'policy',
  'hashAlgorithm',
  'imprintHex',
  'tokenSha256',
  'credentialId',
  'channel',
];

/** Prepared statements per native SQLite connection (TypeORM would re-prepare them every time). */
const sqliteStatements = new WeakMap<object, { state: SqliteStatement; insert: SqliteStatement }>();
type SqliteStatement = ReturnType<NativeSqlite['prepare']>;

/**
 * Records the rows whose credential is still the active one, in one transaction that also reads
 * tsa_state (so a missing state row fails the whole batch); returns the active credential id.
 * Written by hand because TypeORM's transaction and query builder cost several times the SQL on this
 * path: SQLite runs one native transaction with cached prepared statements as a unit of the FIFO
 * lock; PostgreSQL gets one statement that reads tsa_state and inserts the rows.
 */
async function recordTokens(ds: DataSource, rows: TsaTokenEntity[]): Promise<string | null> {
  const meta = ds.getMetadata(TsaTokenEntity);
  const columns = TOKEN_COLUMNS.map((p) => meta.findColumnWithPropertyName(p)!);
  const names = columns.map((c) => `"${c.databaseName}"`).join(', ');
  const values = (row: TsaTokenEntity): unknown[] =>
    columns.map((c): unknown =>
      ds.driver.preparePersistentValue(row[c.propertyName as keyof TsaTokenEntity], c),
    );
  if (ds.options.type === 'better-sqlite3') {
    return runNativeSqliteUnit(ds, (db) => {
      let st = sqliteStatements.get(db);
      if (!st) {
        st = {
          state: db.prepare('SELECT active_credential_id FROM tsa_state WHERE id = 1'),
          insert: db.prepare(
            `INSERT INTO tsa_tokens (${names}) VALUES (${columns.map(() => '?').join(', ')})`,
          ),
        };
        sqliteStatements.set(db, st);
      }
      const { state, insert } = st;
      return db.transaction(() => {
        const row = state.get() as { active_credential_id: string | null } | undefined;
        if (!row) throw new Error('tsa_state row missing: migration 1763800003000 not applied');
        for (const r of rows) if (r.credentialId === row.active_credential_id) insert.run(...values(r));
        return row.active_credential_id;
      })();
    });
  }
  // PostgreSQL: one statement (atomic on its own) instead of BEGIN, SELECT, INSERT, COMMIT — four
  // round trips per group on a path every signature and re-stamp takes.
  const pgTypes: Record<string, string> = { serial: 'bigint', genTime: 'timestamptz' };
  const arrays = columns.map((c) => rows.map((r) => r[c.propertyName as keyof TsaTokenEntity]));
  const unnest = columns.map((c, i) => `$${i + 1}::${pgTypes[c.propertyName] ?? 'varchar'}[]`).join(', ');
  const aliases = columns.map((c) => `"${c.databaseName}"`).join(', ');
  const credential = `"${meta.findColumnWithPropertyName('credentialId')!.databaseName}"`;
  const [result] = await ds.query<{ state_rows: string; active: string | null; inserted: string }[]>(
    `WITH s AS (SELECT active_credential_id AS active FROM tsa_state WHERE id = 1),
          ins AS (INSERT INTO tsa_tokens (${names})
                  SELECT * FROM unnest(${unnest}) AS v(${aliases})
                   WHERE v.${credential} = (SELECT active FROM s)
                  RETURNING 1)
     SELECT (SELECT count(*) FROM s) AS state_rows, (SELECT active FROM s) AS active,
            (SELECT count(*) FROM ins) AS inserted`,
    arrays,
  );
  if (Number(result.state_rows) !== 1)
    throw new Error('tsa_state row missing: migration 1763800003000 not applied');
  return result.active;
}
