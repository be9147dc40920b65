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
      prepareDatabase: (db: { pragma(s: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 10000');
        db.pragma('foreign_keys = ON');
        db.pragma('synchronous = NORMAL');
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
