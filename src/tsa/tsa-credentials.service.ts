import { Inject, Injectable } from '@nestjs/common';
import * as path from 'node:path';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { KeyVault } from '../platform/key-vault/key-vault';
import { writeFileAtomic } from '../platform/fs.util';
import { pemToDerList } from './domain/tsa-key';
import { TstSigner } from './domain/tst-signer';
import { TsaCredentialEntity, TsaStateEntity } from './tsa.entities';

const DAY_MS = 86_400_000;

/** A loaded, ready-to-sign credential. */
export interface ActiveSigner {
  id: string;
  signer: TstSigner;
  entity: TsaCredentialEntity;
}

/**
 * Reads the TSA state row, locking it on PostgreSQL (SELECT … FOR UPDATE; SQLite serialises writers
 * by itself). Plain SQL rather than the query builder: this runs on the issuance path, and the
 * builder's per-call work cost about as much as the rest of a one-token batch.
 */
export function lockTsaState(m: EntityManager): Promise<TsaStateEntity> {
  return selectTsaState(m, m.connection.options.type === 'postgres' ? ' FOR UPDATE' : '');
}

async function selectTsaState(m: EntityManager, lock: string): Promise<TsaStateEntity> {
  const rows: { next_serial: number | string; active_credential_id: string | null }[] = await m.query(
    `SELECT next_serial, active_credential_id FROM tsa_state WHERE id = 1${lock}`,
  );
  if (!rows.length) throw new Error('tsa_state row missing: migration 1763800003000 not applied');
  // bigint arrives as a string from PostgreSQL (as BigIntColumn's transformer reads it).
  const nextSerial = Number(rows[0].next_serial);
  if (!Number.isSafeInteger(nextSerial)) throw new RangeError(`tsa_state.next_serial ${nextSerial}`);
  return { id: 1, nextSerial, activeCredentialId: rows[0].active_credential_id };
}

/**
 * The TSA's signing credentials: loads the sealed key through the KeyVault once per credential and
 * keeps the precomputed signer in memory. Which credential is active is read from tsa_state, so
 * every instance of the service follows a rotation made by any other.
 */
@Injectable()
export class TsaCredentials {
  private readonly signers = new Map<string, Promise<ActiveSigner>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: KeyVault,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async activeId(m: EntityManager = this.dataSource.manager): Promise<string | null> {
    const s = await m.getRepository(TsaStateEntity).findOneBy({ id: 1 });
    return s?.activeCredentialId ?? null;
  }

  /** The active signer, or undefined before the first credential exists. */
  async active(): Promise<ActiveSigner | undefined> {
    const id = await this.activeId();
    return id ? this.signer(id) : undefined;
  }

  signer(id: string): Promise<ActiveSigner> {
    let s = this.signers.get(id);
    if (!s) {
      s = this.load(id);
      this.signers.set(id, s);
      s.catch(() => this.signers.delete(id));
    }
    return s;
  }

  /** Rotation is due when the key usage period has passed or the certificate nears its end. */
  rotationDue(active: ActiveSigner, now: Date): boolean {
    const usageEnds = active.entity.notBefore.getTime() + this.config.TSA_KEY_USAGE_DAYS * DAY_MS;
    return now.getTime() >= Math.min(usageEnds, active.entity.notAfter.getTime() - DAY_MS);
  }

  /** Publishes the active TSA certificate and its chain as CERTS_DIR/tsa.pem (public data). */
  async publish(entity: TsaCredentialEntity): Promise<void> {
    await writeFileAtomic(
      path.join(this.config.certsDir, 'tsa.pem'),
      entity.certificatePem + entity.chainPem,
    );
  }

  private async load(id: string): Promise<ActiveSigner> {
    const entity = await this.dataSource.getRepository(TsaCredentialEntity).findOneByOrFail({ id });
    const privateKey = await this.vault.unseal(entity.sealedKey, id);
    const [certificate] = pemToDerList(entity.certificatePem);
    const signer = new TstSigner(
      { privateKey, certificate, chain: pemToDerList(entity.chainPem) },
      { policy: this.config.TSA_POLICY_OID, accuracySeconds: this.config.TSA_ACCURACY_SECONDS },
    );
    return { id, signer, entity };
  }
}
