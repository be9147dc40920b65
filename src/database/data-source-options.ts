import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { migrations } from './migrations';

/** DataSource options for the configured database (entities are registered by each module). */
export function dataSourceOptions(
  config: AppConfig,
  entities: DataSourceOptions['entities'] = [],
): DataSourceOptions {
  const common = { entities, migrations, migrationsRun: false, synchronize: false, logging: false } as const;
  if (config.database.type === 'sqlite') {
    if (config.database.file !== ':memory:')
      fs.mkdirSync(path.dirname(config.database.file), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: config.database.file,
      // WAL lets readers run beside the single writer; a busy timeout instead of SQLITE_BUSY errors.
      // synchronous = NORMAL in WAL mode: a commit is appended to the WAL (safe against a crash of
      // the process, and the database is consistent after a power loss); the WAL is synced at each
      // checkpoint. FULL would add an fsync per commit for power-loss durability of the last
      // commits, a trade the deployment has not made so far; this setting is unchanged.
      // The automatic checkpoint stays on here (the CLI data source and any connection without the
      // background checkpointer rely on it); SqliteCheckpointer turns it off for the application's
      // connection while its worker checkpoints. journal_size_limit trims the WAL file back after
      // a checkpoint has caught up (64 MiB).
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 10000');
        db.pragma('foreign_keys = ON');
        db.pragma('synchronous = NORMAL');
        db.pragma('journal_size_limit = 67108864');
      },
    };
  }
  const schema = config.database.schema;
  return {
    ...common,
    type: 'postgres',
    url: config.database.url,
    schema,
    extra: {
      max: 20,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    },
  };
}
