import request from 'supertest';
import type { App } from 'supertest/types';
import { StaffRole } from '../../src/identity/auth/principal';
import { AuditLog } from '../../src/platform/audit/audit-log';
import { RegisterSubscriber } from '../../src/ra/register-subscriber.usecase';
import { createStaff, loginWithOtp, strongPassword, TestPerson, uniqueEmail } from '../helpers/identity';
import { createTestApp, destroyTestApp } from '../helpers/test-app';
import { TestSmtpServer } from '../helpers/test-smtp-server';

const OTP_LINE = /ワンタイムパスワード: (\d{6})/;

/**
 * Login end to end through real SMTP (EC-05 (1)–(3)): personal URL key + ID + password, the OTP read
 * from the message the SMTP server received, forced change of the temporary password, sessions,
 * lockout and every refusal.
 */
describe('identity: login, OTP, sessions, lockout (e2e, SMTP)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let smtp: TestSmtpServer;
  let server: App;
  let officer: TestPerson;

  beforeAll(async () => {
    smtp = new TestSmtpServer();
    const url = await smtp.start();
    t = await createTestApp({ env: { SMTP_URL: url } });
    server = t.app.getHttpServer();
    officer = await createStaff(t, [StaffRole.RA_OFFICER], { smtp });
  });
  afterAll(async () => {
    await destroyTestApp(t);
    await smtp.stop();
  });

  /** A fresh subscriber with a temporary password (not logged in yet). */
  async function newSubscriber() {
    const email = uniqueEmail('sub');
    const issued = await t.app.get(RegisterSubscriber).execute(
      {
        kind: 'staff',
        id: officer.id,
        loginId: officer.loginId,
        name: '登録 担当',
        email: officer.email,
        roles: [StaffRole.RA_OFFICER],
        sessionId: 'x',
      },
      {
        kind: 'individual',
        name: '信金 太郎',
        nameKana: 'シンキン タロウ',
        email,
        identityVerification: {
          documentType: 'my_number_card',
          documentNumberLast4: '9876',
          verifiedAt: new Date(t.clock.now().getTime() - 1000).toISOString(),
        },
      },
    );
    const loginKey = issued.loginUrl.split('/login/')[1];
    return { ...issued, email, loginKey, password: issued.temporaryPassword };
  }

  async function startLogin(u: { loginKey: string; loginId: string; password: string; email: string }) {
    const mark = smtp.messages.length;
    const res = await request(server)
      .post('/api/auth/login')
      .send({ loginKey: u.loginKey, loginId: u.loginId, password: u.password });
    expect(res.status).toBe(200);
    const mail = await smtp.waitFor((m) => m.to.includes(u.email) && OTP_LINE.test(m.text), 10_000, mark);
    return { challengeId: res.body.challengeId as string, otp: OTP_LINE.exec(mail.text)![1], mail };
  }

  const creds = (u: { loginKey: string; loginId: string; password: string }) => ({
    loginKey: u.loginKey,
    loginId: u.loginId,
    password: u.password,
  });
  const otpBody = (a: { challengeId: string; otp: string }) => ({ challengeId: a.challengeId, otp: a.otp });

  function wrongOtp(otp: string): string {
    return otp === '000000' ? '111111' : '000000';
  }

  it('logs in with key + ID + password + mailed OTP, forces the temporary password change, then works', async () => {
    const u = await newSubscriber();
    // The welcome mail carries the login URL but never the temporary password.
    const welcome = await smtp.waitFor((m) => m.to.includes(u.email) && m.text.includes(u.loginUrl));
    expect(welcome.text).not.toContain(u.temporaryPassword);

    const { challengeId, otp, mail } = await startLogin(u);
    expect(mail.subject).toContain('ワンタイムパスワード');
    const res = await request(server).post('/api/auth/otp').send({ challengeId, otp }).expect(200);
    expect(res.body).toMatchObject({ mustChangePassword: true, user: { id: u.id, kind: 'subscriber' } });
    expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const bearer = `Bearer ${res.body.token}`;

    // Until the temporary password is changed, only /api/me, password and logout answer.
    await request(server).get('/api/me').set('Authorization', bearer).expect(200);
    const blocked = await request(server)
      .get('/home')
      .set('Authorization', bearer)
      .set('Accept', 'application/json');
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');

    // Password rules: too short, common, same as the login ID, wrong current password.
    for (const [newPassword, problem] of [
      ['short1', 'too_short'],
      ['password1234', 'common_password'],
      [u.loginId, 'too_short'],
    ] as const) {
      const r = await request(server)
        .post('/api/auth/password')
        .set('Authorization', bearer)
        .send({ currentPassword: u.password, newPassword });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('PASSWORD_POLICY');
      expect(r.body.error.details.problems).toContain(problem);
    }
    const wrongCurrent = await request(server)
      .post('/api/auth/password')
      .set('Authorization', bearer)
      .send({ currentPassword: 'not-the-password', newPassword: strongPassword() });
    expect(wrongCurrent.body.error.code).toBe('CURRENT_PASSWORD_WRONG');

    const newPassword = strongPassword();
    const changed = await request(server)
      .post('/api/auth/password')
      .set('Authorization', bearer)
      .send({ currentPassword: u.password, newPassword })
      .expect(200);
    // Every earlier session ended; the new one works and is no longer restricted.
    await request(server).get('/api/me').set('Authorization', bearer).expect(401);
    const me = await request(server)
      .get('/api/me')
      .set('Authorization', `Bearer ${changed.body.token}`)
      .expect(200);
    expect(me.body.mustChangePassword).toBe(false);
    // The temporary password no longer logs in; the new one does.
    const old = await request(server)
      .post('/api/auth/login')
      .send({ loginKey: u.loginKey, loginId: u.loginId, password: u.password });
    expect(old.body.error.code).toBe('INVALID_CREDENTIALS');
    const again = await loginWithOtp(server, smtp, { ...u, password: newPassword });
    expect(again.mustChangePassword).toBe(false);
  });

  it('answers a wrong key, a missing key, an unknown ID and a wrong password identically', async () => {
    const u = await newSubscriber();
    const attempts = [
      { loginKey: 'A'.repeat(22), loginId: u.loginId, password: u.password },
      { loginKey: '', loginId: u.loginId, password: u.password },
      { loginKey: u.loginKey, loginId: 'U00000000', password: u.password },
      { loginKey: u.loginKey, loginId: u.loginId, password: 'wrong-password-123' },
    ];
    const bodies = [];
    for (const a of attempts) {
      const r = await request(server).post('/api/auth/login').send(a);
      expect(r.status).toBe(401);
      bodies.push(r.body);
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(bodies[0].error.code).toBe('INVALID_CREDENTIALS');
    // A wrong key (someone without the personal URL) does not count toward the lockout.
    for (let i = 0; i < t.config.LOCKOUT_THRESHOLD + 1; i++) {
      await request(server).post('/api/auth/login').send(attempts[0]).expect(401);
    }
    await startLogin(u);
  });

  it('refuses an expired OTP, a reused OTP and an OTP of another login attempt', async () => {
    const u = await newSubscriber();
    const a = await startLogin(u);
    t.clock.advance((t.config.OTP_TTL_SECONDS + 1) * 1000);
    const expired = await request(server).post('/api/auth/otp').send(otpBody(a));
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('OTP_EXPIRED');

    const b = await startLogin(u);
    const c = await startLogin(u);
    const crossed = await request(server)
      .post('/api/auth/otp')
      .send({ challengeId: c.challengeId, otp: b.otp });
    expect(crossed.body.error.code).toBe(b.otp === c.otp ? undefined : 'OTP_INVALID');
    await request(server).post('/api/auth/otp').send({ challengeId: b.challengeId, otp: b.otp }).expect(200);
    const reused = await request(server)
      .post('/api/auth/otp')
      .send({ challengeId: b.challengeId, otp: b.otp });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('OTP_ALREADY_USED');

    const unknown = await request(server)
      .post('/api/auth/otp')
      .send({ challengeId: '00000000-0000-4000-8000-000000000000', otp: '123456' });
    expect(unknown.body.error.code).toBe('OTP_CHALLENGE_NOT_FOUND');
    const malformed = await request(server)
      .post('/api/auth/otp')
      .send({ challengeId: b.challengeId, otp: '12ab' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.details.fields[0].field).toBe('otp');
  });

  it('allows at most OTP_MAX_ATTEMPTS wrong codes per attempt, then refuses even the right one', async () => {
    const u = await newSubscriber();
    const a = await startLogin(u);
    for (let i = 1; i <= t.config.OTP_MAX_ATTEMPTS; i++) {
      const r = await request(server)
        .post('/api/auth/otp')
        .send({ challengeId: a.challengeId, otp: wrongOtp(a.otp) });
      expect(r.body.error.code).toBe('OTP_INVALID');
      expect(r.body.error.details.remainingAttempts).toBe(t.config.OTP_MAX_ATTEMPTS - i);
    }
    const r = await request(server).post('/api/auth/otp').send(otpBody(a));
    expect(r.body.error.code).toBe('OTP_ATTEMPTS_EXCEEDED');
  });

  it('resends a code at most once per interval; the new code replaces the old', async () => {
    const u = await newSubscriber();
    const a = await startLogin(u);
    const soon = await request(server).post('/api/auth/otp/resend').send({ challengeId: a.challengeId });
    expect(soon.status).toBe(429);
    expect(soon.body.error.code).toBe('OTP_RESEND_TOO_SOON');
    expect(soon.body.error.details.retryAfterSeconds).toBeGreaterThan(0);
    t.clock.advance(t.config.OTP_RESEND_INTERVAL_SECONDS * 1000);
    const mark = smtp.messages.length;
    await request(server).post('/api/auth/otp/resend').send({ challengeId: a.challengeId }).expect(200);
    const mail = await smtp.waitFor((m) => m.to.includes(u.email) && OTP_LINE.test(m.text), 10_000, mark);
    const fresh = OTP_LINE.exec(mail.text)![1];
    if (fresh !== a.otp) {
      const stale = await request(server).post('/api/auth/otp').send(otpBody(a));
      expect(stale.body.error.code).toBe('OTP_INVALID');
    }
    await request(server).post('/api/auth/otp').send({ challengeId: a.challengeId, otp: fresh }).expect(200);
  });

  it('locks after LOCKOUT_THRESHOLD wrong passwords, mails the holder, ends sessions; only an RA officer unlocks a subscriber', async () => {
    const u = await newSubscriber();
    const session = await loginWithOtp(server, smtp, u);
    const wrong = { loginKey: u.loginKey, loginId: u.loginId, password: 'wrong-password-123' };
    for (let i = 1; i < t.config.LOCKOUT_THRESHOLD; i++) {
      const r = await request(server).post('/api/auth/login').send(wrong);
      expect(r.body.error.code).toBe('INVALID_CREDENTIALS');
    }
    const mark = smtp.messages.length;
    const locking = await request(server).post('/api/auth/login').send(wrong);
    expect(locking.status).toBe(403);
    expect(locking.body.error.code).toBe('ACCOUNT_LOCKED');
    const notice = await smtp.waitFor(
      (m) => m.to.includes(u.email) && m.subject.includes('ログインが停止'),
      10_000,
      mark,
    );
    expect(notice.text).not.toMatch(/\d{6}/);
    // Even the right password is refused while locked, and the open session has ended.
    const right = await request(server).post('/api/auth/login').send(creds(u));
    expect(right.body.error.code).toBe('ACCOUNT_LOCKED');
    await request(server).get('/api/me').set('Authorization', `Bearer ${session.token}`).expect(401);

    const loanOfficer = await createStaff(t, [StaffRole.LOAN_OFFICER], { smtp });
    const admin = await createStaff(t, [StaffRole.ADMIN], { smtp });
    for (const who of [loanOfficer, admin]) {
      const r = await request(server)
        .post(`/api/ra/subscribers/${u.id}/unlock`)
        .set('Authorization', `Bearer ${who.token}`);
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('FORBIDDEN');
    }
    await request(server)
      .post(`/api/ra/subscribers/${u.id}/unlock`)
      .set('Authorization', `Bearer ${officer.token}`)
      .expect(200);
    const notLocked = await request(server)
      .post(`/api/ra/subscribers/${u.id}/unlock`)
      .set('Authorization', `Bearer ${officer.token}`);
    expect(notLocked.body.error.code).toBe('NOT_LOCKED');
    await loginWithOtp(server, smtp, u);
  });

  it('locks after LOCKOUT_THRESHOLD wrong OTPs across attempts; a staff member is unlocked by an admin only', async () => {
    const s = await createStaff(t, [StaffRole.LOAN_OFFICER], { smtp });
    let wrongs = 0;
    let last: request.Response | undefined;
    while (wrongs < t.config.LOCKOUT_THRESHOLD) {
      const a = await startLogin(s);
      for (let i = 0; i < t.config.OTP_MAX_ATTEMPTS && wrongs < t.config.LOCKOUT_THRESHOLD; i++, wrongs++) {
        last = await request(server)
          .post('/api/auth/otp')
          .send({ challengeId: a.challengeId, otp: wrongOtp(a.otp) });
      }
    }
    expect(last!.body.error.code).toBe('ACCOUNT_LOCKED');
    const r = await request(server).post('/api/auth/login').send(creds(s));
    expect(r.body.error.code).toBe('ACCOUNT_LOCKED');

    const ra = await request(server)
      .post(`/api/staff/${s.id}/unlock`)
      .set('Authorization', `Bearer ${officer.token}`);
    expect(ra.status).toBe(403);
    const admin = await createStaff(t, [StaffRole.ADMIN], { smtp });
    await request(server)
      .post(`/api/staff/${s.id}/unlock`)
      .set('Authorization', `Bearer ${admin.token}`)
      .expect(200);
    await loginWithOtp(server, smtp, s);
  });

  it('keeps an OTP single-use and counts every wrong password under concurrent requests', async () => {
    const u = await newSubscriber();
    const a = await startLogin(u);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => request(server).post('/api/auth/otp').send(otpBody(a))),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(
      results.filter((r) => r.status !== 200).map((r) => (r.body as { error: { code: string } }).error.code),
    ).toEqual(Array(4).fill('OTP_ALREADY_USED'));

    const wrong = { loginKey: u.loginKey, loginId: u.loginId, password: 'wrong-password-123' };
    const parallel = await Promise.all(
      Array.from({ length: t.config.LOCKOUT_THRESHOLD }, () =>
        request(server).post('/api/auth/login').send(wrong),
      ),
    );
    expect(parallel.filter((r) => r.body.error.code === 'ACCOUNT_LOCKED')).toHaveLength(1);
    const after = await request(server).post('/api/auth/login').send(creds(u));
    expect(after.body.error.code).toBe('ACCOUNT_LOCKED');
  });

  it('ends a session after the idle timeout and after the absolute lifetime', async () => {
    const s = await createStaff(t, [StaffRole.AUDITOR], { smtp });
    const bearer = `Bearer ${s.token}`;
    t.clock.advance((t.config.SESSION_IDLE_MINUTES - 1) * 60_000);
    await request(server).get('/api/me').set('Authorization', bearer).expect(200);
    t.clock.advance(t.config.SESSION_IDLE_MINUTES * 60_000);
    const idle = await request(server).get('/api/me').set('Authorization', bearer);
    expect(idle.status).toBe(401);
    expect(idle.body.error).toMatchObject({ code: 'UNAUTHENTICATED', details: { reason: 'idle' } });

    const fresh = await loginWithOtp(server, smtp, s);
    const step = (t.config.SESSION_IDLE_MINUTES - 1) * 60_000;
    let elapsed = 0;
    while (elapsed + step < t.config.SESSION_ABSOLUTE_HOURS * 3_600_000) {
      t.clock.advance(step);
      elapsed += step;
      await request(server).get('/api/me').set('Authorization', `Bearer ${fresh.token}`).expect(200);
    }
    t.clock.advance(step);
    const expired = await request(server).get('/api/me').set('Authorization', `Bearer ${fresh.token}`);
    expect(expired.body.error.details.reason).toBe('expired');
  });

  it('logs out: the token stops working', async () => {
    const s = await createStaff(t, [StaffRole.AUDITOR], { smtp });
    await request(server).post('/api/auth/logout').set('Authorization', `Bearer ${s.token}`).expect(200);
    await request(server).get('/api/me').set('Authorization', `Bearer ${s.token}`).expect(401);
    await request(server).get('/api/me').expect(401);
  });

  it('uses HttpOnly SameSite=Strict cookies and refuses cookie writes without the CSRF header', async () => {
    const s = await createStaff(t, [StaffRole.AUDITOR], { smtp });
    const a = await startLogin(s);
    const res = await request(server).post('/api/auth/otp').send(otpBody(a)).expect(200);
    const setCookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const session = setCookie.find((c) => c.startsWith('session='))!;
    const csrf = setCookie.find((c) => c.startsWith('csrf='))!;
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Strict/i);
    expect(csrf).not.toMatch(/HttpOnly/i);
    const cookieHeader = [session, csrf].map((c) => c.split(';')[0]).join('; ');
    const csrfValue = decodeURIComponent(csrf.split(';')[0].slice('csrf='.length));

    await request(server).get('/api/me').set('Cookie', cookieHeader).expect(200);
    const noHeader = await request(server).post('/api/auth/logout').set('Cookie', cookieHeader);
    expect(noHeader.status).toBe(403);
    expect(noHeader.body.error.code).toBe('CSRF_FAILED');
    const forged = await request(server)
      .post('/api/auth/logout')
      .set('Cookie', `${session.split(';')[0]}; csrf=forged`)
      .set('X-CSRF-Token', 'forged');
    expect(forged.body.error.code).toBe('CSRF_FAILED');
    await request(server)
      .post('/api/auth/logout')
      .set('Cookie', cookieHeader)
      .set('X-CSRF-Token', csrfValue)
      .expect(200);
    await request(server).get('/api/me').set('Cookie', cookieHeader).expect(401);
  });

  it('redirects a browser without a session to the personal-URL notice page', async () => {
    const r = await request(server).get('/home').set('Accept', 'text/html');
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe('/login-required');
    const page = await request(server).get('/login-required').expect(200);
    expect(page.text).toContain('個人専用ログインURL');
    // The login page looks the same whatever the key (no oracle).
    const a = await request(server).get(`/login/${officer.loginKey}`).expect(200);
    const b = await request(server).get('/login/not-a-key').expect(200);
    expect(a.text).toBe(b.text);
  });

  it('audits logins and failures without secrets', async () => {
    const u = await newSubscriber();
    await request(server)
      .post('/api/auth/login')
      .send({ loginKey: u.loginKey, loginId: u.loginId, password: 'wrong-password-123' })
      .expect(401);
    const s = await loginWithOtp(server, smtp, u);
    const entries = await t.app.get(AuditLog).list({ subject: `subscriber:${u.id}`, limit: 50 });
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'subscriber.registered',
        'auth.login.failed',
        'auth.password.verified',
        'auth.login.succeeded',
      ]),
    );
    const text = JSON.stringify(entries);
    expect(text).not.toContain(u.password);
    expect(text).not.toContain('wrong-password-123');
    expect(text).not.toContain(u.loginKey);
    expect(text).not.toContain(s.token);
  });
});
