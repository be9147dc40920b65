import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnTypes } from '../migration.util';

export class Archive1763800007000 implements MigrationInterface {
  name = 'Archive1763800007000';

  async up(q: QueryRunner): Promise<void> {
    const c = columnTypes(q);
    await q.createTable(
      new Table({
        name: 'archive_originals',
        columns: [
          c.id(),
          c.uuid('contract_id'),
          c.varchar('title', 200),
          c.date('transaction_date'),
          c.money('amount_yen'),
          c.varchar('counterparty', 200),
          c.varchar('loan_type', 20),
          c.json('parties'),
          c.json('summary'),
          c.int('current_version'),
          c.varchar('current_sha256', 64),
          c.instant('protection_expires_at'),
          c.date('retention_ends_on'),
          c.instant('concluded_at'),
          c.instant('last_renewed_at', true),
          c.varchar('claimed_by', 100, true),
          c.instant('claimed_until', true),
          c.int('failure_count'),
          c.varchar('last_failure', 1000, true),
          c.instant('created_at'),
          c.instant('updated_at'),
        ],
        indices: [
          { name: 'ux_archive_originals_contract', columnNames: ['contract_id'], isUnique: true },
          // 電子帳簿保存法 施行規則 §2⑥: search by 取引年月日, 取引金額, 取引先.
          { name: 'ix_archive_originals_date', columnNames: ['transaction_date'] },
          { name: 'ix_archive_originals_amount', columnNames: ['amount_yen'] },
          { name: 'ix_archive_originals_counterparty', columnNames: ['counterparty'] },
          // The re-stamping job scans by protection end.
          { name: 'ix_archive_originals_protection', columnNames: ['protection_expires_at'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'archive_versions',
        columns: [
          c.id(),
          c.uuid('original_id'),
          c.int('version'),
          c.varchar('sha256', 64),
          c.int('size_bytes'),
          c.varchar('previous_sha256', 64, true),
          c.varchar('reason', 20),
          c.uuid('run_id', true),
          c.varchar('validation_indication', 30, true),
          c.json('validation_summary', true),
          c.instant('protection_expires_at'),
          c.instant('created_at'),
        ],
        indices: [
          { name: 'ux_archive_versions_version', columnNames: ['original_id', 'version'], isUnique: true },
          { name: 'ix_archive_versions_sha256', columnNames: ['sha256'] },
        ],
        foreignKeys: [
          {
            columnNames: ['original_id'],
            referencedTableName: 'archive_originals',
            referencedColumnNames: ['id'],
          },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'archive_runs',
        columns: [
          c.id(),
          c.varchar('trigger', 20),
          c.varchar('mode', 10),
          c.varchar('worker', 100),
          c.varchar('started_by', 100),
          c.instant('started_at'),
          c.instant('finished_at', true),
          c.varchar('status', 20),
          c.int('due_count'),
          c.int('renewed_count'),
          c.int('failed_count'),
          c.int('duration_ms', true),
          c.json('failures'),
        ],
        indices: [{ name: 'ix_archive_runs_started', columnNames: ['started_at'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('archive_runs');
    await q.dropTable('archive_versions');
    await q.dropTable('archive_originals');
  }
}
