import { CertificateEntity, SigningKeyEntity } from './pki.entities';

export type CertificateStatus = 'active' | 'revoked' | 'expired' | 'locked';

/** What the API shows about a certificate (never the key). */
export interface CertificateView {
  id: string;
  kind: string;
  serialNumber: string;
  subject: string;
  status: CertificateStatus;
  notBefore: string;
  notAfter: string;
  issuedAt: string;
  revokedAt: string | null;
  revocationReason: string | null;
  revocationChannel: string | null;
  keyType: string | null;
  pinSetAt: string | null;
  failedPinAttempts: number | null;
  locked: boolean;
  certificatePem: string;
}

export function certificateStatus(
  c: CertificateEntity,
  now: Date,
  key?: SigningKeyEntity | null,
): CertificateStatus {
  if (c.revokedAt && c.revokedAt.getTime() <= now.getTime()) return 'revoked';
  if (c.notAfter.getTime() < now.getTime()) return 'expired';
  if (key?.lockedAt) return 'locked';
  return 'active';
}

export function toCertificateView(
  c: CertificateEntity,
  now: Date,
  key?: SigningKeyEntity | null,
): CertificateView {
  return {
    id: c.id,
    kind: c.kind,
    serialNumber: c.serialHex,
    subject: c.subject,
    status: certificateStatus(c, now, key),
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    issuedAt: c.issuedAt.toISOString(),
    revokedAt: c.revokedAt?.toISOString() ?? null,
    revocationReason: c.revocationReason,
    revocationChannel: c.revocationChannel,
    keyType: c.keyType,
    pinSetAt: key?.pinSetAt.toISOString() ?? null,
    failedPinAttempts: key ? key.failedPinAttempts : null,
    locked: Boolean(key?.lockedAt),
    certificatePem: c.certificatePem,
  };
}
