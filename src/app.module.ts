import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { SlidingWindowThrottlerStorage } from './common/http/sliding-window-throttler-storage';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppConfig, loadConfig } from './config/app-config';
import { BankingModule } from './banking/banking.module';
import { APP_CONFIG, ConfigModule } from './config/config.module';
import { HttpErrorFilter } from './common/errors/http-error.filter';
import { ContractsModule } from './contracts/contracts.module';
import { DatabaseModule } from './database/database.module';
import { HealthController } from './health/health.controller';
import { IdentityModule } from './identity/identity.module';
import { PkiModule } from './pki/pki.module';
import { PlatformModule, PlatformOverrides } from './platform/platform.module';
import { RaModule } from './ra/ra.module';
import { TsaModule } from './tsa/tsa.module';
import { PadesModule } from './pades/pades.module';
import { ArchiveModule } from './archive/archive.module';
import { WebModule } from './web/web.module';

export interface AppModuleOptions {
  config?: AppConfig;
  overrides?: PlatformOverrides;
}

/** Paths that pino must never write: credentials travel in these. */
export const LOG_REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.temporaryPassword',
  '*.otp',
  '*.pin',
  '*.newPin',
  '*.currentPin',
  '*.token',
  '*.privateKey',
];

const REQUEST_ID = /^[A-Za-z0-9._-]{8,100}$/;

@Module({})
export class AppModule {
  static forRoot(options: AppModuleOptions = {}): DynamicModule {
    const config = options.config ?? loadConfig();
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.LOG_LEVEL,
            redact: { paths: LOG_REDACT_PATHS, censor: '[redacted]' },
            genReqId: (req: IncomingMessage, res: ServerResponse) => {
              const given = req.headers['x-request-id'];
              const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
              res.setHeader('X-Request-Id', id);
              return id;
            },
            // Personal login URLs carry the login key: log the route shape, never the key.
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                url: String(req.url).replace(/^\/login\/[^/?#]+/, '/login/[key]'),
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' },
          },
        }),
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: 60_000, limit: config.RATE_LIMIT_PER_MINUTE }],
          storage: new SlidingWindowThrottlerStorage(),
        }),
        ...(config.SCHEDULER_ENABLED ? [ScheduleModule.forRoot()] : []),
        DatabaseModule,
        PlatformModule.forRoot(options.overrides),
        // First among the feature modules: Express matches routes in registration order, and POST /tsa
        // is the busiest machine-to-machine endpoint (every signature and re-stamp of a client).
        TsaModule,
        WebModule,
        BankingModule,
        ContractsModule,
        IdentityModule,
        PkiModule,
        PadesModule,
        ArchiveModule,
        RaModule,
      ],
      controllers: [HealthController],
      providers: [
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: APP_GUARD, useClass: ThrottlerGuard },
      ],
      exports: [],
    };
  }
}

export { APP_CONFIG };
