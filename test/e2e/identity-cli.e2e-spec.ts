import { Command } from 'commander';
import request from 'supertest';
import type { App } from 'supertest/types';
import { StaffRole } from '../../src/identity/auth/principal';
import { registerIdentityCommands } from '../../src/identity/identity.cli';
import { MailSender } from '../../src/platform/mail/mail-sender';
import { OutboxMailSender } from '../../src/platform/mail/outbox-mail-sender';
import { AuditLog } from '../../src/platform/audit/audit-log';
import { createStaff, createSubscriber, loginWithOtp } from '../helpers/identity';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

describe('identity: reissued credentials and CLI (e2e)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let server: App;
  let outbox: OutboxMailSender;
  beforeAll(async () => {
    t = await createTestApp();
    server = t.app.getHttpServer();
    outbox = t.app.get<MailSender, OutboxMailSender>(MailSender);
  });
  afterAll(async () => destroyTestApp(t));

  async function run(...args: string[]): Promise<string> {
    const program = new Command().exitOverride();
    registerIdentityCommands(program, () => Promise.resolve(t.app));
    const out: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
      out.push(String(s));
      return true;
    });
    try {
      await program.parseAsync(['node', 'cli', ...args]);
    } finally {
      spy.mockRestore();
    }
    return out.join('');
  }

  it('an RA officer reissues a subscriber: old password and URL stop working, sessions end', async () => {
    const officer = await createStaff(t, [StaffRole.RA_OFFICER]);
    const u = await createSubscriber(t, { officer });
    const loanOfficer = await createStaff(t, [StaffRole.LOAN_OFFICER]);
    await request(server)
      .post(`/api/ra/subscribers/${u.id}/reissue`)
      .set('Authorization', `Bearer ${loanOfficer.token}`)
      .expect(403);
    const r = await request(server)
      .post(`/api/ra/subscribers/${u.id}/reissue`)
      .set('Authorization', `Bearer ${officer.token}`)
      .expect(200);
    expect(r.body.loginId).toBe(u.loginId);
    await request(server).get('/api/me').set('Authorization', `Bearer ${u.token}`).expect(401);
    const oldUrl = await request(server)
      .post('/api/auth/login')
      .send({ loginKey: u.loginKey, loginId: u.loginId, password: u.password });
    expect(oldUrl.body.error.code).toBe('INVALID_CREDENTIALS');
    const newKey = (r.body.loginUrl as string).split('/login/')[1];
    const oldPassword = await request(server)
      .post('/api/auth/login')
      .send({ loginKey: newKey, loginId: u.loginId, password: u.password });
    expect(oldPassword.body.error.code).toBe('INVALID_CREDENTIALS');
    const again = await loginWithOtp(server, outbox, {
      loginKey: newKey,
      loginId: u.loginId,
      password: r.body.temporaryPassword,
      email: u.email,
    });
    expect(again.mustChangePassword).toBe(true);
  });

  it('unlocks and reissues from the command line, audited as cli', async () => {
    const s = await createStaff(t, [StaffRole.BANK_SIGNER]);
    for (let i = 0; i < t.config.LOCKOUT_THRESHOLD; i++) {
      await request(server)
        .post('/api/auth/login')
        .send({ loginKey: s.loginKey, loginId: s.loginId, password: 'wrong-password-123' });
    }
    const listed = await run('identity', 'staff');
    expect(listed).toMatch(new RegExp(`${s.loginId}\\tactive \\(locked\\)\\tbank_signer`));
    expect(await run('identity', 'unlock', s.loginId)).toContain(`unlocked ${s.loginId}`);
    await loginWithOtp(server, outbox, s);

    const out = await run('identity', 'reissue', s.loginId);
    const password = /temporary password: (\S+)/.exec(out)![1];
    const url = /login URL: (\S+)/.exec(out)![1];
    await loginWithOtp(server, outbox, {
      loginKey: url.split('/login/')[1],
      loginId: s.loginId,
      password,
      email: s.email,
    });
    const audit = await t.app.get(AuditLog).list({ subject: `staff:${s.id}`, actor: 'cli' });
    expect(audit.map((e) => e.action).sort()).toEqual(['account.credentials.reissued', 'account.unlocked']);
    await expect(run('identity', 'unlock', 'no-such-id')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
