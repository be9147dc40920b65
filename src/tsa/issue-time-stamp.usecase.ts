import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
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
}

/** Requests signed and recorded in one transaction at most (bounded lock time, SQL size). */
const MAX_BATCH = 256;

/**
 * IssueTimeStamp: the one path by which the own TSA issues a token (POST /tsa and the in-process
 * LocalTimeStamper both come here).
 *
 * Group commit: requests that arrive while a batch is being written wait and form the next batch.
 * Per batch, one transaction locks the tsa_state row, takes the next serial numbers, signs each
 * token, inserts the register rows and advances the counter; a token is handed out only after that
 * commit. Serials are therefore gapless, increasing, unique across restarts and instances (the row
 * lock, plus the primary key on tsa_tokens.serial), and no token exists without its record.
 */
@Injectable()
export class IssueTimeStamp {
  private readonly logger = new Logger('TSA');
  private queue: Pending[] = [];
  private lastActive?: ActiveSigner;
  private draining = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly credentials: TsaCredentials,
    private readonly rotate: RotateTsaCertificate,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

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
    return new Promise((resolve, reject) => {
      this.queue.push({ req, channel, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length) await this.flush(this.queue.splice(0, MAX_BATCH));
    } finally {
      this.draining = false;
    }
  }

  private async flush(batch: Pending[]): Promise<void> {
    let active: ActiveSigner;
    try {
      active = await this.usableSigner();
    } catch (e) {
      const err = new TsaIssuanceFailed(
        `no usable TSA credential: ${e instanceof Error ? e.message : String(e)}`,
      );
      for (const p of batch) p.reject(err);
      return;
    }
    try {
      const done = await this.dataSource.transaction(async (m) => {
        const state = await lockTsaState(m);
        // Another instance may have rotated since we loaded the signer.
        if (state.activeCredentialId && state.activeCredentialId !== active.id)
          active = await this.credentials.signer(state.activeCredentialId);
        this.lastActive = active;
        let serial = state.nextSerial;
        const out: { p: Pending; token?: Promise<IssuedToken>; error?: Error }[] = [];
        for (const p of batch) {
          const genTime = this.clock.now();
          try {
            // A refusal (unaccepted policy, time outside the certificate) consumes no serial.
            active.signer.check(p.req, genTime);
          } catch (e) {
            out.push({ p, error: e instanceof Error ? e : new Error(String(e)) });
            continue;
          }
          // A lone request is signed inline: handing one signature to the thread pool and back costs
          // more latency than it frees; a batch is signed on the pool, in parallel with the loop.
          const n = BigInt(serial++);
          out.push({
            p,
            token:
              batch.length === 1
                ? Promise.resolve(active.signer.issue(p.req, n, genTime))
                : active.signer.issueAsync(p.req, n, genTime),
          });
        }
        const issued = await Promise.all(out.map((o) => o.token ?? Promise.resolve(undefined)));
        const rows: TsaTokenEntity[] = [];
        out.forEach((o, i) => {
          const token = issued[i];
          if (!token) return;
          rows.push({
            serial: Number(token.serialNumber),
            genTime: token.genTime,
            policy: token.policy,
            hashAlgorithm: o.p.req.hash.name,
            imprintHex: o.p.req.hashedMessage.toString('hex'),
            tokenSha256: createHash('sha256').update(token.token).digest('hex'),
            credentialId: active.id,
            channel: o.p.channel,
          });
        });
        if (rows.length) {
          await insertTokens(m, rows);
          await m.query(
            m.connection.options.type === 'postgres'
              ? 'UPDATE tsa_state SET next_serial = $1 WHERE id = 1'
              : 'UPDATE tsa_state SET next_serial = ? WHERE id = 1',
            [serial],
          );
        }
        return out.map((o, i) => ({ p: o.p, error: o.error, token: issued[i] }));
      });
      for (const r of done) {
        if (r.token)
          r.p.resolve({
            ...r.token,
            credentialId: active.id,
            signerCertificate: active.signer.certificate,
            signerChain: active.signer.chain,
          });
        else r.p.reject(r.error!);
      }
    } catch (e) {
      const err = new TsaIssuanceFailed(
        `time-stamp batch not recorded: ${e instanceof Error ? e.message : String(e)}`,
      );
      for (const p of batch) p.reject(err);
    }
  }

  /** The active signer; creates the first credential or rotates when the key usage period is over. */
  private async usableSigner(): Promise<ActiveSigner> {
    // The cached signer is checked against tsa_state inside every issuance transaction.
    const active = this.lastActive ?? (await this.credentials.active());
    if (!active) {
      const r = await this.rotate.execute({
        actor: 'system',
        reason: 'first credential',
        onlyIfMissing: true,
      });
      return this.credentials.signer(r.credentialId);
    }
    if (this.credentials.rotationDue(active, this.clock.now())) {
      const r = await this.rotate.execute({
        actor: 'system',
        reason: 'key usage period ended',
        ifActiveIs: active.id,
      });
      return this.credentials.signer(r.credentialId);
    }
    return active;
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

interface SqliteStatement {
  run(...params: unknown[]): unknown;
}
/** Prepared INSERT per better-sqlite3 connection (TypeORM would re-prepare it for every batch). */
const sqliteInserts = new WeakMap<object, SqliteStatement>();

/**
 * Inserts a batch of register rows inside the caller's transaction, with the driver's own value
 * conversion (dates per driver). Written by hand because the query builder's per-row work cost more
 * than the signature: PostgreSQL gets one multi-row INSERT; SQLite (one connection, so the
 * statement runs inside the same transaction) a cached prepared statement run per row.
 */
async function insertTokens(m: EntityManager, rows: TsaTokenEntity[]): Promise<void> {
  const meta = m.connection.getMetadata(TsaTokenEntity);
  const columns = TOKEN_COLUMNS.map((p) => meta.findColumnWithPropertyName(p)!);
  const names = columns.map((c) => `"${c.databaseName}"`).join(', ');
  const values = (row: TsaTokenEntity): unknown[] =>
    columns.map((c): unknown =>
      m.connection.driver.preparePersistentValue(row[c.propertyName as keyof TsaTokenEntity], c),
    );
  if (m.connection.options.type === 'better-sqlite3') {
    const db = (
      m.connection.driver as unknown as { databaseConnection: { prepare(sql: string): SqliteStatement } }
    ).databaseConnection;
    let insert = sqliteInserts.get(db);
    if (!insert) {
      insert = db.prepare(`INSERT INTO tsa_tokens (${names}) VALUES (${columns.map(() => '?').join(', ')})`);
      sqliteInserts.set(db, insert);
    }
    for (const row of rows) insert.run(...values(row));
    return;
  }
  const params: unknown[] = [];
  const tuples = rows.map((row) => {
    const v = values(row);
    const marks = v.map((x) => {
      params.push(x);
      return `$${params.length}`;
    });
    return `(${marks.join(', ')})`;
  });
  await m.query(`INSERT INTO tsa_tokens (${names}) VALUES ${tuples.join(', ')}`, params);
}
