import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnTypes } from '../migration.util';

export class Contracts1763800006000 implements MigrationInterface {
  name = 'Contracts1763800006000';

  async up(q: QueryRunner): Promise<void> {
    const c = columnTypes(q);
    await q.createTable(
      new Table({
        name: 'contracts',
        columns: [
          c.id(),
          c.varchar('title', 200),
          c.varchar('loan_type', 20),
          c.money('amount_yen'),
          c.varchar('counterparty', 200),
          c.date('contract_date'),
          c.varchar('status', 30),
          c.int('current_signer_order', true),
          c.instant('deadline', true),
          c.uuid('created_by'),
          c.uuid('bank_signed_by', true),
          c.uuid('bank_signing_identity_id', true),
          c.int('current_version'),
          c.varchar('current_sha256', 64),
          c.varchar('original_sha256', 64, true),
          c.int('original_version', true),
          c.instant('completed_at', true),
          c.instant('cancelled_at', true),
          c.varchar('cancel_reason', 500, true),
          c.varchar('halt_reason', 500, true),
          c.instant('last_reminder_at', true),
          c.instant('created_at'),
          c.instant('updated_at'),
          c.int('row_version'),
        ],
        indices: [
          { name: 'ix_contracts_status', columnNames: ['status'] },
          // 電子帳簿保存法: originals searchable by date, amount and counterparty.
          { name: 'ix_contracts_contract_date', columnNames: ['contract_date'] },
          { name: 'ix_contracts_counterparty', columnNames: ['counterparty'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'contract_signers',
        columns: [
          c.id(),
          c.uuid('contract_id'),
          c.int('signer_order'),
          c.uuid('subscriber_id'),
          c.varchar('role', 20),
          c.varchar('display_name', 200),
          c.instant('notified_at', true),
          c.instant('signed_at', true),
          c.varchar('certificate_serial', 100, true),
        ],
        indices: [
          { name: 'ux_contract_signers_order', columnNames: ['contract_id', 'signer_order'], isUnique: true },
          { name: 'ix_contract_signers_subscriber', columnNames: ['subscriber_id'] },
        ],
        foreignKeys: [
          { columnNames: ['contract_id'], referencedTableName: 'contracts', referencedColumnNames: ['id'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'contract_documents',
        columns: [
          c.id(),
          c.uuid('contract_id'),
          c.int('version'),
          c.varchar('kind', 20),
          c.varchar('sha256', 64),
          c.int('size_bytes'),
          c.varchar('created_by', 100),
          c.instant('created_at'),
          c.varchar('validation_indication', 30, true),
          c.json('validation_report', true),
        ],
        indices: [
          { name: 'ux_contract_documents_version', columnNames: ['contract_id', 'version'], isUnique: true },
        ],
        foreignKeys: [
          { columnNames: ['contract_id'], referencedTableName: 'contracts', referencedColumnNames: ['id'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'contract_events',
        columns: [
          c.id(),
          c.uuid('contract_id'),
          c.int('seq'),
          c.instant('at'),
          c.varchar('actor', 100),
          c.varchar('type', 50),
          c.json('details', true),
        ],
        indices: [{ name: 'ix_contract_events_contract', columnNames: ['contract_id'] }],
        foreignKeys: [
          { columnNames: ['contract_id'], referencedTableName: 'contracts', referencedColumnNames: ['id'] },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('contract_events');
    await q.dropTable('contract_documents');
    await q.dropTable('contract_signers');
    await q.dropTable('contracts');
  }
}
