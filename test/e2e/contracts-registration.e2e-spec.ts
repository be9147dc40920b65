import request from 'supertest';
import { StaffRole } from '../../src/identity/auth/principal';
import { auth, fixturePdf, postContract } from '../helpers/contracts';
import { createStaff, createSubscriber, TestPerson } from '../helpers/identity';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

/** Registration, visibility, cancellation and the refusals that need no signature. */
describe('contracts: registration and refusals (e2e)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let officer: TestPerson;
  let signer: TestPerson;
  let debtor: TestPerson;
  let guarantor: TestPerson;
  let stranger: TestPerson;
  const server = () => t.app.getHttpServer();

  beforeAll(async () => {
    t = await createTestApp();
    officer = await createStaff(t, [StaffRole.LOAN_OFFICER]);
    signer = await createStaff(t, [StaffRole.BANK_SIGNER]);
    debtor = await createSubscriber(t, { name: '電子 太郎' });
    guarantor = await createSubscriber(t, { name: '保証 次郎' });
    stranger = await createSubscriber(t, { name: '無関係 三郎' });
  });
  afterAll(async () => destroyTestApp(t));

  async function stateOf(id: string) {
    const res = await request(server()).get(`/api/contracts/${id}`).set(auth(officer.token)).expect(200);
    return {
      status: res.body.status as string,
      events: (res.body.events as unknown[]).length,
      version: res.body.currentVersion as number,
    };
  }

  it('registers a draft with the signers in order and records it', async () => {
    const res = await postContract(server(), officer.token, {
      signerIds: [debtor.id, guarantor.id],
      deadline: '2099-12-31',
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.any(String), status: 'draft' });
    const detail = await request(server())
      .get(`/api/contracts/${res.body.id}`)
      .set(auth(officer.token))
      .expect(200);
    expect(detail.body).toMatchObject({
      status: 'draft',
      loanType: 'housing',
      amountYen: 25_000_000,
      deadline: '2099-12-31T15:00:00.000Z',
      currentVersion: 1,
      parties: [
        { order: 1, role: 'debtor', name: '電子 太郎', subscriberId: debtor.id },
        { order: 2, role: 'guarantor', name: '保証 次郎', subscriberId: guarantor.id },
      ],
    });
    expect(detail.body.documents).toEqual([expect.objectContaining({ version: 1, kind: 'uploaded' })]);
    expect((detail.body.events as { type: string }[]).map((e) => e.type)).toEqual(['created']);
    // The stored version is the upload, byte for byte.
    const doc = await request(server())
      .get(`/api/contracts/${res.body.id}/document`)
      .set(auth(officer.token))
      .expect(200);
    expect(Buffer.compare(doc.body as Buffer, fixturePdf())).toBe(0);
    expect(doc.headers['x-content-sha256']).toBe(detail.body.currentSha256);
    // The bank signer's queue lists it; the debtor does not see a draft yet.
    const queue = await request(server())
      .get('/api/contracts?status=draft')
      .set(auth(signer.token))
      .expect(200);
    expect((queue.body.items as { id: string }[]).map((c) => c.id)).toContain(res.body.id);
    const mine = await request(server()).get('/api/contracts').set(auth(debtor.token)).expect(200);
    expect(mine.body.items).toEqual([]);
    await request(server()).get(`/api/contracts/${res.body.id}`).set(auth(debtor.token)).expect(404);
  });

  it.each([
    ['loan-encrypted-aes256.pdf', 'PDF_ENCRYPTED', 422],
    ['not-a-pdf.pdf', 'PDF_MALFORMED', 422],
    ['loan-truncated.pdf', 'PDF_MALFORMED', 422],
    ['loan-signed-by-other-software.pdf', 'PDF_SIGNING_FORBIDDEN', 422],
  ])('refuses %s with %s and stores nothing', async (file, code, status) => {
    const before = (await request(server()).get('/api/contracts').set(auth(officer.token))).body.items.length;
    const res = await postContract(server(), officer.token, {
      signerIds: [debtor.id],
      file: fixturePdf(file),
    });
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toEqual(expect.any(String));
    const after = (await request(server()).get('/api/contracts').set(auth(officer.token))).body.items.length;
    expect(after).toBe(before);
  });

  it('judges a PDF by content, not by name: a PDF named .txt is accepted, text named .pdf is not', async () => {
    const ok = await postContract(server(), officer.token, { signerIds: [debtor.id], filename: 'scan.txt' });
    expect(ok.status).toBe(201);
    const fake = await postContract(server(), officer.token, {
      signerIds: [debtor.id],
      file: Buffer.from('これは PDF ではありません'),
      filename: 'contract.pdf',
    });
    expect(fake.body.error.code).toBe('PDF_MALFORMED');
  });

  it('refuses bad fields, naming them', async () => {
    const noFile = await postContract(server(), officer.token, { signerIds: [debtor.id], file: null });
    expect(noFile.status).toBe(400);
    expect(noFile.body.error.code).toBe('FILE_REQUIRED');
    const bad = await postContract(server(), officer.token, { signerIds: [], loanType: 'car', amount: '-5' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    const fields = (bad.body.error.details.fields as { field: string }[]).map((f) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['loanType', 'amount', 'signerIds']));
    const dup = await postContract(server(), officer.token, { signerIds: [debtor.id, debtor.id] });
    expect(dup.body.error.code).toBe('DUPLICATE_SIGNER');
    const unknown = await postContract(server(), officer.token, { signerIds: [officer.id] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.code).toBe('SIGNER_NOT_FOUND');
    const past = await postContract(server(), officer.token, {
      signerIds: [debtor.id],
      deadline: '2000-01-01',
    });
    expect(past.body.error.code).toBe('DEADLINE_IN_PAST');
  });

  it('lets only loan officers register', async () => {
    const res = await postContract(server(), signer.token, { signerIds: [debtor.id] });
    expect(res.status).toBe(403);
    const anon = await request(server()).post('/api/contracts').field('title', 'x');
    expect(anon.status).toBe(401);
    const sub = await postContract(server(), debtor.token, { signerIds: [debtor.id] });
    expect(sub.status).toBe(403);
  });

  it('refuses a party signing a draft, and a third party, without any change', async () => {
    const { body } = await postContract(server(), officer.token, { signerIds: [debtor.id, guarantor.id] });
    const before = await stateOf(body.id);
    const early = await request(server())
      .post(`/api/contracts/${body.id}/signature`)
      .set(auth(debtor.token))
      .send({ pin: '123456', agreed: true });
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('CONTRACT_INVALID_STATE');
    const third = await request(server())
      .post(`/api/contracts/${body.id}/signature`)
      .set(auth(stranger.token))
      .send({ pin: '123456', agreed: true });
    expect(third.status).toBe(403);
    expect(third.body.error.code).toBe('NOT_A_PARTY');
    const staffSigns = await request(server())
      .post(`/api/contracts/${body.id}/signature`)
      .set(auth(officer.token))
      .send({ pin: '123456', agreed: true });
    expect(staffSigns.status).toBe(403);
    expect(await stateOf(body.id)).toEqual(before);
  });

  it('cancels with a reason, refuses what follows, and never twice', async () => {
    const { body } = await postContract(server(), officer.token, { signerIds: [debtor.id] });
    const blank = await request(server())
      .post(`/api/contracts/${body.id}/cancel`)
      .set(auth(officer.token))
      .send({ reason: '  ' });
    expect(blank.status).toBe(400);
    const bySigner = await request(server())
      .post(`/api/contracts/${body.id}/cancel`)
      .set(auth(signer.token))
      .send({ reason: 'x' });
    expect(bySigner.status).toBe(403);
    const res = await request(server())
      .post(`/api/contracts/${body.id}/cancel`)
      .set(auth(officer.token))
      .send({ reason: '融資条件の変更のため' })
      .expect(200);
    expect(res.body.status).toBe('cancelled');
    const after = await stateOf(body.id);
    const again = await request(server())
      .post(`/api/contracts/${body.id}/cancel`)
      .set(auth(officer.token))
      .send({ reason: 'x' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONTRACT_CANCELLED');
    const bank = await request(server())
      .post(`/api/contracts/${body.id}/bank-signature`)
      .set(auth(signer.token))
      .send({ signingIdentityId: '00000000-0000-4000-8000-000000000000', pin: '123456' });
    expect(bank.status).toBe(409);
    expect(bank.body.error.code).toBe('CONTRACT_CANCELLED');
    expect(await stateOf(body.id)).toEqual(after);
    const detail = await request(server()).get(`/api/contracts/${body.id}`).set(auth(officer.token));
    expect(detail.body.cancelReason).toBe('融資条件の変更のため');
  });

  it('answers 404 for an unknown or malformed id', async () => {
    await request(server()).get('/api/contracts/not-a-uuid').set(auth(officer.token)).expect(404);
    const res = await request(server())
      .get('/api/contracts/00000000-0000-4000-8000-000000000000')
      .set(auth(officer.token))
      .expect(404);
    expect(res.body.error.code).toBe('CONTRACT_NOT_FOUND');
  });

  it('serves the pages in Japanese to the right people', async () => {
    const list = await request(server())
      .get('/contracts')
      .set(auth(officer.token))
      .set('Accept', 'text/html')
      .expect(200);
    expect(list.text).toContain('<html lang="ja">');
    expect(list.text).toContain('/assets/js/contracts/staff-list.js');
    expect(list.text).not.toMatch(/<script>(?!<)/);
    await request(server())
      .get('/contracts/new')
      .set(auth(officer.token))
      .set('Accept', 'text/html')
      .expect(200);
    await request(server())
      .get('/my/contracts')
      .set(auth(debtor.token))
      .set('Accept', 'text/html')
      .expect(200);
    const forbidden = await request(server())
      .get('/contracts')
      .set(auth(debtor.token))
      .set('Accept', 'text/html');
    expect(forbidden.status).toBe(403);
    const js = await request(server()).get('/assets/js/contracts/my-contract.js').expect(200);
    expect(js.text).toContain('/signature');
  });
  it('documents the API in OpenAPI', async () => {
    const doc = await request(server()).get('/api/openapi.json').expect(200);
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    for (const p of [
      '/api/contracts',
      '/api/contracts/{id}',
      '/api/contracts/{id}/bank-signature',
      '/api/contracts/{id}/signature',
      '/api/contracts/{id}/cancel',
      '/api/contracts/{id}/original',
      '/api/contracts/{id}/document',
    ]) {
      expect(paths[p]).toBeDefined();
    }
    expect(JSON.stringify(paths['/api/contracts'].post)).toContain('multipart/form-data');
  });
});
