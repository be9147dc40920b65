import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { pkiTransaction } from './pki-transaction';
import { AppError } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { SubscriberDirectory } from '../identity/subscriber-directory.service';
import { AuditLog } from '../platform/audit/audit-log';
import { KeyVault } from '../platform/key-vault/key-vault';
import { CertificateAuthority } from './certificate-authority.service';
import { assertPinPolicy, PkiErrorCode } from './pki.errors';
import { CertificateEntity, SigningKeyEntity } from './pki.entities';
import { UnlockSigningKey } from './unlock-signing-key.usecase';

/**
 * Changes the PIN of the subscriber's current key (seed 000 §10): the old PIN is required (and a
 * wrong one counts toward the lock like any other attempt); the key is re-sealed under the new PIN.
 */
@Injectable()
export class ChangePin {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly subscribers: SubscriberDirectory,
    private readonly unlock: UnlockSigningKey,
    private readonly vault: KeyVault,
    private readonly ca: CertificateAuthority,
    private readonly audit: AuditLog,
  ) {}

  async execute(input: {
    subscriberId: string;
    currentPin: string;
    newPin: string;
    actor: string;
  }): Promise<void> {
    const subscriber = await this.subscribers.findById(input.subscriberId);
    if (!subscriber) throw AppError.notFound(PkiErrorCode.SUBSCRIBER_NOT_FOUND, '利用者が見つかりません。');
    assertPinPolicy(input.newPin, {
      minLength: this.config.PIN_MIN_LENGTH,
      birthDate: subscriber.birthDate,
    });
    if (input.newPin === input.currentPin) {
      throw AppError.badRequest(
        PkiErrorCode.PIN_UNCHANGED,
        '新しい暗証コードは現在の暗証コードと異なるものにしてください。',
      );
    }
    const opened = await this.unlock.unlock({
      subscriberId: subscriber.id,
      pin: input.currentPin,
      actor: input.actor,
      purpose: { operation: 'pin-change' },
    });
    const sealedKey = await this.vault.sealWithPin(
      opened.privateKey.export({ format: 'der', type: 'pkcs8' }),
      input.newPin,
      opened.certificateId,
    );
    await pkiTransaction(this.dataSource, async (m) => {
      const cert = await m.getRepository(CertificateEntity).findOneBy({ id: opened.certificateId });
      // Revoked between the unlock and now: do not re-seal a dead key.
      if (!cert || cert.revokedAt)
        throw AppError.forbidden(PkiErrorCode.CERTIFICATE_REVOKED, 'この電子証明書は失効しています。');
      await m
        .getRepository(SigningKeyEntity)
        .update(
          { certificateId: opened.certificateId },
          { sealedKey, pinChangedAt: this.ca.now(), failedPinAttempts: 0 },
        );
      await this.audit.append(
        {
          actor: input.actor,
          action: 'pki.pin.changed',
          subject: `certificate:${opened.certificateId}`,
          details: { serial: opened.serialNumber },
        },
        m,
      );
    });
  }
}
