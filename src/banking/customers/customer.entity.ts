import { Column, Entity, PrimaryColumn } from 'typeorm';
import { InstantColumn, MoneyColumn } from '../../database/columns';

/** A personal customer (名義人) of the bank. */
@Entity('bk_customers')
export class CustomerEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'name_kanji', type: 'varchar', length: 100 }) nameKanji!: string;
  @Column({ name: 'name_kana', type: 'varchar', length: 100 }) nameKana!: string;
  @Column({ name: 'birth_date', type: 'varchar', length: 10 }) birthDate!: string;
  @Column({ type: 'varchar', length: 254 }) email!: string;
  @InstantColumn({ name: 'created_at' }) createdAt!: Date;
}

export type ContractStatus = 'active' | 'suspended' | 'terminated';

/**
 * A personal internet-banking contract (seed 003 §1, §3; BK-01, BK-16, BK-18): one customer, a
 * representative account, login credentials and the payee-check lock (BK-10).
 */
@Entity('bk_ib_contracts')
export class IbContractEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'customer_id', type: 'varchar', length: 36 }) customerId!: string;
  @Column({ name: 'representative_account_id', type: 'varchar', length: 36 })
  representativeAccountId!: string;
  @Column({ name: 'login_id', type: 'varchar', length: 64 }) loginId!: string;
  @Column({ name: 'password_hash', type: 'varchar', length: 200 }) passwordHash!: string;
  @Column({ name: 'failed_logins', type: 'integer' }) failedLogins!: number;
  @InstantColumn({ name: 'locked_at', nullable: true }) lockedAt!: Date | null;
  @Column({ type: 'varchar', length: 12 }) status!: ContractStatus;
  @Column({ name: 'term_start', type: 'varchar', length: 10 }) termStart!: string;
  @Column({ name: 'term_end', type: 'varchar', length: 10 }) termEnd!: string;
  @Column({ name: 'payee_check_strikes', type: 'integer' }) payeeCheckStrikes!: number;
  @InstantColumn({ name: 'payee_check_locked_at', nullable: true }) payeeCheckLockedAt!: Date | null;
  @InstantColumn({ name: 'last_login_at', nullable: true }) lastLoginAt!: Date | null;
  @InstantColumn({ name: 'created_at' }) createdAt!: Date;
  @InstantColumn({ name: 'updated_at' }) updatedAt!: Date;
}

/** A registered service account (サービス利用口座) with the customer's own limits (BK-08). */
@Entity('bk_ib_service_accounts')
export class IbServiceAccountEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'contract_id', type: 'varchar', length: 36 }) contractId!: string;
  @Column({ name: 'account_id', type: 'varchar', length: 36 }) accountId!: string;
  @MoneyColumn({ name: 'limit_per_transfer_yen', nullable: true }) limitPerTransferYen!: number | null;
  @MoneyColumn({ name: 'limit_per_day_yen', nullable: true }) limitPerDayYen!: number | null;
  @InstantColumn({ name: 'created_at' }) createdAt!: Date;
}

/** A customer session: only the SHA-256 of the bearer token and of the CSRF token are stored. */
@Entity('bk_ib_sessions')
export class IbSessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'contract_id', type: 'varchar', length: 36 }) contractId!: string;
  @Column({ name: 'token_hash', type: 'varchar', length: 64 }) tokenHash!: string;
  @Column({ name: 'csrf_hash', type: 'varchar', length: 64 }) csrfHash!: string;
  @InstantColumn({ name: 'created_at' }) createdAt!: Date;
  @InstantColumn({ name: 'last_seen_at' }) lastSeenAt!: Date;
  @InstantColumn({ name: 'expires_at' }) expiresAt!: Date;
  @InstantColumn({ name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}

/** One payee check (BK-10); unconsumed checks count as abandoned. */
@Entity('bk_payee_checks')
export class PayeeCheckEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'contract_id', type: 'varchar', length: 36 }) contractId!: string;
  @Column({ name: 'payee_key', type: 'varchar', length: 20 }) payeeKey!: string;
  @Column({ type: 'boolean' }) found!: boolean;
  @Column({ type: 'boolean' }) consumed!: boolean;
  @InstantColumn({ name: 'created_at' }) createdAt!: Date;
}
