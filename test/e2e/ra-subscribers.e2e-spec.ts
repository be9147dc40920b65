import request from 'supertest';
import type { App } from 'supertest/types';
import {
  AccountLifecycle,
  AccountStatusChanged,
  SubscriberDetailsChanged,
} from '../../src/identity/account-lifecycle';
import { StaffRole } from '../../src/identity/auth/principal';
import { StaffDirectory, SubscriberDirectory } from '../../src/identity/subscriber-directory.service';
import { AuditLog } from '../../src/platform/audit/audit-log';
import { MailSender } from '../../src/platform/mail/mail-sender';
import { OutboxMailSender } from '../../src/platform/mail/outbox-mail-sender';
import {
  createStaff,
  createSubscriber,
  loginWithOtp,
  strongPassword,
  TestPerson,
  uniqueEmail,
} from '../helpers/identity';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

function idsOf(res: request.Response): string[] {
  return (res.body as { items: { id: string }[] }).items.map((s) => s.id);
}
function fieldsOf(res: request.Response): string[] {
  return (res.body as { error: { details: { fields: { field: string }[] } } }).error.details.fields.map(
    (f) => f.field,
  );
}

describe('registration authority: subscribers (e2e)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let server: App;
  let officer: TestPerson;
  let auditor: TestPerson;
  let loanOfficer: TestPerson;
  let outbox: OutboxMailSender;

  beforeAll(async () => {
    t = await createTestApp();
    server = t.app.getHttpServer();
    outbox = t.app.get<MailSender, OutboxMailSender>(MailSender);
    officer = await createStaff(t, [StaffRole.RA_OFFICER]);
    auditor = await createStaff(t, [StaffRole.AUDITOR]);
    loanOfficer = await createStaff(t, [StaffRole.LOAN_OFFICER]);
  });
  afterAll(async () => destroyTestApp(t));

  const as = (p: TestPerson) => ({ Authorization: `Bearer ${p.token}` });

  function body(overrides: Record<string, unknown> = {}) {
    return {
      kind: 'corporate',
      name: '阿武隈 一郎',
      nameKana: 'アブクマ イチロウ',
      email: uniqueEmail('corp'),
      phone: '024-123-4567',
      birthDate: '1970-01-15',
      corporationName: '株式会社阿武隈製作所',
      officerTitle: '代表取締役',
      officerAuthority: '金銭消費貸借契約の締結に関する一切の権限',
      identityVerification: {
        documentType: 'drivers_license',
        documentNumberLast4: '5678',
        verifiedAt: new Date(t.clock.now().getTime() - 3_600_000).toISOString(),
      },
      ...overrides,
    };
  }

  it('registers a corporate e-contract officer and hands back ID, temporary password and login URL once', async () => {
    const b = body();
    const res = await request(server).post('/api/ra/subscribers').set(as(officer)).send(b).expect(201);
    expect(res.body).toEqual({
      id: expect.any(String),
      loginId: expect.stringMatching(/^U\d{8}$/),
      temporaryPassword: expect.any(String),
      loginUrl: expect.stringMatching(new RegExp(`^${t.config.publicUrl}/login/[A-Za-z0-9_-]{22}$`)),
    });
    const got = await request(server).get(`/api/ra/subscribers/${res.body.id}`).set(as(officer)).expect(200);
    expect(got.body).toMatchObject({
      kind: 'corporate',
      corporationName: '株式会社阿武隈製作所',
      officerTitle: '代表取締役',
      status: 'active',
      identityVerification: {
        documentType: 'drivers_license',
        documentNumberLast4: '5678',
        verifiedBy: officer.id,
      },
    });
    expect(JSON.stringify(got.body)).not.toContain(res.body.temporaryPassword);
    // The directory other modules use returns the same person.
    const rec = await t.app.get(SubscriberDirectory).findById(res.body.id);
    expect(rec).toMatchObject({
      name: '阿武隈 一郎',
      nameKana: 'アブクマ イチロウ',
      birthDate: '1970-01-15',
      kind: 'corporate',
    });
    // The welcome mail carries the URL, never the temporary password.
    const mails = (await outbox.list(1000)).filter((m) => m.to === b.email);
    expect(mails).toHaveLength(1);
    expect(mails[0].text).toContain(res.body.loginUrl);
    expect(mails[0].text).not.toContain(res.body.temporaryPassword);
  });

  it('refuses invalid registrations, naming the field', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ corporationName: undefined }, 'CORPORATION_NAME_REQUIRED', 'corporationName'],
      [{ nameKana: 'Abukuma' }, 'VALIDATION_FAILED', 'nameKana'],
      [{ email: 'not-an-email' }, 'VALIDATION_FAILED', 'email'],
      [{ kind: 'alien' }, 'VALIDATION_FAILED', 'kind'],
      [{ birthDate: '1970-02-30' }, 'VALIDATION_FAILED', 'birthDate'],
      [{ identityVerification: undefined }, 'VALIDATION_FAILED', 'identityVerification'],
      [
        {
          identityVerification: {
            documentType: 'passport',
            documentNumberLast4: '12345',
            verifiedAt: '2026-01-01T00:00:00Z',
          },
        },
        'VALIDATION_FAILED',
        'identityVerification.documentNumberLast4',
      ],
      [
        {
          identityVerification: {
            documentType: 'passport',
            documentNumberLast4: '1234',
            verifiedAt: new Date(t.clock.now().getTime() + 86_400_000).toISOString(),
          },
        },
        'VALIDATION_FAILED',
        'identityVerification.verifiedAt',
      ],
    ];
    for (const [o, code, field] of cases) {
      const res = await request(server).post('/api/ra/subscribers').set(as(officer)).send(body(o));
      if (res.status !== 400) throw new Error(`${field}: ${res.status} ${JSON.stringify(res.body)}`);
      expect(res.body.error.code).toBe(code);
      expect(fieldsOf(res)).toContain(field);
    }
  });

  it('lets only RA officers register; auditors read; subscribers cannot see other subscribers', async () => {
    const r1 = await request(server).post('/api/ra/subscribers').set(as(loanOfficer)).send(body());
    expect(r1.status).toBe(403);
    expect(r1.body.error.code).toBe('FORBIDDEN');
    await request(server).post('/api/ra/subscribers').set(as(auditor)).send(body()).expect(403);
    await request(server).post('/api/ra/subscribers').send(body()).expect(401);

    const a = await createSubscriber(t, { officer });
    const b = await createSubscriber(t, { officer });
    await request(server).get(`/api/ra/subscribers/${a.id}`).set(as(auditor)).expect(200);
    const peek = await request(server).get(`/api/ra/subscribers/${a.id}`).set(as(b));
    expect(peek.status).toBe(403);
    await request(server).get('/api/ra/subscribers').set(as(b)).expect(403);
    await request(server).get(`/api/ra/subscribers/${a.id}`).set(as(loanOfficer)).expect(403);
    await request(server).post(`/api/ra/subscribers/${a.id}/suspend`).set(as(auditor)).send({}).expect(403);
    // A subscriber sees only themself.
    const me = await request(server).get('/api/me').set(as(b)).expect(200);
    expect(me.body.user.id).toBe(b.id);
  });

  it('searches by kana, name, login ID and corporation name', async () => {
    const reg = await request(server)
      .post('/api/ra/subscribers')
      .set(as(officer))
      .send(
        body({
          kind: 'individual',
          corporationName: undefined,
          name: '検索 対象子',
          nameKana: 'ケンサク タイショウコ',
        }),
      )
      .expect(201);
    for (const query of ['タイショウコ', '対象子', reg.body.loginId]) {
      const res = await request(server)
        .get('/api/ra/subscribers')
        .query({ query })
        .set(as(auditor))
        .expect(200);
      expect(idsOf(res)).toContain(reg.body.id);
    }
    const none = await request(server)
      .get('/api/ra/subscribers')
      .query({ query: '%' })
      .set(as(officer))
      .expect(200);
    expect(idsOf(none)).not.toContain(reg.body.id);
    const bad = await request(server).get('/api/ra/subscribers').query({ limit: 'x' }).set(as(officer));
    expect(bad.status).toBe(400);
  });

  it('records a name and email change with who and when, and notifies the new address (EC-12)', async () => {
    const u = await createSubscriber(t, { officer });
    const newEmail = uniqueEmail('moved');
    const res = await request(server)
      .patch(`/api/ra/subscribers/${u.id}`)
      .set(as(officer))
      .send({ name: '新姓 花子', email: newEmail })
      .expect(200);
    expect(res.body).toMatchObject({ name: '新姓 花子', email: newEmail });
    const hist = await request(server)
      .get(`/api/ra/subscribers/${u.id}/history`)
      .set(as(auditor))
      .expect(200);
    expect(hist.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: 'name',
          oldValue: '電子 花子',
          newValue: '新姓 花子',
          changedBy: `staff:${officer.id}`,
        }),
        expect.objectContaining({ field: 'email', oldValue: u.email, newValue: newEmail }),
      ]),
    );
    const notice = (await outbox.list(1000)).find((m) => m.to === newEmail && m.tag === 'email-changed');
    expect(notice).toBeDefined();
    const audit = await t.app
      .get(AuditLog)
      .list({ subject: `subscriber:${u.id}`, action: 'subscriber.updated' });
    expect(audit[0]).toMatchObject({ actor: `staff:${officer.id}`, details: { fields: ['name', 'email'] } });
    // The OTP now goes to the new address.
    await loginWithOtp(server, outbox, { ...u, email: newEmail });
  });

  it('suspends (sessions end, login refused), reactivates, restricts (EC-18) and deletes (login disabled, records kept)', async () => {
    const u = await createSubscriber(t, { officer });
    const post = (action: string, who = officer) =>
      request(server)
        .post(`/api/ra/subscribers/${u.id}/${action}`)
        .set(as(who))
        .send({ reason: '届出による' });

    expect((await post('suspend')).body).toEqual({ id: u.id, status: 'suspended' });
    await request(server).get('/api/me').set(as(u)).expect(401);
    const refused = await request(server)
      .post('/api/auth/login')
      .send({ loginKey: u.loginKey, loginId: u.loginId, password: u.password });
    expect(refused.body.error.code).toBe('ACCOUNT_SUSPENDED');
    expect((await post('suspend')).body.error.code).toBe('INVALID_STATUS_TRANSITION');

    await post('reactivate').expect(200);
    await post('restrict').expect(200);
    const restricted = await loginWithOtp(server, outbox, u);
    const me = await request(server)
      .get('/api/me')
      .set('Authorization', `Bearer ${restricted.token}`)
      .expect(200);
    expect(me.body.user.status).toBe('restricted');

    await request(server)
      .delete(`/api/ra/subscribers/${u.id}`)
      .set(as(officer))
      .send({ reason: '退職' })
      .expect(200);
    await request(server).get('/api/me').set('Authorization', `Bearer ${restricted.token}`).expect(401);
    const gone = await request(server)
      .post('/api/auth/login')
      .send({ loginKey: u.loginKey, loginId: u.loginId, password: u.password });
    expect(gone.body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await post('reactivate')).body.error.code).toBe('INVALID_STATUS_TRANSITION');
    const kept = await request(server).get(`/api/ra/subscribers/${u.id}`).set(as(auditor)).expect(200);
    expect(kept.body.status).toBe('deleted');
    const hist = await request(server)
      .get(`/api/ra/subscribers/${u.id}/history`)
      .set(as(auditor))
      .expect(200);
    expect(
      (hist.body as { items: { field: string; newValue: string }[] }).items
        .filter((c) => c.field === 'status')
        .map((c) => c.newValue),
    ).toEqual(['suspended', 'active', 'restricted', 'deleted']);
    await request(server)
      .get('/api/ra/subscribers/00000000-0000-4000-8000-000000000000')
      .set(as(officer))
      .expect(404);
    await request(server).get('/api/ra/subscribers/not-a-uuid').set(as(officer)).expect(400);
  });

  it('tells lifecycle listeners inside the transaction; a refusing listener rolls the change back', async () => {
    const u = await createSubscriber(t, { officer });
    const lifecycle = t.app.get(AccountLifecycle);
    const seen: AccountStatusChanged[] = [];
    let refuse = true;
    lifecycle.onStatusChanged((e, m) => {
      if (e.accountId !== u.id) return Promise.resolve();
      expect(m.queryRunner?.isTransactionActive).toBe(true);
      seen.push(e);
      return refuse ? Promise.reject(new Error('certificate revocation failed')) : Promise.resolve();
    });
    const failed = await request(server).delete(`/api/ra/subscribers/${u.id}`).set(as(officer)).send({});
    expect(failed.status).toBe(500);
    const still = await request(server).get(`/api/ra/subscribers/${u.id}`).set(as(officer)).expect(200);
    expect(still.body.status).toBe('active');
    refuse = false;
    await request(server)
      .delete(`/api/ra/subscribers/${u.id}`)
      .set(as(officer))
      .send({ reason: '退会' })
      .expect(200);
    expect(seen.map((e) => [e.from, e.to, e.reason])).toEqual([
      ['active', 'deleted', null],
      ['active', 'deleted', '退会'],
    ]);
    const v = await createSubscriber(t, { officer });
    const details: SubscriberDetailsChanged[] = [];
    lifecycle.onSubscriberDetailsChanged((e) => {
      if (e.subscriberId === v.id) details.push(e);
      return Promise.resolve();
    });
    await request(server)
      .patch(`/api/ra/subscribers/${v.id}`)
      .set(as(officer))
      .send({ nameKana: 'カイメイ ハナコ' })
      .expect(200);
    expect(details).toEqual([{ subscriberId: v.id, fields: ['nameKana'], actor: `staff:${officer.id}` }]);
  });
});

describe('staff administration and the first administrator (e2e)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let server: App;
  let notices: string[];
  const adminPassword = strongPassword();

  beforeAll(async () => {
    t = await createTestApp({
      env: { ADMIN_LOGIN_ID: 'first.admin', ADMIN_EMAIL: 'first-admin@example.jp' },
    });
    server = t.app.getHttpServer();
    const { StartupNotices } = await import('../../src/platform/startup-notices');
    notices = t.app.get(StartupNotices).drain();
  });
  afterAll(async () => destroyTestApp(t));

  it('creates the first administrator once, with a temporary password shown only in the startup notices', async () => {
    const text = notices.join('\n');
    expect(text).toContain('first.admin');
    const url = /ログインURL: (\S+)/.exec(text)![1];
    const password = /仮パスワード: (\S+)（/.exec(text)![1];
    expect(url.startsWith(`${t.config.publicUrl}/login/`)).toBe(true);
    const loginKey = url.split('/login/')[1];
    const outbox = t.app.get<MailSender, OutboxMailSender>(MailSender);
    const first = await loginWithOtp(server, outbox, {
      loginKey,
      loginId: 'first.admin',
      password,
      email: 'first-admin@example.jp',
    });
    expect(first.mustChangePassword).toBe(true);
    expect(first.user.roles).toEqual([StaffRole.ADMIN]);
    await request(server)
      .post('/api/auth/password')
      .set('Authorization', `Bearer ${first.token}`)
      .send({ currentPassword: password, newPassword: adminPassword })
      .expect(200);

    // A later start over the same database creates nobody and prints nothing.
    const again = await createTestApp({ reuse: { dir: t.dir, env: t.env } });
    try {
      const { StartupNotices } = await import('../../src/platform/startup-notices');
      expect(again.app.get(StartupNotices).drain()).toEqual([]);
    } finally {
      await again.close();
    }
  });

  it('lets an admin register, change, suspend and delete staff; others are refused', async () => {
    const admin = await createStaff(t, [StaffRole.ADMIN]);
    const other = await createStaff(t, [StaffRole.RA_OFFICER]);
    const reg = await request(server)
      .post('/api/staff')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ name: '署名 担当', email: uniqueEmail('signer'), roles: [StaffRole.BANK_SIGNER] })
      .expect(201);
    expect(reg.body.loginId).toMatch(/^S\d{8}$/);
    const refused = await request(server)
      .post('/api/staff')
      .set('Authorization', `Bearer ${other.token}`)
      .send({ name: 'x', email: uniqueEmail(), roles: [StaffRole.ADMIN] });
    expect(refused.status).toBe(403);
    const badRole = await request(server)
      .post('/api/staff')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ name: 'x', email: uniqueEmail(), roles: ['superuser'] });
    expect(badRole.body.error.details.fields[0].field).toBe('roles');
    const dup = await request(server)
      .post('/api/staff')
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ name: 'x', email: uniqueEmail(), roles: [StaffRole.AUDITOR], loginId: reg.body.loginId });
    expect(dup.body.error.code).toBe('LOGIN_ID_TAKEN');

    const upd = await request(server)
      .patch(`/api/staff/${reg.body.id}`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ roles: [StaffRole.BANK_SIGNER, StaffRole.LOAN_OFFICER] })
      .expect(200);
    expect(upd.body.roles).toEqual([StaffRole.BANK_SIGNER, StaffRole.LOAN_OFFICER]);
    await request(server)
      .post(`/api/staff/${other.id}/suspend`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({})
      .expect(200);
    await request(server).get('/api/me').set('Authorization', `Bearer ${other.token}`).expect(401);
    const restrict = await request(server)
      .post(`/api/staff/${other.id}/restrict`)
      .set('Authorization', `Bearer ${admin.token}`);
    expect(restrict.status).toBe(404);
    await request(server)
      .delete(`/api/staff/${reg.body.id}`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({})
      .expect(200);
    const list = await request(server)
      .get('/api/staff')
      .set('Authorization', `Bearer ${admin.token}`)
      .expect(200);
    expect(idsOf(list)).not.toContain(reg.body.id);

    const self = await request(server)
      .delete(`/api/staff/${admin.id}`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({});
    expect(self.body.error.code).toBe('SELF_MANAGEMENT_FORBIDDEN');
    const demote = await request(server)
      .patch(`/api/staff/${admin.id}`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ roles: [StaffRole.AUDITOR] });
    expect(demote.body.error.code).toBe('SELF_MANAGEMENT_FORBIDDEN');
  });

  it('never leaves the bank without an active administrator, even when two suspend each other at once', async () => {
    const a = await createStaff(t, [StaffRole.ADMIN]);
    const b = await createStaff(t, [StaffRole.ADMIN]);
    const list = await request(server)
      .get('/api/staff')
      .set('Authorization', `Bearer ${a.token}`)
      .expect(200);
    for (const s of (list.body as { items: { id: string; roles: string[]; status: string }[] }).items) {
      if (s.id !== a.id && s.id !== b.id && s.roles.includes('admin') && s.status === 'active') {
        await request(server)
          .post(`/api/staff/${s.id}/suspend`)
          .set('Authorization', `Bearer ${a.token}`)
          .send({})
          .expect(200);
      }
    }
    const [ab, ba] = await Promise.all([
      request(server).post(`/api/staff/${b.id}/suspend`).set('Authorization', `Bearer ${a.token}`).send({}),
      request(server).post(`/api/staff/${a.id}/suspend`).set('Authorization', `Bearer ${b.token}`).send({}),
    ]);
    const statuses = [ab.status, ba.status].sort();
    expect(statuses[0]).toBe(200);
    expect(statuses[1]).not.toBe(200);
    const loser = ab.status === 200 ? ba : ab;
    expect(['LAST_ADMIN', 'UNAUTHENTICATED']).toContain(
      (loser.body as { error: { code: string } }).error.code,
    );
    const admins = await t.app.get(StaffDirectory).list({ role: StaffRole.ADMIN });
    expect(admins.filter((s) => s.status === 'active')).toHaveLength(1);
  });
});
