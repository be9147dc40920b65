import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { Principal, StaffRole } from '../../src/identity/auth/principal';
import { RegisterStaff } from '../../src/identity/register-staff.usecase';
import { Clock } from '../../src/platform/clock/clock';
import { MailSender } from '../../src/platform/mail/mail-sender';
import { OutboxMailSender } from '../../src/platform/mail/outbox-mail-sender';
import { RegisterSubscriber, RegisterSubscriberCommand } from '../../src/ra/register-subscriber.usecase';
import { TestSmtpServer } from './test-smtp-server';

/**
 * Factories for other modules' tests: people are registered through the real use cases and logged
 * in through the real login + emailed OTP flow (outbox or a TestSmtpServer), and their temporary
 * password is already changed.
 */
export interface TestPerson {
  id: string;
  loginId: string;
  /** The current (changed) password. */
  password: string;
  loginKey: string;
  email: string;
  /** A logged-in Bearer session. */
  token: string;
}

export type Mailbox = OutboxMailSender | TestSmtpServer;

interface TestAppLike {
  app: INestApplication;
  smtp?: TestSmtpServer;
}

const OTP_LINE = /ワンタイムパスワード: (\d{6})/;

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}@example.jp`;
}

/** A password the policy accepts (long, random). */
export function strongPassword(): string {
  return `Sakura-${randomBytes(9).toString('base64url')}-2026`;
}

function mailboxOf(t: TestAppLike, smtp?: TestSmtpServer): Mailbox {
  if (smtp ?? t.smtp) return (smtp ?? t.smtp)!;
  const mail = t.app.get(MailSender);
  if (!(mail instanceof OutboxMailSender)) {
    throw new Error('pass the TestSmtpServer the app sends to (SMTP_URL is set)');
  }
  return mail;
}

/** Marks what is already in the mailbox so the next OTP read is the new one. */
async function mark(mailbox: Mailbox): Promise<Set<string> | number> {
  if (mailbox instanceof TestSmtpServer) return mailbox.messages.length;
  return new Set((await mailbox.list(10_000)).map((e) => e.file));
}

/** Reads the newest OTP mailed to `email` after the mark. */
export async function readOtp(mailbox: Mailbox, email: string, since: Set<string> | number): Promise<string> {
  if (mailbox instanceof TestSmtpServer) {
    const m = await mailbox.waitFor(
      (x) => x.to.includes(email) && OTP_LINE.test(x.text),
      10_000,
      since as number,
    );
    return OTP_LINE.exec(m.text)![1];
  }
  const seen = since as Set<string>;
  const entry = (await mailbox.list(10_000)).find(
    (e) => !seen.has(e.file) && e.to === email && e.tag === 'otp',
  );
  if (!entry) throw new Error(`no OTP mail to ${email}`);
  return OTP_LINE.exec(entry.text)![1];
}

export interface LoginResult {
  token: string;
  mustChangePassword: boolean;
  challengeId: string;
  user: { id: string; loginId: string; kind: 'staff' | 'subscriber'; roles?: StaffRole[] };
}

/** Logs in through POST /api/auth/login and /api/auth/otp with the OTP read from the mailbox. */
export async function loginWithOtp(
  server: App,
  mailbox: Mailbox,
  creds: { loginKey: string; loginId: string; password: string; email?: string },
): Promise<LoginResult> {
  const before = await mark(mailbox);
  const login = await request(server).post('/api/auth/login').send({
    loginKey: creds.loginKey,
    loginId: creds.loginId,
    password: creds.password,
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  const challengeId = (login.body as { challengeId: string }).challengeId;
  const email = creds.email ?? (await emailOfLoginId(mailbox, before));
  const otp = await readOtp(mailbox, email, before);
  const res = await request(server).post('/api/auth/otp').send({ challengeId, otp });
  if (res.status !== 200) throw new Error(`OTP failed: ${res.status} ${JSON.stringify(res.body)}`);
  const body = res.body as Omit<LoginResult, 'challengeId'>;
  return { ...body, challengeId };
}

async function emailOfLoginId(mailbox: Mailbox, since: Set<string> | number): Promise<string> {
  // Without the address, take whichever OTP mail arrived after the mark.
  if (mailbox instanceof TestSmtpServer) {
    const m = await mailbox.waitFor((x) => OTP_LINE.test(x.text), 10_000, since as number);
    return m.to[0];
  }
  const seen = since as Set<string>;
  const entry = (await mailbox.list(10_000)).find((e) => !seen.has(e.file) && e.tag === 'otp');
  if (!entry) throw new Error('no OTP mail arrived');
  return entry.to;
}

/** Logs in with the temporary password, changes it, and returns the person with a fresh session. */
async function activate(
  t: TestAppLike,
  issued: { id: string; loginId: string; temporaryPassword: string; loginUrl: string },
  email: string,
  smtp?: TestSmtpServer,
): Promise<TestPerson> {
  const server = t.app.getHttpServer() as App;
  const loginKey = issued.loginUrl.slice(issued.loginUrl.lastIndexOf('/') + 1);
  const first = await loginWithOtp(server, mailboxOf(t, smtp), {
    loginKey,
    loginId: issued.loginId,
    password: issued.temporaryPassword,
    email,
  });
  const password = strongPassword();
  const changed = await request(server)
    .post('/api/auth/password')
    .set('Authorization', `Bearer ${first.token}`)
    .send({ currentPassword: issued.temporaryPassword, newPassword: password });
  if (changed.status !== 200) throw new Error(`password change failed: ${JSON.stringify(changed.body)}`);
  return {
    id: issued.id,
    loginId: issued.loginId,
    password,
    loginKey,
    email,
    token: (changed.body as { token: string }).token,
  };
}

export interface StaffOverrides {
  name?: string;
  email?: string;
  loginId?: string;
  smtp?: TestSmtpServer;
}

/** Registers a staff member with the roles (through RegisterStaff) and logs them in. */
export async function createStaff(
  t: TestAppLike,
  roles: StaffRole[],
  overrides: StaffOverrides = {},
): Promise<TestPerson> {
  const email = overrides.email ?? uniqueEmail('staff');
  const issued = await t.app.get(RegisterStaff).execute('test', {
    name: overrides.name ?? '試験 職員',
    email,
    roles,
    loginId: overrides.loginId,
  });
  return activate(t, issued, email, overrides.smtp);
}

export type SubscriberOverrides = Partial<RegisterSubscriberCommand> & {
  smtp?: TestSmtpServer;
  /** The RA officer recorded as having checked the identity documents (one is created if absent). */
  officer?: TestPerson;
};

const officers = new WeakMap<object, Promise<TestPerson>>();

/** Registers a subscriber through RegisterSubscriber (as an RA officer) and logs them in. */
export async function createSubscriber(
  t: TestAppLike,
  overrides: SubscriberOverrides = {},
): Promise<TestPerson> {
  const { smtp, officer: givenOfficer, ...cmd } = overrides;
  let officer = givenOfficer;
  if (!officer) {
    if (!officers.has(t.app)) officers.set(t.app, createStaff(t, [StaffRole.RA_OFFICER], { smtp }));
    officer = await officers.get(t.app)!;
  }
  const principal: Principal = {
    kind: 'staff',
    id: officer.id,
    loginId: officer.loginId,
    name: '試験 登録担当',
    email: officer.email,
    roles: [StaffRole.RA_OFFICER],
    sessionId: 'test',
  };
  const email = cmd.email ?? uniqueEmail('subscriber');
  const issued = await t.app.get(RegisterSubscriber).execute(principal, {
    kind: 'individual',
    name: '電子 花子',
    nameKana: 'デンシ ハナコ',
    birthDate: '1985-04-01',
    phone: '024-000-0000',
    identityVerification: {
      documentType: 'drivers_license',
      documentNumberLast4: '1234',
      verifiedAt: new Date(t.app.get(Clock).now().getTime() - 60_000).toISOString(),
    },
    ...cmd,
    email,
  });
  return activate(t, issued, email, smtp);
}
