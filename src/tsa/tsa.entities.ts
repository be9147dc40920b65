import { Column, Entity, PrimaryColumn } from 'typeorm';
import { BigIntColumn, InstantColumn } from '../database/columns';

/**
 * One TSA signing credential: the key (sealed by the KeyVault, never stored in clear), its
 * certificate and chain. Rows are never deleted: a retired credential stays so that tokens it
 * signed can be traced to it for as long as the archive keeps them.
 */
@Entity('tsa_credentials')
export class TsaCredentialEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'key_type', type: 'varchar', length: 20 })
  keyType!: string;

  /** KeyVault-sealed PKCS#8 (context: the row id). */
  @Column({ name: 'sealed_key', type: 'text' })
  sealedKey!: string;

  @Column({ name: 'certificate_pem', type: 'text' })
  certificatePem!: string;

  /** Issuing chain, nearest first, as concatenated PEM. */
  @Column({ name: 'chain_pem', type: 'text' })
  chainPem!: string;

  /** Certificate serial number in hex, to find the credential of a token. */
  @Column({ name: 'certificate_serial', type: 'varchar', length: 80 })
  certificateSerial!: string;

  @InstantColumn({ name: 'not_before' })
  notBefore!: Date;

  @InstantColumn({ name: 'not_after' })
  notAfter!: Date;

  @InstantColumn({ name: 'created_at' })
  createdAt!: Date;

  @InstantColumn({ name: 'retired_at', nullable: true })
  retiredAt!: Date | null;
}

/** Singleton row (id 1): the next token serial and the active credential. Locked per issuance batch. */
@Entity('tsa_state')
export class TsaStateEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @BigIntColumn({ name: 'next_serial' })
  nextSerial!: number;

  @Column({ name: 'active_credential_id', type: 'varchar', length: 36, nullable: true })
  activeCredentialId!: string | null;
}

/**
 * Every token the own TSA issued (append-only): what an auditor needs to match a token to its
 * issuance. The serial is the primary key, so a duplicate serial can never be committed.
 */
@Entity('tsa_tokens')
export class TsaTokenEntity {
  @BigIntColumn({ primary: true })
  serial!: number;

  @InstantColumn({ name: 'gen_time' })
  genTime!: Date;

  @Column({ type: 'varchar', length: 100 })
  policy!: string;

  @Column({ name: 'hash_algorithm', type: 'varchar', length: 10 })
  hashAlgorithm!: string;

  /** The stamped imprint (hex): the hash of the data, never the data. */
  @Column({ name: 'imprint_hex', type: 'varchar', length: 128 })
  imprintHex!: string;

  /** SHA-256 of the token DER. */
  @Column({ name: 'token_sha256', type: 'varchar', length: 64 })
  tokenSha256!: string;

  @Column({ name: 'credential_id', type: 'varchar', length: 36 })
  credentialId!: string;

  /** 'http' (POST /tsa) or 'local' (in-process LocalTimeStamper). */
  @Column({ type: 'varchar', length: 10 })
  channel!: string;
}
