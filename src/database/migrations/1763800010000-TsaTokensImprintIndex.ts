import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The token register is written once per time-stamp and read by serial (its primary key) or by
 * time; nothing looks tokens up by imprint except an occasional investigation, which can scan.
 * The imprint index put a random B-tree leaf into every commit's write set and cost about a fifth
 * of the TSA's issuance time, so it is dropped.
 */
export class TsaTokensImprintIndex1763800010000 implements MigrationInterface {
  name = 'TsaTokensImprintIndex1763800010000';

  async up(q: QueryRunner): Promise<void> {
    await q.dropIndex('tsa_tokens', 'ix_tsa_tokens_imprint');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'tsa_tokens',
      new TableIndex({ name: 'ix_tsa_tokens_imprint', columnNames: ['imprint_hex'] }),
    );
  }
}
