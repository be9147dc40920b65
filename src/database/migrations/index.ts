import { Platform1763800000000 } from './1763800000000-Platform';

/**
 * Every migration, in order. Add new ones at the end; never edit one that has been committed.
 * Each migration must run on SQLite and PostgreSQL (use migration.util's columnTypes).
 */
export const migrations = [Platform1763800000000];
