import request from 'supertest';
import { StaffRole } from '../../src/identity/auth/principal';
import { createStaff, createSubscriber } from '../helpers/identity';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

describe('identity test helpers (e2e, outbox)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => destroyTestApp(t));

  it('creates a logged-in staff member whose password is already changed', async () => {
    const s = await createStaff(t, [StaffRole.LOAN_OFFICER, StaffRole.BANK_SIGNER]);
    const me = await request(t.app.getHttpServer())
      .get('/api/me')
      .set('Authorization', `Bearer ${s.token}`)
      .expect(200);
    expect(me.body).toMatchObject({
      mustChangePassword: false,
      user: {
        id: s.id,
        loginId: s.loginId,
        kind: 'staff',
        roles: [StaffRole.LOAN_OFFICER, StaffRole.BANK_SIGNER],
      },
    });
  });

  it('creates a logged-in subscriber', async () => {
    const u = await createSubscriber(t, { kind: 'corporate', corporationName: '株式会社あぶくま商事' });
    const me = await request(t.app.getHttpServer())
      .get('/api/me')
      .set('Authorization', `Bearer ${u.token}`)
      .expect(200);
    expect(me.body.user).toMatchObject({
      id: u.id,
      kind: 'subscriber',
      subscriberKind: 'corporate',
      status: 'active',
    });
  });
});
