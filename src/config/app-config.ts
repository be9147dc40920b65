import * as path from 'node:path';
import { z } from 'zod';
import { bool, int } from './settings.util';
import { bankingSettings } from '../banking/banking.settings';
import { contractsSettings } from '../contracts/contracts.settings';
import { pkiSettings } from '../pki/pki.settings';
import { identitySettings } from '../identity/identity.settings';
import { tsaSettings } from '../tsa/tsa.settings';
import { padesSettings } from '../pades/pades.settings';
import { archiveSettings } from '../archive/archive.settings';

/**
 * Every setting of the service, read once from the environment at boot and validated.
 * An unknown variable with our prefix or an invalid value stops the start with a message
 * naming the variable. Values the seeds leave to "the bank's discretion" (当金庫所定) live here
 * with the defaults documented in README.md.
 */

/** Settings of the platform itself. Feature modules keep theirs in `<module>.settings.ts`. */
const coreSettings = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|sqlite:)/, 'must start with postgres://, postgresql:// or sqlite:')
    .optional(),
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/)
    .optional(),
  STORAGE_DIR: z.string().min(1).default('storage'),
  CERTS_DIR: z.string().min(1).default('certs'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).default('電子契約サービス <no-reply@econtract.localhost>'),
  ADMIN_LOGIN_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{3,64}$/)
    .default('admin'),
  ADMIN_EMAIL: z.email().default('admin@econtract.localhost'),
  ADMIN_PASSWORD: z.string().min(10).max(128).optional(),
  BANK_NAME: z.string().min(1).default('あぶくま信用金庫'),
  BANK_CODE: z
    .string()
    .regex(/^1\d{3}$/, 'a shinkin bank code is four digits in the 1xxx range')
    .default('1188'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(300),
  BODY_LIMIT_BYTES: int(1024, 1024 * 1024 * 1024).default(1024 * 1024),
  UPLOAD_LIMIT_BYTES: int(1024, 1024 * 1024 * 1024).default(50 * 1024 * 1024),
  DEV_MAILBOX: bool.optional(),
  TRUST_PROXY: bool.default(false),
  SCHEDULER_ENABLED: bool.default(true),
};

/** The one configuration object: core settings plus each module's (add a module's shape here). */
export const configSchema = z.object({
  ...coreSettings,
  ...tsaSettings,
  ...padesSettings,
  ...archiveSettings,
  ...bankingSettings,
  ...contractsSettings,
  ...pkiSettings,
  ...identitySettings,
});

export type RawConfig = z.infer<typeof configSchema>;

export interface AppConfig extends RawConfig {
  /** Absolute storage and certificate folders. */
  storageDir: string;
  certsDir: string;
  /** Where the database lives, resolved from DATABASE_URL or the embedded default. */
  database: { type: 'sqlite'; file: string } | { type: 'postgres'; url: string; schema?: string };
  publicUrl: string;
  /** True when outgoing mail goes to storage/outbox instead of SMTP. */
  outbox: boolean;
  /** True when /dev/mailbox is served (embedded mail, not production). */
  devMailbox: boolean;
  /** Business dates and cutoffs are always in this zone, whatever the host's TZ. */
  businessTimeZone: 'Asia/Tokyo';
}

export class ConfigError extends Error {}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  cwd = process.cwd(),
): AppConfig {
  const known = Object.keys(configSchema.shape);
  const typo = findMisspelledKey(Object.keys(env), known);
  if (typo) throw new ConfigError(`Unknown setting ${typo.given}: did you mean ${typo.known}?`);
  const input: Record<string, string> = {};
  for (const key of known) {
    const v = env[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const raw = parsed.data;
  const storageDir = path.resolve(cwd, raw.STORAGE_DIR);
  const certsDir = path.resolve(cwd, raw.CERTS_DIR);
  let database: AppConfig['database'];
  if (!raw.DATABASE_URL) {
    database = { type: 'sqlite', file: path.join(storageDir, 'econtract.sqlite') };
  } else if (raw.DATABASE_URL.startsWith('sqlite:')) {
    const file = raw.DATABASE_URL.slice('sqlite:'.length);
    database = { type: 'sqlite', file: file === ':memory:' ? file : path.resolve(cwd, file) };
  } else {
    database = { type: 'postgres', url: raw.DATABASE_URL, schema: raw.DATABASE_SCHEMA };
  }
  const publicUrl = (raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, '');
  const outbox = !raw.SMTP_URL;
  return {
    ...raw,
    storageDir,
    certsDir,
    database,
    publicUrl,
    outbox,
    devMailbox: raw.DEV_MAILBOX ?? (outbox && raw.NODE_ENV !== 'production'),
    businessTimeZone: 'Asia/Tokyo',
  };
}

/**
 * The environment is shared with the rest of the host, so an unknown variable cannot be refused
 * outright; one that is one or two letters away from a setting is almost surely a typo that would
 * otherwise silently fall back to a default, so it stops the start.
 */
function findMisspelledKey(given: string[], known: string[]): { given: string; known: string } | undefined {
  const knownSet = new Set(known);
  for (const g of given) {
    if (knownSet.has(g) || g.length < 6 || !/^[A-Z][A-Z0-9_]+$/.test(g)) continue;
    for (const k of known) {
      if (Math.abs(k.length - g.length) <= 2 && editDistance(g, k) <= 2) return { given: g, known: k };
    }
  }
  return undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
