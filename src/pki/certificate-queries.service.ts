import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { CertificateAuthority } from './certificate-authority.service';
import { CertificateView, toCertificateView } from './certificate-view';
import { CertificateEntity, SigningKeyEntity } from './pki.entities';

/** Read side for the subscriber's own page and the RA. */
@Injectable()
export class CertificateQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ca: CertificateAuthority,
  ) {}

  /** The current certificate (if any) and every certificate ever issued to the subscriber, newest first. */
  async forSubscriber(
    subscriberId: string,
  ): Promise<{ current: CertificateView | null; history: CertificateView[] }> {
    const certs = await this.dataSource
      .getRepository(CertificateEntity)
      .find({ where: { subscriberId, kind: 'subscriber' }, order: { issuedAt: 'DESC' } });
    const keys = certs.length
      ? await this.dataSource
          .getRepository(SigningKeyEntity)
          .findBy({ certificateId: In(certs.map((c) => c.id)) })
      : [];
    const now = this.ca.now();
    const history = certs.map((c) =>
      toCertificateView(
        c,
        now,
        keys.find((k) => k.certificateId === c.id),
      ),
    );
    const current = history.find((v, i) => certs[i].activeSlot !== null && v.status !== 'expired') ?? null;
    return { current, history };
  }
}
