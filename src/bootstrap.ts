import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import express from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import * as path from 'node:path';
import { AppModule, AppModuleOptions } from './app.module';
import { AppConfig, loadConfig } from './config/app-config';
import { bodyParserErrors } from './common/http/body-parser-errors';
import { createValidationPipe } from './common/http/validation.pipe';
import { sweepTemporaryFiles } from './platform/fs.util';

/** Builds the HTTP application with every cross-cutting concern; main.ts and the e2e tests share it. */
export async function createApp(options: AppModuleOptions = {}): Promise<NestExpressApplication> {
  const config = options.config ?? loadConfig();
  await sweepTemporaryFiles(config.storageDir);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot({ ...options, config }), {
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(Logger));
  configureHttp(app, config);
  return app;
}

export function configureHttp(app: INestApplication & NestExpressApplication, config: AppConfig): void {
  if (config.TRUST_PROXY) app.set('trust proxy', 1);
  app.disable('x-powered-by');
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'script-src': ["'self'"],
          'worker-src': ["'self'", 'blob:'],
          'img-src': ["'self'", 'data:', 'blob:'],
          'upgrade-insecure-requests': config.publicUrl.startsWith('https:') ? [] : null,
        },
      },
      hsts: config.publicUrl.startsWith('https:'),
    }),
  );
  app.use(express.json({ limit: config.BODY_LIMIT_BYTES }));
  app.use(express.urlencoded({ extended: false, limit: config.BODY_LIMIT_BYTES }));
  app.use(bodyParserErrors);
  app.use(cookieParser());
  app.useGlobalPipes(createValidationPipe());
  app.useStaticAssets(path.join(__dirname, 'web', 'public'), {
    prefix: '/assets/',
    maxAge: '1h',
    index: false,
  });
  app.useStaticAssets(
    path.join(path.dirname(require.resolve('pdfjs-dist/package.json')), 'legacy', 'build'),
    {
      prefix: '/assets/pdfjs/',
      maxAge: '1d',
      index: false,
    },
  );
  app.enableShutdownHooks();

  const doc = new DocumentBuilder()
    .setTitle('電子契約サービス API')
    .setDescription(
      'E-contract signing and archival service with internet-banking modules. Errors share one shape: ' +
        '`{ "error": { "code", "message", "details" } }`.',
    )
    .setVersion('0.1.0')
    .addBearerAuth()
    .addCookieAuth('session')
    .build();
  const document = SwaggerModule.createDocument(app, doc);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/openapi.json' });
}
