import { ConfigError, loadConfig } from './app-config';

describe('loadConfig', () => {
  it('uses the embedded defaults', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c.PORT).toBe(3000);
    expect(c.database).toEqual({ type: 'sqlite', file: '/srv/app/storage/econtract.sqlite' });
    expect(c.outbox).toBe(true);
    expect(c.devMailbox).toBe(true);
    expect(c.publicUrl).toBe('http://localhost:3000');
  });

  it('switches to PostgreSQL and SMTP when given URLs', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u@h/db',
      SMTP_URL: 'smtp://mail:25',
      NODE_ENV: 'production',
    });
    expect(c.database).toEqual({ type: 'postgres', url: 'postgres://u@h/db', schema: undefined });
    expect(c.outbox).toBe(false);
    expect(c.devMailbox).toBe(false);
  });

  it('never serves the dev mailbox in production, even with the outbox', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).devMailbox).toBe(false);
  });

  it('stops with a message naming the invalid variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });

  it('stops on a misspelled setting instead of silently using the default', () => {
    expect(() => loadConfig({ DATABSE_URL: 'postgres://x' })).toThrow(
      /DATABSE_URL: did you mean DATABASE_URL/,
    );
  });
});
