import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource, In } from 'typeorm';
import { pkiTransaction } from './pki-transaction';
import { AppError } from '../common/errors/app-error';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AuditLog } from '../platform/audit/audit-log';
import { CertificateAuthority } from './certificate-authority.service';
import { CertificateView, toCertificateView } from './certificate-view';
import { RevocationReason } from './domain/revocation-reason';
import { assertPinPolicy, PkiErrorCode } from './pki.errors';
import { CertificateEntity, SigningIdentityEntity, SigningKeyEntity } from './pki.entities';
import { RevokeCertificate } from './revoke-certificate.usecase';
import { SignerIssuance } from './signer-issuance.service';

export interface SigningIdentityView {
  id: string;
  displayName: string;
  branchName: string;
  title: string;
  personName: string;
  status: string;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  certificate: CertificateView | null;
}

/**
 * EC-06: the bank's signing identities. A certificate in the branch manager's name
 * (`CN=本店営業部 支店長 山田一郎`, `O=<bank>`), key held by the service under a PIN that the
 * head-office signers know; created, listed and revoked by an administrator.
 */
@Injectable()
export class CreateSigningIdentity {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly issuance: SignerIssuance,
    private readonly ca: CertificateAuthority,
    private readonly audit: AuditLog,
  ) {}

  async execute(input: {
    branchName: string;
    title: string;
    personName: string;
    pin: string;
    actor: string;
  }): Promise<SigningIdentityView> {
    assertPinPolicy(input.pin, { minLength: this.config.PIN_MIN_LENGTH });
    const now = this.ca.now();
    const identity: SigningIdentityEntity = {
      id: randomUUID(),
      branchName: input.branchName.trim(),
      title: input.title.trim(),
      personName: input.personName.trim(),
      displayName: `${input.branchName.trim()} ${input.title.trim()} ${input.personName.trim()}`,
      status: 'active',
      createdBy: input.actor,
      createdAt: now,
      revokedAt: null,
    };
    const prepared = await this.issuance.prepare({
      id: randomUUID(),
      kind: 'bank-signer',
      subject: {
        country: 'JP',
        organization: this.config.BANK_NAME,
        commonName: identity.displayName,
        serialNumber: `BNK-${identity.id}`,
      },
      pin: input.pin,
      actor: input.actor,
      holder: { signingIdentityId: identity.id, name: identity.displayName, email: null },
    });
    await pkiTransaction(this.dataSource, async (m) => {
      await m.getRepository(SigningIdentityEntity).insert(identity);
      await this.issuance.insert(m, prepared);
      await this.audit.append(
        {
          actor: input.actor,
          action: 'pki.signing-identity.created',
          subject: `signing-identity:${identity.id}`,
          details: { displayName: identity.displayName, certificateSerial: prepared.certificate.serialHex },
        },
        m,
      );
      await this.audit.append(
        {
          actor: input.actor,
          action: 'pki.certificate.issued',
          subject: `certificate:${prepared.certificate.id}`,
          details: {
            kind: 'bank-signer',
            serial: prepared.certificate.serialHex,
            subjectDn: prepared.certificate.subject,
            signingIdentityId: identity.id,
            notAfter: prepared.certificate.notAfter.toISOString(),
          },
        },
        m,
      );
    });
    return toIdentityView(identity, prepared.certificate, prepared.key, now);
  }
}

@Injectable()
export class RevokeSigningIdentity {
  constructor(
    private readonly dataSource: DataSource,
    private readonly revocation: RevokeCertificate,
    private readonly ca: CertificateAuthority,
    private readonly audit: AuditLog,
  ) {}

  async execute(input: {
    signingIdentityId: string;
    reason: RevocationReason;
    actor: string;
  }): Promise<SigningIdentityView> {
    return pkiTransaction(this.dataSource, async (m) => {
      const identity = await m
        .getRepository(SigningIdentityEntity)
        .findOneBy({ id: input.signingIdentityId });
      if (!identity)
        throw AppError.notFound(PkiErrorCode.SIGNING_IDENTITY_NOT_FOUND, '署名名義が見つかりません。');
      if (identity.status === 'revoked') {
        throw AppError.conflict(PkiErrorCode.SIGNING_IDENTITY_REVOKED, 'この署名名義は既に失効しています。');
      }
      const now = this.ca.now();
      const certs = await m
        .getRepository(CertificateEntity)
        .findBy({ signingIdentityId: identity.id, kind: 'bank-signer' });
      const live = certs.filter((c) => !c.revokedAt);
      await this.revocation.revokeRows(m, live, input.reason, { channel: 'system', actor: input.actor });
      await m
        .getRepository(SigningIdentityEntity)
        .update({ id: identity.id }, { status: 'revoked', revokedAt: now });
      Object.assign(identity, { status: 'revoked', revokedAt: now });
      await this.audit.append(
        {
          actor: input.actor,
          action: 'pki.signing-identity.revoked',
          subject: `signing-identity:${identity.id}`,
          details: { displayName: identity.displayName, reason: input.reason },
        },
        m,
      );
      const latest = certs.sort((a, b) => b.issuedAt.getTime() - a.issuedAt.getTime())[0] ?? null;
      return toIdentityView(identity, latest, null, now);
    });
  }
}

/** Read side: lists for the admin page and for the contract module's choice of bank identity. */
@Injectable()
export class SigningIdentityQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly ca: CertificateAuthority,
  ) {}

  async list(filter: { status?: 'active' | 'revoked' } = {}): Promise<SigningIdentityView[]> {
    const identities = await this.dataSource
      .getRepository(SigningIdentityEntity)
      .find({ where: filter.status ? { status: filter.status } : {}, order: { createdAt: 'DESC' } });
    if (identities.length === 0) return [];
    const certs = await this.dataSource
      .getRepository(CertificateEntity)
      .find({ where: { signingIdentityId: In(identities.map((i) => i.id)) }, order: { issuedAt: 'DESC' } });
    const keys = certs.length
      ? await this.dataSource
          .getRepository(SigningKeyEntity)
          .findBy({ certificateId: In(certs.map((c) => c.id)) })
      : [];
    const now = this.ca.now();
    return identities.map((i) => {
      const cert = certs.find((c) => c.signingIdentityId === i.id) ?? null;
      return toIdentityView(i, cert, keys.find((k) => k.certificateId === cert?.id) ?? null, now);
    });
  }

  async get(id: string): Promise<SigningIdentityView> {
    const found = (await this.list()).find((i) => i.id === id);
    if (!found)
      throw AppError.notFound(PkiErrorCode.SIGNING_IDENTITY_NOT_FOUND, '署名名義が見つかりません。');
    return found;
  }
}

function toIdentityView(
  i: SigningIdentityEntity,
  cert: CertificateEntity | null,
  key: SigningKeyEntity | null,
  now: Date,
): SigningIdentityView {
  return {
    id: i.id,
    displayName: i.displayName,
    branchName: i.branchName,
    title: i.title,
    personName: i.personName,
    status: i.status,
    createdAt: i.createdAt.toISOString(),
    createdBy: i.createdBy,
    revokedAt: i.revokedAt?.toISOString() ?? null,
    certificate: cert ? toCertificateView(cert, now, key) : null,
  };
}
