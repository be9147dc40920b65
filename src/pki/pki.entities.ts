import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { BigIntColumn, InstantColumn } from '../database/columns';

export type CertificateKind =
  'root-ca' | 'issuing-ca' | 'ocsp-responder' | 'tsa' | 'subscriber' | 'bank-signer';
/** Which of our CAs signed a certificate (`null` for the self-signed root). */
export type IssuerCa = 'root' | 'issuing';

/**
 * Every certificate the CA has issued, never deleted (EC-13): revocation only fills the
 * revocation columns. No secret is stored here; signer keys live in pki_signing_keys, sealed.
 */
@Entity('pki_certificates')
export class CertificateEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Lower-case hex without leading zero bytes. 128 random bits, unique across our CAs. */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64, name: 'serial_hex' })
  serialHex!: string;

  @Column({ type: 'varchar', length: 20 })
  kind!: CertificateKind;

  @Column({ type: 'varchar', length: 20, name: 'issuer_ca', nullable: true })
  issuerCa!: IssuerCa | null;

  @Column({ type: 'varchar', length: 500 })
  subject!: string;

  @Column({ type: 'varchar', length: 36, name: 'subscriber_id', nullable: true })
  subscriberId!: string | null;

  @Column({ type: 'varchar', length: 36, name: 'signing_identity_id', nullable: true })
  signingIdentityId!: string | null;

  /**
   * `subscriber:<id>` / `identity:<id>` while this is the holder's current certificate, else null.
   * Unique: two concurrent applications cannot both get an active certificate.
   */
  @Column({ type: 'varchar', length: 80, name: 'active_slot', nullable: true })
  activeSlot!: string | null;

  /** Name and e-mail the certificate was issued for: a later change of either allows re-issuance. */
  @Column({ type: 'varchar', length: 200, name: 'holder_name', nullable: true })
  holderName!: string | null;

  @Column({ type: 'varchar', length: 254, name: 'holder_email', nullable: true })
  holderEmail!: string | null;

  @Column({ type: 'varchar', length: 20, name: 'key_type', nullable: true })
  keyType!: string | null;

  @InstantColumn({ name: 'not_before' })
  notBefore!: Date;

  @InstantColumn({ name: 'not_after' })
  notAfter!: Date;

  @Column({ type: 'text', name: 'certificate_pem' })
  certificatePem!: string;

  @Column({ type: 'varchar', length: 64, name: 'sha256' })
  sha256!: string;

  @Column({ type: 'varchar', length: 100, name: 'issued_by' })
  issuedBy!: string;

  @InstantColumn({ name: 'issued_at' })
  issuedAt!: Date;

  @InstantColumn({ name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'varchar', length: 30, name: 'revocation_reason', nullable: true })
  revocationReason!: string | null;

  @Column({ type: 'varchar', length: 20, name: 'revocation_channel', nullable: true })
  revocationChannel!: string | null;

  @Column({ type: 'varchar', length: 100, name: 'revoked_by', nullable: true })
  revokedBy!: string | null;
}

/** The PIN-sealed private key of a subscriber or bank-signer certificate, and its PIN counters. */
@Entity('pki_signing_keys')
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, name: 'certificate_id' })
  certificateId!: string;

  /** KeyVault `kv1$pin$…` text: AES-256-GCM under Argon2id(PIN, salt, pepper). */
  @Column({ type: 'text', name: 'sealed_key' })
  sealedKey!: string;

  /** Consecutive wrong PINs (reset by a correct one). Reserved before each attempt. */
  @Column({ type: 'integer', name: 'failed_pin_attempts', default: 0 })
  failedPinAttempts!: number;

  @InstantColumn({ name: 'locked_at', nullable: true })
  lockedAt!: Date | null;

  /** EC-04: setting the PIN is the holder's acknowledgement of receipt (who, when). */
  @InstantColumn({ name: 'pin_set_at' })
  pinSetAt!: Date;

  @Column({ type: 'varchar', length: 100, name: 'pin_set_by' })
  pinSetBy!: string;

  @InstantColumn({ name: 'pin_changed_at', nullable: true })
  pinChangedAt!: Date | null;

  @InstantColumn({ name: 'last_used_at', nullable: true })
  lastUsedAt!: Date | null;
}

/** Every CRL issued (append-only): relying parties and auditors can fetch any earlier one. */
@Entity('pki_crls')
@Index(['issuerCa', 'crlNumber'], { unique: true })
export class CrlEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 20, name: 'issuer_ca' })
  issuerCa!: IssuerCa;

  @BigIntColumn({ name: 'crl_number' })
  crlNumber!: number;

  @InstantColumn({ name: 'this_update' })
  thisUpdate!: Date;

  @InstantColumn({ name: 'next_update' })
  nextUpdate!: Date;

  @Column({ type: 'integer', name: 'revoked_count' })
  revokedCount!: number;

  @Column({ type: 'text', name: 'der_base64' })
  derBase64!: string;
}

/** One row per CA: the last CRL number, locked while a CRL is issued so numbers never repeat. */
@Entity('pki_crl_counters')
export class CrlCounterEntity {
  @PrimaryColumn({ type: 'varchar', length: 20, name: 'issuer_ca' })
  issuerCa!: IssuerCa;

  @BigIntColumn({ name: 'last_number' })
  lastNumber!: number;
}

export type SigningIdentityStatus = 'active' | 'revoked';

/**
 * A branch manager's signing identity (EC-06): the certificate reads as the manager, the key is
 * held by the service and operated by `bank_signer` staff as the manager's messenger (使者).
 */
@Entity('pki_signing_identities')
export class SigningIdentityEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100, name: 'branch_name' })
  branchName!: string;

  @Column({ type: 'varchar', length: 50 })
  title!: string;

  @Column({ type: 'varchar', length: 100, name: 'person_name' })
  personName!: string;

  /** The certificate's CN, e.g. `本店営業部 支店長 山田一郎`. */
  @Column({ type: 'varchar', length: 200, name: 'display_name' })
  displayName!: string;

  @Column({ type: 'varchar', length: 20 })
  status!: SigningIdentityStatus;

  @Column({ type: 'varchar', length: 100, name: 'created_by' })
  createdBy!: string;

  @InstantColumn({ name: 'created_at' })
  createdAt!: Date;

  @InstantColumn({ name: 'revoked_at', nullable: true })
  revokedAt!: Date | null;
}

export const PKI_ENTITIES = [
  CertificateEntity,
  SigningKeyEntity,
  CrlEntity,
  CrlCounterEntity,
  SigningIdentityEntity,
];
