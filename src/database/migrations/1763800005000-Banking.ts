import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnTypes } from '../migration.util';

/** Banking core and personal internet banking: accounts, ledger, contracts, sessions, transfers. */
export class Banking1763800005000 implements MigrationInterface {
  name = 'Banking1763800005000';

  async up(q: QueryRunner): Promise<void> {
    const c = columnTypes(q);
    await q.createTable(
      new Table({
        name: 'bk_accounts',
        columns: [
          c.id(),
          c.varchar('kind', 10),
          c.varchar('internal_code', 20, true),
          c.varchar('branch_code', 3),
          c.varchar('account_type', 1),
          c.varchar('account_number', 7),
          c.varchar('name_kanji', 100),
          c.varchar('name_kana', 100),
          c.uuid('customer_id', true),
          c.varchar('status', 10),
          c.bool('payment_stopped'),
          c.bool('garnished'),
          c.money('overdraft_limit_yen'),
          c.money('balance_yen'),
          c.bigint('last_seq'),
          c.date('opened_on'),
          c.date('closed_on', true),
          c.instant('created_at'),
          c.instant('updated_at'),
        ],
        uniques: [
          { name: 'uq_bk_accounts_number', columnNames: ['branch_code', 'account_type', 'account_number'] },
          { name: 'uq_bk_accounts_internal', columnNames: ['internal_code'] },
        ],
        indices: [{ name: 'ix_bk_accounts_customer', columnNames: ['customer_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'bk_journal_entries',
        columns: [
          c.id(),
          c.varchar('kind', 30),
          c.date('business_date'),
          c.date('value_date'),
          c.varchar('description', 200),
          c.uuid('transfer_id', true),
          c.varchar('actor', 100),
          c.instant('created_at'),
        ],
        indices: [
          { name: 'ix_bk_journal_transfer', columnNames: ['transfer_id'] },
          { name: 'ix_bk_journal_date', columnNames: ['business_date'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'bk_postings',
        columns: [
          c.id(),
          c.uuid('journal_id'),
          c.uuid('account_id'),
          c.bigint('account_seq', true),
          c.money('amount_yen'),
          c.money('balance_after_yen', true),
          c.varchar('description', 100),
          c.date('business_date'),
          c.date('value_date'),
          c.instant('created_at'),
        ],
        uniques: [{ name: 'uq_bk_postings_account_seq', columnNames: ['account_id', 'account_seq'] }],
        indices: [
          { name: 'ix_bk_postings_journal', columnNames: ['journal_id'] },
          { name: 'ix_bk_postings_account_date', columnNames: ['account_id', 'business_date'] },
        ],
        foreignKeys: [
          {
            columnNames: ['journal_id'],
            referencedTableName: 'bk_journal_entries',
            referencedColumnNames: ['id'],
          },
          { columnNames: ['account_id'], referencedTableName: 'bk_accounts', referencedColumnNames: ['id'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'bk_customers',
        columns: [
          c.id(),
          c.varchar('name_kanji', 100),
          c.varchar('name_kana', 100),
          c.date('birth_date'),
          c.varchar('email', 254),
          c.instant('created_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'bk_ib_contracts',
        columns: [
          c.id(),
          c.uuid('customer_id'),
          c.uuid('representative_account_id'),
          c.varchar('login_id', 64),
          c.varchar('password_hash', 200),
          c.int('failed_logins', false, 0),
          c.instant('locked_at', true),
          c.varchar('status', 12),
          c.date('term_start'),
          c.date('term_end'),
          c.int('payee_check_strikes', false, 0),
          c.instant('payee_check_locked_at', true),
          c.instant('last_login_at', true),
          c.instant('created_at'),
          c.instant('updated_at'),
        ],
        uniques: [{ name: 'uq_bk_ib_contracts_login', columnNames: ['login_id'] }],
        indices: [{ name: 'ix_bk_ib_contracts_customer', columnNames: ['customer_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'bk_ib_service_accounts',
        columns: [
          c.id(),
          c.uuid('contract_id'),
          c.uuid('account_id'),
          c.money('limit_per_transfer_yen', true),
          c.money('limit_per_day_yen', true),
          c.instant('created_at'),
        ],
        uniques: [{ name: 'uq_bk_ib_service_accounts', columnNames: ['contract_id', 'account_id'] }],
        indices: [{ name: 'ix_bk_ib_service_accounts_account', columnNames: ['account_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'bk_ib_sessions',
        columns: [
          c.id(),
          c.uuid('contract_id'),
          c.varchar('token_hash', 64),
          c.varchar('csrf_hash', 64),
          c.instant('created_at'),
          c.instant('last_seen_at'),
          c.instant('expires_at'),
          c.instant('revoked_at', true),
        ],
        uniques: [{ name: 'uq_bk_ib_sessions_token', columnNames: ['token_hash'] }],
        indices: [{ name: 'ix_bk_ib_sessions_contract', columnNames: ['contract_id'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'bk_payee_checks',
        columns: [
          c.id(),
          c.uuid('contract_id'),
          c.varchar('payee_key', 20),
          c.bool('found'),
          c.bool('consumed'),
          c.instant('created_at'),
        ],
        indices: [{ name: 'ix_bk_payee_checks_contract', columnNames: ['contract_id', 'payee_key'] }],
      }),
    );
    await q.createTable(
      new Table({
        name: 'bk_transfers',
        columns: [
          c.id(),
          c.uuid('contract_id'),
          c.uuid('debit_account_id'),
          c.varchar('kind', 10),
          c.varchar('fee_band', 15),
          c.varchar('payee_bank_code', 4),
          c.varchar('payee_bank_name', 60),
          c.varchar('payee_branch_code', 3),
          c.varchar('payee_branch_name', 60),
          c.varchar('payee_account_type', 1),
          c.varchar('payee_account_number', 7),
          c.varchar('payee_name_kana', 100),
          c.uuid('credit_account_id', true),
          c.money('amount_yen'),
          c.money('fee_yen'),
          c.varchar('memo', 30),
          c.varchar('status', 25),
          c.varchar('timing', 20),
          c.date('execution_date'),
          c.instant('confirm_deadline'),
          c.varchar('code_hash', 64, true),
          c.int('code_attempts', false, 0),
          c.varchar('idempotency_key', 100, true),
          c.varchar('request_hash', 64),
          c.varchar('confirm_key', 100, true),
          c.uuid('journal_id', true),
          c.uuid('return_journal_id', true),
          c.varchar('clearing_ref', 64, true),
          c.varchar('failure_code', 40, true),
          c.varchar('failure_message', 200, true),
          c.instant('requested_at'),
          c.instant('confirmed_at', true),
          c.instant('executed_at', true),
          c.instant('closed_at', true),
          c.instant('updated_at'),
        ],
        uniques: [{ name: 'uq_bk_transfers_idempotency', columnNames: ['contract_id', 'idempotency_key'] }],
        indices: [
          {
            name: 'ix_bk_transfers_debit_date',
            columnNames: ['debit_account_id', 'execution_date', 'status'],
          },
          { name: 'ix_bk_transfers_status_date', columnNames: ['status', 'execution_date'] },
          { name: 'ix_bk_transfers_contract', columnNames: ['contract_id', 'requested_at'] },
          { name: 'ix_bk_transfers_clearing', columnNames: ['clearing_ref'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'bk_transfer_cases',
        columns: [
          c.id(),
          c.uuid('transfer_id'),
          c.uuid('contract_id'),
          c.varchar('kind', 12),
          c.varchar('reason', 500),
          c.money('fee_yen'),
          c.varchar('status', 10),
          c.varchar('resolved_by', 100, true),
          c.varchar('resolution_note', 500, true),
          c.uuid('journal_id', true),
          c.instant('created_at'),
          c.instant('resolved_at', true),
        ],
        indices: [
          { name: 'ix_bk_transfer_cases_transfer', columnNames: ['transfer_id'] },
          { name: 'ix_bk_transfer_cases_status', columnNames: ['status'] },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'bk_transfer_cases',
      'bk_transfers',
      'bk_payee_checks',
      'bk_ib_sessions',
      'bk_ib_service_accounts',
      'bk_ib_contracts',
      'bk_customers',
      'bk_postings',
      'bk_journal_entries',
      'bk_accounts',
    ])
      await q.dropTable(t);
  }
}
