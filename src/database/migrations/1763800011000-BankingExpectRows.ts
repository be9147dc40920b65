import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * bk_expect_rows(actual, expected, index): the row-count check of a banking write batch inside the
 * statement itself (PostgreSQL only). A batch whose write changed another number of rows than it
 * must fails with SQLSTATE BK001 (detail `{"i": index, "n": actual}`), which aborts the
 * transaction, so a COMMIT already sent behind the batch (UnitOfWork.decide) ends it as a
 * ROLLBACK. SQLite runs its writes one by one and checks each count before the next, so it needs
 * no function.
 */
export class BankingExpectRows1763800011000 implements MigrationInterface {
  name = 'BankingExpectRows1763800011000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'postgres') return;
    await q.query(`CREATE OR REPLACE FUNCTION bk_expect_rows(actual bigint, expected bigint, idx integer)
RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
  IF actual IS DISTINCT FROM expected THEN
    RAISE EXCEPTION 'a write of a banking batch changed % rows instead of %', actual, expected
      USING ERRCODE = 'BK001', DETAIL = json_build_object('i', idx, 'n', actual)::text;
  END IF;
  RETURN actual;
END
$$`);
  }

  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type !== 'postgres') return;
    await q.query('DROP FUNCTION IF EXISTS bk_expect_rows(bigint, bigint, integer)');
  }
}
