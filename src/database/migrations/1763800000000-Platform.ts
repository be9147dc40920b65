import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnTypes } from '../migration.util';

export class Platform1763800000000 implements MigrationInterface {
  name = 'Platform1763800000000';

  async up(q: QueryRunner): Promise<void> {
    const c = columnTypes(q);
    await q.createTable(
      new Table({
        name: 'audit_entries',
        columns: [
          { ...c.bigint('seq'), isPrimary: true },
          c.instant('at'),
          c.varchar('actor', 100),
          c.varchar('action', 100),
          c.varchar('subject', 200, true),
          c.json('details', true),
          c.varchar('prev_hash', 64),
          c.varchar('hash', 64),
        ],
        indices: [
          { name: 'ix_audit_entries_subject', columnNames: ['subject'] },
          { name: 'ix_audit_entries_action', columnNames: ['action'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_head',
        columns: [{ ...c.int('id'), isPrimary: true }, c.bigint('last_seq'), c.varchar('last_hash', 64)],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('audit_head');
    await q.dropTable('audit_entries');
  }
}
