import 'reflect-metadata';
import { createApp } from './bootstrap';
import { ConfigError, loadConfig } from './config/app-config';
import { StartupNotices } from './platform/startup-notices';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
  const app = await createApp({ config });
  await app.listen(config.PORT, config.HOST);
  const notices = app.get(StartupNotices).drain();
  process.stdout.write(
    [
      `電子契約サービス is listening on ${config.publicUrl}`,
      `API docs: ${config.publicUrl}/api/docs`,
      ...notices,
      '',
    ].join('\n'),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`Failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
