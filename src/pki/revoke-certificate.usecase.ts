import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { pkiTransaction } from './pki-transaction';
import { AppError } from '../common/errors/app-error';
import { AuditLog } from '../platform/audit/audit-log';
import { CertificateAuthority } from './certificate-authority.service';
import { CertificateView, toCertificateView } from './certificate-view';
import {
  isRevocationReason,
  REVOCATION_CHANNELS,
  RevocationChannel,
  RevocationReason,
} from './domain/revocation-reason';
import { PkiErrorCode } from './pki.errors';
import { CertificateEntity, IssuerCa } from './pki.entities';

export interface RevocationReport {
  /** EC-11: how the holder reported (counter form, phone) or `system`. */
  channel: RevocationChannel;
  /** Who recorded it (`staff:<id>`, `system`, `cli`). */
  actor: string;
}

/**
 * Revokes certificates (EC-11, EC-12, EC-13). The row is kept for ever; only the revocation
 * columns are filled. The issuer's CRL is re-issued in the same transaction, and OCSP answers
 * from the same rows, so relying parties see the revocation as soon as it commits.
 *
 * Identity and RA call `revokeForSubscriber` when a subscriber is deleted (`cessationOfOperation`)
 * or their name/e-mail changes (`affiliationChanged` or `superseded`), passing their transaction.
 */
@Injectable()
export class RevokeCertificate {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ca: CertificateAuthority,
    private readonly audit: AuditLog,
  ) {}

  async revoke(
    input: { certificateId: string; reason: RevocationReason } & RevocationReport,
    manager?: EntityManager,
  ): Promise<CertificateView> {
    validate(input.reason, input.channel);
    return this.inTransaction(manager, async (m) => {
      const cert = await this.lock(m, input.certificateId);
      if (!cert) throw AppError.notFound(PkiErrorCode.CERTIFICATE_NOT_FOUND, '証明書が見つかりません。');
      if (cert.revokedAt) {
        throw AppError.conflict(PkiErrorCode.CERTIFICATE_REVOKED, 'この証明書は既に失効しています。', {
          revokedAt: cert.revokedAt.toISOString(),
        });
      }
      if (cert.issuerCa === null) {
        throw AppError.badRequest(PkiErrorCode.NOT_OUR_CERTIFICATE, 'ルート認証局の証明書は失効できません。');
      }
      await this.revokeRows(m, [cert], input.reason, input);
      return toCertificateView(cert, this.ca.now());
    });
  }

  /**
   * Revokes every unrevoked, unexpired signing certificate of the subscriber. Returns what was
   * revoked (empty when there was nothing to revoke: deleting a subscriber who never applied is fine).
   */
  async revokeForSubscriber(
    subscriberId: string,
    reason: RevocationReason,
    report: RevocationReport,
    manager?: EntityManager,
  ): Promise<CertificateView[]> {
    validate(reason, report.channel);
    return this.inTransaction(manager, async (m) => {
      const now = this.ca.now();
      const candidates = await m
        .getRepository(CertificateEntity)
        .findBy({ subscriberId, kind: 'subscriber', revokedAt: IsNull() });
      const live = [];
      for (const c of candidates) {
        if (c.notAfter.getTime() < now.getTime()) continue;
        const locked = await this.lock(m, c.id);
        if (locked && !locked.revokedAt) live.push(locked);
      }
      await this.revokeRows(m, live, reason, report);
      return live.map((c) => toCertificateView(c, now));
    });
  }

  /** Marks rows revoked, frees the holder's slot, audits, and re-issues each affected CRL. */
  async revokeRows(
    m: EntityManager,
    certs: CertificateEntity[],
    reason: RevocationReason,
    report: RevocationReport,
  ): Promise<void> {
    if (certs.length === 0) return;
    const now = this.ca.now();
    const cas = new Set<IssuerCa>();
    for (const cert of certs) {
      Object.assign(cert, {
        revokedAt: now,
        revocationReason: reason,
        revocationChannel: report.channel,
        revokedBy: report.actor,
        activeSlot: null,
      });
      await m.getRepository(CertificateEntity).update(
        { id: cert.id },
        {
          revokedAt: now,
          revocationReason: reason,
          revocationChannel: report.channel,
          revokedBy: report.actor,
          activeSlot: null,
        },
      );
      await this.audit.append(
        {
          actor: report.actor,
          action: 'pki.certificate.revoked',
          subject: `certificate:${cert.id}`,
          details: {
            serial: cert.serialHex,
            kind: cert.kind,
            reason,
            channel: report.channel,
            subscriberId: cert.subscriberId,
            signingIdentityId: cert.signingIdentityId,
          },
        },
        m,
      );
      if (cert.issuerCa) cas.add(cert.issuerCa);
    }
    for (const ca of cas) await this.ca.issueCrl(ca, m);
  }

  private async lock(m: EntityManager, id: string): Promise<CertificateEntity | null> {
    const repo = m.getRepository(CertificateEntity);
    if (m.connection.options.type === 'postgres') {
      return repo.createQueryBuilder('c').setLock('pessimistic_write').where('c.id = :id', { id }).getOne();
    }
    return repo.findOneBy({ id });
  }

  private inTransaction<T>(
    manager: EntityManager | undefined,
    fn: (m: EntityManager) => Promise<T>,
  ): Promise<T> {
    return manager ? fn(manager) : pkiTransaction(this.dataSource, fn);
  }
}

function validate(reason: unknown, channel: unknown): void {
  if (!isRevocationReason(reason)) {
    throw AppError.badRequest(
      PkiErrorCode.INVALID_REVOCATION_REASON,
      `失効理由が不正です: ${String(reason)}`,
    );
  }
  if (!REVOCATION_CHANNELS.includes(channel as RevocationChannel)) {
    throw AppError.badRequest(
      PkiErrorCode.INVALID_REVOCATION_CHANNEL,
      `届出の方法が不正です: ${String(channel)}`,
    );
  }
}
