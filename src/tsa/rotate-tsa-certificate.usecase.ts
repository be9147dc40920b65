import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { KeyVault } from '../platform/key-vault/key-vault';
import { derToPem, generateTsaKey } from './domain/tsa-key';
import { parseCertificateParts } from './domain/tst-signer';
import { ActiveSigner, TsaCredentials, lockTsaState } from './tsa-credentials.service';
import { TsaCertificateIssuer } from './tsa-certificate-issuer';
import { TsaCredentialEntity } from './tsa.entities';

const DAY_MS = 86_400_000;

export interface RotateTsaCertificateCommand {
  actor: string;
  reason: string;
  /** Only create a credential when none is active (first start); otherwise a no-op. */
  onlyIfMissing?: boolean;
  /** Automatic rotation: only rotate if this credential is still the active one. */
  ifActiveIs?: string;
}

export interface RotationResult {
  rotated: boolean;
  credentialId: string;
  previousCredentialId: string | null;
  certificateSerial: string;
  notBefore: Date;
  notAfter: Date;
}

/**
 * RotateTsaCertificate: a new key and a new certificate for the own TSA. The key is generated and
 * certified outside the transaction (the CA has its own), sealed by the KeyVault, then activated in
 * one transaction with the audit entry; the old credential is only marked retired, so tokens it
 * signed stay verifiable (they carry their certificate; the row keeps it for the auditor).
 * Concurrent callers in this process share one rotation.
 */
@Injectable()
export class RotateTsaCertificate {
  private readonly logger = new Logger('TSA');
  private running?: Promise<RotationResult>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly vault: KeyVault,
    private readonly issuer: TsaCertificateIssuer,
    private readonly credentials: TsaCredentials,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private readonly listeners: ((credentialId: string) => void)[] = [];

  /** Called after a rotation made by this instance has committed (issuance drops its cached signer). */
  onRotated(listener: (credentialId: string) => void): void {
    this.listeners.push(listener);
  }

  execute(cmd: RotateTsaCertificateCommand): Promise<RotationResult> {
    if (!this.running) {
      this.running = this.run(cmd).finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  private async run(cmd: RotateTsaCertificateCommand): Promise<RotationResult> {
    if (cmd.onlyIfMissing) {
      const active = await this.credentials.active();
      if (active) return this.unchanged(active);
    }
    const id = randomUUID();
    const now = this.clock.now();
    const key = await generateTsaKey(this.config.TSA_KEY_TYPE);
    const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const issued = await this.issuer.issueTsaCertificate({
      commonName: `${this.config.BANK_NAME} タイムスタンプ局 ${notBefore.toISOString().slice(0, 10)}`,
      publicKeySpki: key.spkiDer,
      notBefore,
      notAfter: new Date(notBefore.getTime() + this.config.TSA_CERT_VALIDITY_DAYS * DAY_MS),
    });
    const parts = parseCertificateParts(issued.certificate);
    const entity: TsaCredentialEntity = {
      id,
      keyType: this.config.TSA_KEY_TYPE,
      sealedKey: await this.vault.seal(key.pkcs8Der, id),
      certificatePem: derToPem(issued.certificate),
      chainPem: issued.chain.map(derToPem).join(''),
      certificateSerial: serialHex(parts.serial),
      notBefore: parts.notBefore,
      notAfter: parts.notAfter,
      createdAt: now,
      retiredAt: null,
    };

    const outcome = await this.dataSource.transaction(async (m) => {
      const state = await lockTsaState(m);
      // Another instance created the first credential, or already rotated the one we judged due.
      if (
        (cmd.onlyIfMissing && state.activeCredentialId) ||
        (cmd.ifActiveIs && state.activeCredentialId !== cmd.ifActiveIs)
      )
        return { previous: state.activeCredentialId, skipped: true };
      const previous = state.activeCredentialId;
      await m.getRepository(TsaCredentialEntity).insert(entity);
      if (previous) await m.getRepository(TsaCredentialEntity).update({ id: previous }, { retiredAt: now });
      await m.query(
        m.connection.options.type === 'postgres'
          ? 'UPDATE tsa_state SET active_credential_id = $1 WHERE id = 1'
          : 'UPDATE tsa_state SET active_credential_id = ? WHERE id = 1',
        [id],
      );
      await this.audit.append(
        {
          actor: cmd.actor,
          action: previous ? 'tsa.certificate.rotated' : 'tsa.certificate.created',
          subject: `tsa-credential:${id}`,
          details: {
            reason: cmd.reason,
            previousCredentialId: previous,
            keyType: entity.keyType,
            certificateSerial: entity.certificateSerial,
            notBefore: entity.notBefore.toISOString(),
            notAfter: entity.notAfter.toISOString(),
          },
        },
        m,
      );
      return { previous, skipped: false };
    });
    if (outcome.skipped) return this.unchanged(await this.credentials.signer(outcome.previous!));
    for (const listener of this.listeners) listener(id);
    await this.credentials.publish(entity);
    this.logger.log(`TSA credential ${id} active (certificate ${entity.certificateSerial}, ${cmd.reason})`);
    return {
      rotated: true,
      credentialId: id,
      previousCredentialId: outcome.previous,
      certificateSerial: entity.certificateSerial,
      notBefore: entity.notBefore,
      notAfter: entity.notAfter,
    };
  }

  private unchanged(active: ActiveSigner): RotationResult {
    return {
      rotated: false,
      credentialId: active.id,
      previousCredentialId: null,
      certificateSerial: active.entity.certificateSerial,
      notBefore: active.entity.notBefore,
      notAfter: active.entity.notAfter,
    };
  }
}

function serialHex(serialTlv: Buffer): string {
  // Skip tag and (short) length of the INTEGER; serials are at most 20 octets (RFC 5280 §4.1.2.2).
  return serialTlv.subarray(2).toString('hex');
}
