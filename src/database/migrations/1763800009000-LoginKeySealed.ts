import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { columnTypes } from '../migration.util';

/**
 * EC-07 (seed 000 §12(2)): the invitation mail carries the party's personal login URL, so its key
 * must be readable by the service. It is kept sealed by the KeyVault (AES-256-GCM, bound to the
 * account id); `login_key_hash` stays the lookup. Accounts created before this migration have no
 * sealed key until their credentials are reissued, and their mails keep the generic wording.
 */
export class LoginKeySealed1763800009000 implements MigrationInterface {
  name = 'LoginKeySealed1763800009000';

  async up(q: QueryRunner): Promise<void> {
    const c = columnTypes(q);
    await q.addColumn('identity_accounts', new TableColumn(c.text('login_key_sealed', true)));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('identity_accounts', 'login_key_sealed');
  }
}
