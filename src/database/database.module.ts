import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { dataSourceOptions } from './data-source-options';
import { SqliteCheckpointer } from './sqlite-checkpointer';
import { serializeSqliteAccess } from './sqlite-serializer';

/**
 * The database connection; migrations run at start, entities come from each module's forFeature.
 * On the embedded SQLite database a background connection runs the WAL checkpoints.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        ...dataSourceOptions(config),
        autoLoadEntities: true,
        migrationsRun: true,
        migrationsTransactionMode: 'each',
      }),
      dataSourceFactory: async (options) =>
        serializeSqliteAccess(await new DataSource(options!).initialize()),
    }),
  ],
  providers: [SqliteCheckpointer],
})
export class DatabaseModule {}
