import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnTypes } from '../migration.util';

/** Identity and registration authority: accounts, subscriber records, OTP challenges, sessions. */
export class Identity1763800001000 implements MigrationInterface {
  name = 'Identity1763800001000';

  async up(q: QueryRunner): Promise<void> {
    const c = columnTypes(q);
    await q.createTable(
      new Table({
        name: 'identity_accounts',
        columns: [
          c.id(),
          c.varchar('kind', 20),
          c.varchar('login_id', 64),
          c.varchar('login_key_hash', 64),
          c.varchar('name', 200),
          c.varchar('email', 254),
          c.text('password_hash'),
          c.bool('must_change_password', true),
          c.instant('password_changed_at', true),
          c.int('failed_password_count', false, 0),
          c.int('failed_otp_count', false, 0),
          c.instant('locked_at', true),
          c.varchar('lock_reason', 20, true),
          c.varchar('status', 20),
          c.json('roles', true),
          c.instant('last_login_at', true),
          c.instant('created_at'),
          c.varchar('created_by', 100),
          c.instant('updated_at'),
        ],
        uniques: [
          { name: 'uq_identity_accounts_login_id', columnNames: ['login_id'] },
          { name: 'uq_identity_accounts_login_key_hash', columnNames: ['login_key_hash'] },
        ],
        indices: [{ name: 'ix_identity_accounts_kind_status', columnNames: ['kind', 'status'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'identity_subscribers',
        columns: [
          c.id(),
          c.varchar('subscriber_kind', 20),
          c.varchar('name_kana', 200),
          c.varchar('phone', 30, true),
          c.date('birth_date', true),
          c.varchar('corporation_name', 200, true),
          c.varchar('officer_title', 100, true),
          c.text('officer_authority', true),
          c.varchar('id_document_type', 40),
          c.varchar('id_document_last4', 4),
          c.uuid('id_verified_by'),
          c.instant('id_verified_at'),
          c.text('status_reason', true),
          c.instant('status_changed_at', true),
          c.varchar('status_changed_by', 100, true),
        ],
        foreignKeys: [
          { columnNames: ['id'], referencedTableName: 'identity_accounts', referencedColumnNames: ['id'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'identity_login_challenges',
        columns: [
          c.id(),
          c.uuid('account_id'),
          c.varchar('otp_hash', 64),
          c.instant('created_at'),
          c.instant('expires_at'),
          c.instant('last_sent_at'),
          c.int('resend_count', false, 0),
          c.int('attempts', false, 0),
          c.instant('consumed_at', true),
        ],
        indices: [{ name: 'ix_identity_login_challenges_account', columnNames: ['account_id'] }],
        foreignKeys: [
          {
            columnNames: ['account_id'],
            referencedTableName: 'identity_accounts',
            referencedColumnNames: ['id'],
          },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'identity_sessions',
        columns: [
          c.id(),
          c.uuid('account_id'),
          c.varchar('token_hash', 64),
          c.instant('created_at'),
          c.instant('last_seen_at'),
          c.instant('expires_at'),
          c.instant('ended_at', true),
          c.varchar('end_reason', 30, true),
        ],
        uniques: [{ name: 'uq_identity_sessions_token_hash', columnNames: ['token_hash'] }],
        indices: [{ name: 'ix_identity_sessions_account', columnNames: ['account_id'] }],
        foreignKeys: [
          {
            columnNames: ['account_id'],
            referencedTableName: 'identity_accounts',
            referencedColumnNames: ['id'],
          },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'identity_account_changes',
        columns: [
          c.id(),
          c.uuid('account_id'),
          c.varchar('field', 40),
          c.text('old_value', true),
          c.text('new_value', true),
          c.varchar('changed_by', 100),
          c.instant('changed_at'),
        ],
        indices: [{ name: 'ix_identity_account_changes_account', columnNames: ['account_id'] }],
        foreignKeys: [
          {
            columnNames: ['account_id'],
            referencedTableName: 'identity_accounts',
            referencedColumnNames: ['id'],
          },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('identity_account_changes');
    await q.dropTable('identity_sessions');
    await q.dropTable('identity_login_challenges');
    await q.dropTable('identity_subscribers');
    await q.dropTable('identity_accounts');
  }
}
