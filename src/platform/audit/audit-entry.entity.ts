import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import { BigIntColumn, InstantColumn, JsonColumn } from '../../database/columns';

/** One append-only audit record. `hash` = SHA-256 over the canonical form including `prevHash`. */
@Entity('audit_entries')
export class AuditEntryEntity {
  @PrimaryColumn({
    type: 'bigint',
    transformer: { to: (v: number) => v, from: (v: string | number) => Number(v) },
  })
  seq!: number;

  @InstantColumn()
  at!: Date;

  /** `staff:<id>`, `subscriber:<id>`, `customer:<id>`, `system`, `cli`. */
  @Column({ type: 'varchar', length: 100 })
  actor!: string;

  /** Dotted verb, e.g. `auth.login.succeeded`, `certificate.issued`, `transfer.executed`. */
  @Column({ type: 'varchar', length: 100 })
  action!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  subject!: string | null;

  @JsonColumn({ nullable: true })
  details!: Record<string, unknown> | null;

  @Column({ type: 'varchar', length: 64, name: 'prev_hash' })
  prevHash!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;
}

/** A single row holding the chain's head, locked while appending so the chain never forks. */
@Entity('audit_head')
export class AuditHeadEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @BigIntColumn({ name: 'last_seq' })
  lastSeq!: number;

  @Column({ type: 'varchar', length: 64, name: 'last_hash' })
  lastHash!: string;
}

/** An entry committed with its change but not yet linked into the chain (see AuditLog.seal). */
@Entity('audit_pending')
export class AuditPendingEntity {
  /** Insertion order: the chain follows it. */
  @PrimaryGeneratedColumn('increment')
  ord!: number | string;

  @InstantColumn()
  at!: Date;

  @Column({ type: 'varchar', length: 100 })
  actor!: string;

  @Column({ type: 'varchar', length: 100 })
  action!: string;

  @Column({ type: 'varchar', length: 200, nullable: true })
  subject!: string | null;

  @JsonColumn({ nullable: true })
  details!: Record<string, unknown> | null;
}
