import request from 'supertest';
import { DataSource } from 'typeorm';
import { sha256Hex } from '../../src/common/crypto/secrets';
import { AccountEntity } from '../../src/identity/account.entity';
import { StaffRole } from '../../src/identity/auth/principal';
import { PersonalLoginUrls } from '../../src/identity/personal-login-url.service';
import { ReissueCredentials } from '../../src/identity/reissue-credentials.usecase';
import { SubscriberDirectory } from '../../src/identity/subscriber-directory.service';
import { createStaff, createSubscriber } from '../helpers/identity';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

/** Every row of every table of the test database (SQLite file or PostgreSQL schema), as text. */
async function dumpDatabase(ds: DataSource): Promise<string> {
  const listing =
    ds.options.type === 'postgres'
      ? `SELECT table_name AS name FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
      : `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`;
  const tables = await ds.query<{ name: string }[]>(listing);
  const parts: string[] = [];
  for (const { name } of tables) {
    for (const row of await ds.query<Record<string, unknown>[]>(`SELECT * FROM "${name}"`)) {
      for (const v of Object.values(row)) {
        if (v === null || v === undefined) continue;
        if (Buffer.isBuffer(v)) parts.push(v.toString('latin1'));
        else if (v instanceof Date) parts.push(v.toISOString());
        else if (typeof v === 'object') parts.push(JSON.stringify(v));
        else parts.push(`${v as string | number | boolean | bigint}`);
      }
    }
  }
  return parts.join('\n');
}

/**
 * The personal login URL kept for the invitation mails (EC-07): sealed at rest, the current one
 * only, read back only for its own subscriber.
 */
describe('identity: the personal login URL kept sealed (e2e)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  const server = () => t.app.getHttpServer();
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => destroyTestApp(t));

  const urlOf = (key: string) => `${t.config.publicUrl}/login/${key}`;

  it('gives the subscriber the URL of registration, then the new one after a reissue', async () => {
    const u = await createSubscriber(t);
    const directory = t.app.get(SubscriberDirectory);
    expect(await directory.personalLoginUrl(u.id)).toBe(urlOf(u.loginKey));

    const reissued = await t.app.get(ReissueCredentials).execute('staff:test', 'subscriber', u.id);
    const now = await directory.personalLoginUrl(u.id);
    expect(now).toBe(reissued.loginUrl);
    expect(now).not.toBe(urlOf(u.loginKey));
    // The old key no longer logs in; the one handed out now does (up to the OTP).
    const old = await request(server())
      .post('/api/auth/login')
      .send({ loginKey: u.loginKey, loginId: u.loginId, password: reissued.temporaryPassword });
    expect(old.status).toBe(401);
    await request(server())
      .post('/api/auth/login')
      .send({
        loginKey: now!.split('/').pop(),
        loginId: u.loginId,
        password: reissued.temporaryPassword,
      })
      .expect(200);
  });

  it('gives nothing for staff, unknown ids, old accounts, a moved or a stale sealed key', async () => {
    const staff = await createStaff(t, [StaffRole.LOAN_OFFICER]);
    const a = await createSubscriber(t);
    const b = await createSubscriber(t);
    const directory = t.app.get(SubscriberDirectory);
    const accounts = t.app.get(DataSource).getRepository(AccountEntity);
    expect(await directory.personalLoginUrl(staff.id)).toBeUndefined();
    expect(await directory.personalLoginUrl('00000000-0000-4000-8000-000000000000')).toBeUndefined();

    // A's sealed key copied onto B's row does not open there (bound to the account id).
    const sealedA = (await accounts.findOneByOrFail({ id: a.id })).loginKeySealed;
    const sealedB = (await accounts.findOneByOrFail({ id: b.id })).loginKeySealed;
    await accounts.update({ id: b.id }, { loginKeySealed: sealedA });
    expect(await directory.personalLoginUrl(b.id)).toBeUndefined();
    // A sealed key that is not the key in use is never handed out.
    await accounts.update({ id: b.id }, { loginKeySealed: sealedB, loginKeyHash: sha256Hex('stale') });
    expect(await directory.personalLoginUrl(b.id)).toBeUndefined();
    // Registered before the key was kept: nothing (the mails use the generic wording).
    await accounts.update({ id: a.id }, { loginKeySealed: null });
    expect(await directory.personalLoginUrl(a.id)).toBeUndefined();
  });

  it('seals the key of the bootstrap administrator too', async () => {
    const admin = await t.app
      .get(DataSource)
      .getRepository(AccountEntity)
      .findOneByOrFail({ loginId: t.config.ADMIN_LOGIN_ID });
    expect(admin.loginKeySealed).toMatch(/^kv1\$sec\$/);
    const url = await t.app.get(PersonalLoginUrls).find(admin.id, 'staff');
    expect(sha256Hex(url!.split('/').pop()!)).toBe(admin.loginKeyHash);
  });

  it('never stores a login key in clear anywhere in the database', async () => {
    const staff = await createStaff(t, [StaffRole.ADMIN]);
    const u = await createSubscriber(t);
    const reissued = await t.app.get(ReissueCredentials).execute(`staff:${staff.id}`, 'subscriber', u.id);
    const newKey = reissued.loginUrl.split('/').pop()!;
    const dump = await dumpDatabase(t.app.get(DataSource));
    // The scan does read the accounts (their login IDs and key hashes are there)…
    expect(dump).toContain(u.loginId);
    expect(dump).toContain(sha256Hex(newKey));
    // …but no key in clear, nor in base64 of its bytes.
    for (const key of [staff.loginKey, u.loginKey, newKey]) {
      expect(dump).not.toContain(key);
      expect(dump).not.toContain(Buffer.from(key, 'utf8').toString('base64url').slice(0, 24));
    }
  });
});
