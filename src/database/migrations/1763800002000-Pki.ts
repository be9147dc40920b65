import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { columnTypes } from '../migration.util';

export class Pki1763800002000 implements MigrationInterface {
  name = 'Pki1763800002000';

  async up(q: QueryRunner): Promise<void> {
    const c = columnTypes(q);
    await q.createTable(
      new Table({
        name: 'pki_certificates',
        columns: [
          c.id(),
          c.varchar('serial_hex', 64),
          c.varchar('kind', 20),
          c.varchar('issuer_ca', 20, true),
          c.varchar('subject', 500),
          c.uuid('subscriber_id', true),
          c.uuid('signing_identity_id', true),
          c.varchar('active_slot', 80, true),
          c.varchar('holder_name', 200, true),
          c.varchar('holder_email', 254, true),
          c.varchar('key_type', 20, true),
          c.instant('not_before'),
          c.instant('not_after'),
          c.text('certificate_pem'),
          c.varchar('sha256', 64),
          c.varchar('issued_by', 100),
          c.instant('issued_at'),
          c.instant('revoked_at', true),
          c.varchar('revocation_reason', 30, true),
          c.varchar('revocation_channel', 20, true),
          c.varchar('revoked_by', 100, true),
        ],
        indices: [
          { name: 'ux_pki_certificates_serial', columnNames: ['serial_hex'], isUnique: true },
          { name: 'ux_pki_certificates_sha256', columnNames: ['sha256'], isUnique: true },
          { name: 'ux_pki_certificates_active_slot', columnNames: ['active_slot'], isUnique: true },
          { name: 'ix_pki_certificates_subscriber', columnNames: ['subscriber_id'] },
          { name: 'ix_pki_certificates_identity', columnNames: ['signing_identity_id'] },
          { name: 'ix_pki_certificates_issuer_revoked', columnNames: ['issuer_ca', 'revoked_at'] },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'pki_signing_keys',
        columns: [
          { ...c.uuid('certificate_id'), isPrimary: true },
          c.text('sealed_key'),
          c.int('failed_pin_attempts', false, 0),
          c.instant('locked_at', true),
          c.instant('pin_set_at'),
          c.varchar('pin_set_by', 100),
          c.instant('pin_changed_at', true),
          c.instant('last_used_at', true),
        ],
        foreignKeys: [
          {
            columnNames: ['certificate_id'],
            referencedTableName: 'pki_certificates',
            referencedColumnNames: ['id'],
          },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'pki_crls',
        columns: [
          c.id(),
          c.varchar('issuer_ca', 20),
          c.bigint('crl_number'),
          c.instant('this_update'),
          c.instant('next_update'),
          c.int('revoked_count'),
          c.text('der_base64'),
        ],
        indices: [
          { name: 'ux_pki_crls_issuer_number', columnNames: ['issuer_ca', 'crl_number'], isUnique: true },
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'pki_crl_counters',
        columns: [{ ...c.varchar('issuer_ca', 20), isPrimary: true }, c.bigint('last_number')],
      }),
    );
    await q.createTable(
      new Table({
        name: 'pki_signing_identities',
        columns: [
          c.id(),
          c.varchar('branch_name', 100),
          c.varchar('title', 50),
          c.varchar('person_name', 100),
          c.varchar('display_name', 200),
          c.varchar('status', 20),
          c.varchar('created_by', 100),
          c.instant('created_at'),
          c.instant('revoked_at', true),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('pki_signing_identities');
    await q.dropTable('pki_crl_counters');
    await q.dropTable('pki_crls');
    await q.dropTable('pki_signing_keys');
    await q.dropTable('pki_certificates');
  }
}
