import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnTypes } from '../migration.util';

/**
 * Audit entries are first written to `audit_pending` inside the transaction of the change they
 * describe (no shared lock), then sealed into the hash chain in `audit_entries` in order.
 */
export class AuditPending1763800008000 implements MigrationInterface {
  name = 'AuditPending1763800008000';

  async up(q: QueryRunner): Promise<void> {
    const c = columnTypes(q);
    await q.createTable(
      new Table({
        name: 'audit_pending',
        columns: [
          c.serial('ord'),
          c.instant('at'),
          c.varchar('actor', 100),
          c.varchar('action', 100),
          c.varchar('subject', 200, true),
          c.json('details', true),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('audit_pending');
  }
}
