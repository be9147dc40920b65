import { Column, Entity, PrimaryColumn } from 'typeorm';
import { InstantColumn } from '../database/columns';
import type { SubscriberKind } from './auth/principal';

/**
 * What the registration authority recorded about a subscriber (EC-01, EC-02, seed 000 §8):
 * the person, the corporation they act for, and the identity check (document type, the last four
 * characters of its number only, who checked it and when). Same id as the account.
 */
@Entity('identity_subscribers')
export class SubscriberProfileEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 20, name: 'subscriber_kind' })
  subscriberKind!: SubscriberKind;

  @Column({ type: 'varchar', length: 200, name: 'name_kana' })
  nameKana!: string;

  @Column({ type: 'varchar', length: 30, nullable: true })
  phone!: string | null;

  /** `YYYY-MM-DD` */
  @Column({ type: 'varchar', length: 10, name: 'birth_date', nullable: true })
  birthDate!: string | null;

  @Column({ type: 'varchar', length: 200, name: 'corporation_name', nullable: true })
  corporationName!: string | null;

  /** 電子契約責任者 (EC-01): the officer's title in the corporation. */
  @Column({ type: 'varchar', length: 100, name: 'officer_title', nullable: true })
  officerTitle!: string | null;

  /** The authority the corporation designated the officer with, as recorded by the bank. */
  @Column({ type: 'text', name: 'officer_authority', nullable: true })
  officerAuthority!: string | null;

  @Column({ type: 'varchar', length: 40, name: 'id_document_type' })
  idDocumentType!: string;

  @Column({ type: 'varchar', length: 4, name: 'id_document_last4' })
  idDocumentLast4!: string;

  /** Staff id of the officer who checked the document. */
  @Column({ type: 'varchar', length: 36, name: 'id_verified_by' })
  idVerifiedBy!: string;

  @InstantColumn({ name: 'id_verified_at' })
  idVerifiedAt!: Date;

  @Column({ type: 'text', name: 'status_reason', nullable: true })
  statusReason!: string | null;

  @InstantColumn({ name: 'status_changed_at', nullable: true })
  statusChangedAt!: Date | null;

  @Column({ type: 'varchar', length: 100, name: 'status_changed_by', nullable: true })
  statusChangedBy!: string | null;
}
