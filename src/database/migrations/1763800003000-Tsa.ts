import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnTypes } from '../migration.util';

/** The own TSA: credentials (sealed keys, certificates), serial counter, issued-token register. */
export class Tsa1763800003000 implements MigrationInterface {
  name = 'Tsa1763800003000';

  async up(q: QueryRunner): Promise<void> {
    const c = columnTypes(q);
    await q.createTable(
      new Table({
        name: 'tsa_credentials',
        columns: [
          c.id(),
          c.varchar('key_type', 20),
          c.text('sealed_key'),
          c.text('certificate_pem'),
          c.text('chain_pem'),
          c.varchar('certificate_serial', 80),
          c.instant('not_before'),
          c.instant('not_after'),
          c.instant('created_at'),
          c.instant('retired_at', true),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'tsa_state',
        columns: [
          { ...c.int('id'), isPrimary: true },
          c.bigint('next_serial'),
          c.uuid('active_credential_id', true),
        ],
      }),
    );
    await q.query(`INSERT INTO tsa_state (id, next_serial, active_credential_id) VALUES (1, 1, NULL)`);
    await q.createTable(
      new Table({
        name: 'tsa_tokens',
        columns: [
          { ...c.bigint('serial'), isPrimary: true },
          c.instant('gen_time'),
          c.varchar('policy', 100),
          c.varchar('hash_algorithm', 10),
          c.varchar('imprint_hex', 128),
          c.varchar('token_sha256', 64),
          c.uuid('credential_id'),
          c.varchar('channel', 10),
        ],
        indices: [
          { name: 'ix_tsa_tokens_imprint', columnNames: ['imprint_hex'] },
          { name: 'ix_tsa_tokens_gen_time', columnNames: ['gen_time'] },
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('tsa_tokens');
    await q.dropTable('tsa_state');
    await q.dropTable('tsa_credentials');
  }
}
