import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { dataSourceOptions } from './data-source-options';
import { serializeSqliteAccess } from './sqlite-serializer';

/** The database connection; migrations run at start, entities come from each module's forFeature. */
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
})
export class DatabaseModule {}
