import request from 'supertest';
import { ContractRepository } from '../../src/contracts/contract.repository';
import { ContractSweep } from '../../src/contracts/contract-sweep.usecase';
import { StaffRole } from '../../src/identity/auth/principal';
import { IssueSubscriberCertificate } from '../../src/pki/issue-subscriber-certificate.usecase';
import { MailSender } from '../../src/platform/mail/mail-sender';
import { OutboxMailSender } from '../../src/platform/mail/outbox-mail-sender';
import { auth, PINS, postContract, prepareSigning } from '../helpers/contracts';
import { createStaff, createSubscriber, loginWithOtp, TestPerson } from '../helpers/identity';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

const HOUR = 3_600_000;

/** Deadlines, reminders and the copy period (EC-10), with the clock moved by the test. */
describe('contracts: deadlines, reminders and copies (e2e)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let outbox: OutboxMailSender;
  let identityId: string;
  const server = () => t.app.getHttpServer();

  beforeAll(async () => {
    t = await createTestApp({
      env: {
        CONTRACT_REMINDER_DAYS_BEFORE: '3',
        CONTRACT_REMINDER_INTERVAL_HOURS: '24',
        CONTRACT_COPY_DOWNLOAD_DAYS: '7',
      },
    });
    outbox = t.app.get<OutboxMailSender>(MailSender);
    identityId = await prepareSigning(t, []);
  });
  afterAll(async () => destroyTestApp(t));

  /** Fresh people each time: the clock jumps past session lifetimes. */
  async function people() {
    const officer = await createStaff(t, [StaffRole.LOAN_OFFICER]);
    const bank = await createStaff(t, [StaffRole.BANK_SIGNER]);
    const debtor = await createSubscriber(t);
    await prepareSigningFor(debtor);
    return { officer, bank, debtor };
  }

  async function prepareSigningFor(p: TestPerson) {
    await t.app
      .get(IssueSubscriberCertificate)
      .execute({ subscriberId: p.id, pin: PINS.debtor, actor: 'test' });
  }

  async function bankSigned(officer: TestPerson, bank: TestPerson, signerIds: string[], deadline?: string) {
    const c = await postContract(server(), officer.token, { signerIds, deadline }).expect(201);
    await request(server())
      .post(`/api/contracts/${c.body.id}/bank-signature`)
      .set(auth(bank.token))
      .send({ signingIdentityId: identityId, pin: PINS.bank })
      .expect(200);
    return c.body.id as string;
  }

  const mailsTo = async (email: string, tag: string) =>
    (await outbox.list(10_000)).filter((m) => m.to === email && m.tag === tag);

  it('reminds the current signer before the deadline, once per interval, then expires the contract', async () => {
    const { officer, bank, debtor } = await people();
    const deadline = new Date(t.clock.now().getTime() + 5 * 24 * HOUR).toISOString();
    const id = await bankSigned(officer, bank, [debtor.id], deadline);
    const sweep = t.app.get(ContractSweep);

    // Outside the window: no reminder.
    await sweep.run();
    expect(await mailsTo(debtor.email, 'contract-reminder')).toHaveLength(0);
    t.clock.advance(2 * 24 * HOUR + HOUR); // 3 days minus an hour before the deadline
    expect((await sweep.run()).reminded).toBeGreaterThanOrEqual(1);
    const reminders = await mailsTo(debtor.email, 'contract-reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0].subject).toContain('署名期限');
    // EC-07: the reminder carries the debtor's own personal login URL, and no other.
    expect(reminders[0].text.match(/https?:\/\/\S+\/login\/[A-Za-z0-9_-]+/g)).toEqual([
      `${t.config.publicUrl}/login/${debtor.loginKey}`,
    ]);
    await sweep.run();
    expect(await mailsTo(debtor.email, 'contract-reminder')).toHaveLength(1);
    t.clock.advance(24 * HOUR);
    await sweep.run();
    expect(await mailsTo(debtor.email, 'contract-reminder')).toHaveLength(2);

    t.clock.advance(2 * 24 * HOUR);
    expect((await sweep.run()).expired).toBeGreaterThanOrEqual(1);
    const l = await t.app.get(ContractRepository).load(id);
    expect(l.contract.status).toBe('expired');
    expect(await mailsTo(debtor.email, 'contract-expired')).toHaveLength(1);
    expect(await mailsTo(officer.email, 'contract-expired')).toHaveLength(1);
    const events = (await t.app.get(ContractRepository).eventsOf(id)).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['reminded', 'expired']));

    // The debtor, logged in again, is refused with a clear code; nothing changes.
    const session = await loginWithOtp(server(), outbox, { ...debtor, email: debtor.email });
    const r = await request(server())
      .post(`/api/contracts/${id}/signature`)
      .set(auth(session.token))
      .send({ pin: PINS.debtor, agreed: true });
    expect([r.status, r.body.error.code]).toEqual([409, 'CONTRACT_EXPIRED']);
    expect((await t.app.get(ContractRepository).load(id)).contract.rowVersion).toBe(l.contract.rowVersion);
  });

  it('lets a party download the copy only during the configured period; staff and auditors keep access', async () => {
    const { officer, bank, debtor } = await people();
    const auditor = await createStaff(t, [StaffRole.AUDITOR]);
    const id = await bankSigned(officer, bank, [debtor.id]);
    await request(server())
      .post(`/api/contracts/${id}/signature`)
      .set(auth(debtor.token))
      .send({ pin: PINS.debtor, agreed: true })
      .expect(200);
    await request(server()).get(`/api/contracts/${id}/original`).set(auth(debtor.token)).expect(200);

    t.clock.advance(7 * 24 * HOUR + HOUR);
    const again = await loginWithOtp(server(), outbox, { ...debtor, email: debtor.email });
    const late = await request(server()).get(`/api/contracts/${id}/original`).set(auth(again.token));
    expect([late.status, late.body.error.code]).toEqual([403, 'COPY_PERIOD_OVER']);
    const auditorAgain = await loginWithOtp(server(), outbox, { ...auditor, email: auditor.email });
    await request(server()).get(`/api/contracts/${id}/original`).set(auth(auditorAgain.token)).expect(200);
  });
});
