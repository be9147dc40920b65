import { Inject, Injectable } from '@nestjs/common';
import { KeyObject } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { pkiTransaction } from './pki-transaction';
import { AppError } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { StaffRole } from '../identity/auth/principal';
import { AuditLog } from '../platform/audit/audit-log';
import { KeyVault } from '../platform/key-vault/key-vault';
import { CertificateAuthority } from './certificate-authority.service';
import { fromPem } from './domain/x509';
import { PkiErrorCode } from './pki.errors';
import { CertificateEntity, SigningIdentityEntity, SigningKeyEntity } from './pki.entities';

export interface UnlockedSigningKey {
  privateKey: KeyObject;
  /** DER of the signer's certificate. */
  certificate: Uint8Array;
  /** DER of the CA certificates above it, nearest first, up to the root. */
  chain: Uint8Array[];
  certificateId: string;
  serialNumber: string;
  subject: string;
}

/**
 * Opens a signer's private key with its PIN (EC-04, EC-05 step 4). Wrong PINs are counted per
 * key; after PIN_MAX_FAILURES consecutive failures the key is locked and the RA must revoke it
 * (NIST SP 800-63B §5.1.1.2). An attempt is *reserved* (counted) before the PIN is tried, so
 * parallel guesses can never exceed the limit; a correct PIN resets the count.
 * Every use is audited with its purpose; the PIN itself is never logged.
 */
@Injectable()
export class UnlockSigningKey {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly vault: KeyVault,
    private readonly ca: CertificateAuthority,
    private readonly audit: AuditLog,
  ) {}

  /** A subscriber's key: by certificate id, or the subscriber's current certificate. */
  async unlock(input: {
    certificateId?: string;
    subscriberId?: string;
    pin: string;
    actor: string;
    /** What the key is opened for, e.g. `{ contractId }` (audited). */
    purpose?: Record<string, string>;
  }): Promise<UnlockedSigningKey> {
    const repo = this.dataSource.getRepository(CertificateEntity);
    let cert: CertificateEntity | null = null;
    if (input.certificateId) {
      cert = await repo.findOneBy({ id: input.certificateId });
      if (cert && input.subscriberId && cert.subscriberId !== input.subscriberId) cert = null;
    } else if (input.subscriberId) {
      cert = await repo.findOneBy({ activeSlot: `subscriber:${input.subscriberId}` });
    }
    if (!cert || cert.kind !== 'subscriber') {
      throw AppError.notFound(
        PkiErrorCode.NO_ACTIVE_CERTIFICATE,
        '有効な電子証明書がありません。先に電子証明書を申請してください。',
      );
    }
    return this.open(cert, input.pin, input.actor, { ...(input.purpose ?? {}) });
  }

  /**
   * EC-06: `bank_signer` staff operate the branch manager's key as the manager's messenger (使者),
   * only with its PIN and only for the bank's signature on a contract. The audit entry records the
   * staff member who operated it.
   */
  async unlockBankSigningIdentity(input: {
    signingIdentityId: string;
    pin: string;
    operator: { id: string; roles: readonly string[] };
    contractId: string;
  }): Promise<UnlockedSigningKey> {
    if (!input.operator.roles.includes(StaffRole.BANK_SIGNER)) {
      throw AppError.forbidden(
        PkiErrorCode.NOT_A_BANK_SIGNER,
        '金庫側の署名は署名担当者（bank_signer）のみが行えます。',
      );
    }
    if (!input.contractId) {
      throw AppError.badRequest(
        PkiErrorCode.CONTRACT_REQUIRED,
        '金庫の署名鍵は契約書への署名にのみ使用できます。',
      );
    }
    const identity = await this.dataSource
      .getRepository(SigningIdentityEntity)
      .findOneBy({ id: input.signingIdentityId });
    if (!identity)
      throw AppError.notFound(PkiErrorCode.SIGNING_IDENTITY_NOT_FOUND, '署名名義が見つかりません。');
    if (identity.status !== 'active') {
      throw AppError.forbidden(PkiErrorCode.SIGNING_IDENTITY_REVOKED, 'この署名名義は失効しています。');
    }
    const cert = await this.dataSource
      .getRepository(CertificateEntity)
      .findOneBy({ activeSlot: `identity:${identity.id}` });
    if (!cert)
      throw AppError.notFound(
        PkiErrorCode.NO_ACTIVE_CERTIFICATE,
        'この署名名義に有効な電子証明書がありません。',
      );
    return this.open(cert, input.pin, `staff:${input.operator.id}`, {
      contractId: input.contractId,
      signingIdentityId: identity.id,
      onBehalfOf: identity.displayName,
    });
  }

  /** Checks validity, reserves an attempt, tries the PIN, then records success or failure. */
  async open(
    cert: CertificateEntity,
    pin: string,
    actor: string,
    purpose: Record<string, string>,
  ): Promise<UnlockedSigningKey> {
    const now = this.ca.now();
    if (cert.revokedAt)
      throw AppError.forbidden(PkiErrorCode.CERTIFICATE_REVOKED, 'この電子証明書は失効しています。');
    if (now.getTime() > cert.notAfter.getTime()) {
      throw AppError.forbidden(
        PkiErrorCode.CERTIFICATE_EXPIRED,
        'この電子証明書は有効期限が切れています。再度申請してください。',
      );
    }
    if (now.getTime() < cert.notBefore.getTime()) {
      throw AppError.forbidden(
        PkiErrorCode.CERTIFICATE_NOT_YET_VALID,
        'この電子証明書はまだ有効になっていません。',
      );
    }
    const max = this.config.PIN_MAX_FAILURES;
    // Reserve this attempt: it counts before the PIN is tried, and once attempts in flight plus
    // failures reach the limit no further attempt starts.
    const reserved = await pkiTransaction(this.dataSource, async (m) => {
      const key = await this.lockKey(m, cert.id);
      if (!key) return null;
      if (key.lockedAt || key.failedPinAttempts >= max) return { key, attempt: 0 };
      const attempt = key.failedPinAttempts + 1;
      await m
        .getRepository(SigningKeyEntity)
        .update({ certificateId: cert.id }, { failedPinAttempts: attempt });
      return { key, attempt };
    });
    if (!reserved) throw AppError.notFound(PkiErrorCode.NO_ACTIVE_CERTIFICATE, '署名鍵が見つかりません。');
    if (reserved.attempt === 0) throw this.lockedError();
    const { attempt } = reserved;

    const privateKey = await this.vault.unsealWithPin(reserved.key.sealedKey, pin, cert.id);
    if (!privateKey) {
      const lockNow = attempt >= max;
      await pkiTransaction(this.dataSource, async (m) => {
        const key = (await this.lockKey(m, cert.id))!;
        if (lockNow && !key.lockedAt) {
          await m.getRepository(SigningKeyEntity).update({ certificateId: cert.id }, { lockedAt: now });
        }
        await this.audit.append(
          {
            actor,
            action: 'pki.pin.failed',
            subject: `certificate:${cert.id}`,
            details: { serial: cert.serialHex, consecutiveFailures: attempt, ...purpose },
          },
          m,
        );
        if (lockNow && !key.lockedAt) {
          await this.audit.append(
            {
              actor,
              action: 'pki.key.locked',
              subject: `certificate:${cert.id}`,
              details: { serial: cert.serialHex, consecutiveFailures: attempt },
            },
            m,
          );
        }
      });
      if (lockNow) throw this.lockedError();
      throw AppError.forbidden(
        PkiErrorCode.PIN_INCORRECT,
        `暗証コードが正しくありません（あと${max - attempt}回誤るとロックされます）。`,
        { remainingAttempts: max - attempt },
      );
    }
    await pkiTransaction(this.dataSource, async (m) => {
      await m
        .getRepository(SigningKeyEntity)
        .update({ certificateId: cert.id }, { failedPinAttempts: 0, lastUsedAt: now });
      await this.audit.append(
        {
          actor,
          action: 'pki.key.unlocked',
          subject: `certificate:${cert.id}`,
          details: { serial: cert.serialHex, ...purpose },
        },
        m,
      );
    });
    const der = fromPem(cert.certificatePem);
    return {
      privateKey,
      certificate: der,
      chain: await this.ca.chainAbove(cert.issuerCa ?? 'issuing'),
      certificateId: cert.id,
      serialNumber: cert.serialHex,
      subject: cert.subject,
    };
  }

  private lockedError(): AppError {
    return new AppError(
      PkiErrorCode.PIN_LOCKED,
      423,
      `暗証コードを${this.config.PIN_MAX_FAILURES}回続けて誤ったため、署名鍵がロックされました。当金庫に証明書の失効をお申し出のうえ、再度申請してください。`,
    );
  }

  private lockKey(m: EntityManager, certificateId: string): Promise<SigningKeyEntity | null> {
    const repo = m.getRepository(SigningKeyEntity);
    if (m.connection.options.type === 'postgres') {
      return repo
        .createQueryBuilder('k')
        .setLock('pessimistic_write')
        .where('k.certificate_id = :id', { id: certificateId })
        .getOne();
    }
    return repo.findOneBy({ certificateId });
  }
}
