import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { pkiTransaction } from './pki-transaction';
import { AppError } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { SubscriberDirectory } from '../identity/subscriber-directory.service';
import { AuditLog } from '../platform/audit/audit-log';
import { CertificateAuthority } from './certificate-authority.service';
import { CertificateView, toCertificateView } from './certificate-view';
import { assertPinPolicy, PkiErrorCode } from './pki.errors';
import { CertificateEntity } from './pki.entities';
import { RevokeCertificate } from './revoke-certificate.usecase';
import { isUniqueViolation, SignerIssuance } from './signer-issuance.service';

/**
 * EC-03/EC-04: a logged-in subscriber whose registration is active applies for a signing
 * certificate and sets the PIN in the same step. The service generates the key pair, the CA
 * issues the certificate, and the key is stored sealed under the PIN; setting the PIN is
 * recorded as the acknowledgement of receipt (seed 000 §9(5)).
 *
 * One active certificate per subscriber. Applying again while one is active is a conflict, unless
 * the registration's name or e-mail changed since (EC-12): then the new certificate supersedes the
 * old one, which is revoked as `superseded` in the same transaction.
 */
@Injectable()
export class IssueSubscriberCertificate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly subscribers: SubscriberDirectory,
    private readonly ca: CertificateAuthority,
    private readonly issuance: SignerIssuance,
    private readonly revocation: RevokeCertificate,
    private readonly audit: AuditLog,
  ) {}

  async execute(input: {
    subscriberId: string;
    pin: string;
    pinConfirmation?: string;
    actor: string;
  }): Promise<CertificateView> {
    const subscriber = await this.subscribers.findById(input.subscriberId);
    if (!subscriber) throw AppError.notFound(PkiErrorCode.SUBSCRIBER_NOT_FOUND, '利用者が見つかりません。');
    if (subscriber.status !== 'active') {
      throw AppError.forbidden(
        PkiErrorCode.SUBSCRIBER_NOT_ACTIVE,
        '登録が有効ではないため、電子証明書を申請できません。当金庫にお問い合わせください。',
        { status: subscriber.status },
      );
    }
    if (input.pinConfirmation !== undefined && input.pinConfirmation !== input.pin) {
      throw AppError.badRequest(PkiErrorCode.PIN_MISMATCH, '確認用の暗証コードが一致しません。', {
        fields: [{ field: 'pinConfirmation', problems: ['mismatch'] }],
      });
    }
    assertPinPolicy(input.pin, {
      minLength: this.config.PIN_MIN_LENGTH,
      birthDate: subscriber.birthDate,
    });
    // Refuse early (before the costly key generation) when nothing changed since the last issuance.
    this.refuseIfCurrent(await this.activeOf(this.dataSource.manager, subscriber.id), subscriber);

    const id = randomUUID();
    const prepared = await this.issuance.prepare({
      id,
      kind: 'subscriber',
      subject: {
        country: 'JP',
        organization: subscriber.kind === 'corporate' ? (subscriber.corporationName ?? undefined) : undefined,
        commonName: subscriber.name,
        serialNumber: `SUB-${subscriber.id}`,
      },
      email: subscriber.email,
      pin: input.pin,
      actor: input.actor,
      holder: { subscriberId: subscriber.id, name: subscriber.name, email: subscriber.email },
    });

    try {
      await pkiTransaction(this.dataSource, async (m) => {
        const previous = await this.activeOf(m, subscriber.id, true);
        if (previous) {
          const now = this.ca.now();
          if (previous.notAfter.getTime() < now.getTime() || previous.revokedAt) {
            // Expired: it simply stops being the current one (nothing to revoke).
            await m.getRepository(CertificateEntity).update({ id: previous.id }, { activeSlot: null });
          } else {
            this.refuseIfCurrent(previous, subscriber);
            await this.revocation.revokeRows(m, [previous], 'superseded', {
              channel: 'online',
              actor: input.actor,
            });
          }
        }
        await this.issuance.insert(m, prepared);
        const c = prepared.certificate;
        await this.audit.append(
          {
            actor: input.actor,
            action: 'pki.certificate.issued',
            subject: `certificate:${c.id}`,
            details: {
              kind: c.kind,
              serial: c.serialHex,
              subjectDn: c.subject,
              subscriberId: subscriber.id,
              keyType: c.keyType,
              notAfter: c.notAfter.toISOString(),
              supersedes: previous?.serialHex ?? null,
            },
          },
          m,
        );
        // EC-04: the PIN set at issuance is the holder's acknowledgement of receipt.
        await this.audit.append(
          {
            actor: input.actor,
            action: 'pki.pin.set',
            subject: `certificate:${c.id}`,
            details: {
              serial: c.serialHex,
              receiptAcknowledged: true,
              at: prepared.key.pinSetAt.toISOString(),
            },
          },
          m,
        );
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw this.conflict();
      throw e;
    }
    return toCertificateView(prepared.certificate, this.ca.now(), prepared.key);
  }

  private refuseIfCurrent(
    active: CertificateEntity | null,
    subscriber: { name: string; email: string },
  ): void {
    if (!active || active.revokedAt || active.notAfter.getTime() < this.ca.now().getTime()) return;
    if (active.holderName === subscriber.name && active.holderEmail === subscriber.email)
      throw this.conflict();
  }

  private conflict(): AppError {
    return AppError.conflict(
      PkiErrorCode.ACTIVE_CERTIFICATE_EXISTS,
      '有効な電子証明書が既に発行されています。再発行が必要な場合は、当金庫に失効をお申し出ください。',
    );
  }

  private activeOf(m: EntityManager, subscriberId: string, lock = false): Promise<CertificateEntity | null> {
    const repo = m.getRepository(CertificateEntity);
    const slot = `subscriber:${subscriberId}`;
    if (lock && m.connection.options.type === 'postgres') {
      return repo
        .createQueryBuilder('c')
        .setLock('pessimistic_write')
        .where('c.active_slot = :slot', { slot })
        .getOne();
    }
    return repo.findOneBy({ activeSlot: slot });
  }
}
