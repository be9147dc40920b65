import { createHash, randomUUID } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { DataSource } from 'typeorm';
import { ArchiveErrorCode } from '../../src/archive/archive.errors';
import { ContractIntake } from '../../src/archive/contract-intake.service';
import { RestampOriginals } from '../../src/archive/restamp-originals.usecase';
import { ContractEntity, ContractSignerEntity } from '../../src/contracts/contract.entity';
import { StaffRole } from '../../src/identity/auth/principal';
import { AuditLog } from '../../src/platform/audit/audit-log';
import { FileStore } from '../../src/platform/file-store/file-store';
import { archiveOriginal, createTestSigner, fixturePdf, signedOriginal } from '../helpers/archive';
import { createStaff, createSubscriber, TestPerson } from '../helpers/identity';
import { createTestApp, destroyTestApp, TestApp } from '../helpers/test-app';

interface SearchBody {
  total: number;
  page: number;
  pageSize: number;
  items: { contractId: string; transactionDate: string; amountYen: number; counterparty: string }[];
}

/**
 * 電子帳簿保存法 search (取引年月日・取引金額・取引先, ranges and combinations), CSV export,
 * who may search, download of the original and its report, and verification of uploaded PDFs.
 */
describe('archive search, download and verification (e2e)', () => {
  let t: TestApp & { env: Record<string, string> };
  let server: App;
  let auditor: TestPerson;
  let officer: TestPerson;
  let subscriber: TestPerson;
  let signed: Uint8Array;
  /** A unique tag in each counterparty keeps this suite's data apart from any other. */
  const tag = randomUUID().slice(0, 8);
  const ids: Record<string, string> = {};

  const rows = [
    { key: 'a', date: '2026-01-15', amount: 3_000_000, cp: `株式会社さくら商事${tag}`, type: 'business' },
    { key: 'b', date: '2026-02-01', amount: 25_000_000, cp: `電子 花子${tag}`, type: 'housing' },
    { key: 'c', date: '2026-02-28', amount: 500_000, cp: `デンシ ハナコ${tag}`, type: 'consumer' },
    { key: 'd', date: '2026-03-31', amount: 25_000_000, cp: `有限会社さくら工務店${tag}`, type: 'business' },
    { key: 'e', date: '2025-12-31', amount: 100_000_000, cp: `100%_出資${tag}`, type: 'business' },
  ];

  beforeAll(async () => {
    t = await createTestApp();
    server = t.app.getHttpServer();
    auditor = await createStaff(t, [StaffRole.AUDITOR]);
    officer = await createStaff(t, [StaffRole.LOAN_OFFICER]);
    subscriber = await createSubscriber(t);
    const signer = await createTestSigner(t);
    signed = await signedOriginal(t, signer);
    for (const r of rows) {
      const { original } = await archiveOriginal(
        t,
        signer,
        { transactionDate: r.date, amountYen: r.amount, counterparty: r.cp, loanType: r.type },
        signed,
      );
      ids[original.contractId] = r.key;
    }
  });
  afterAll(() => destroyTestApp(t));

  async function search(query: Record<string, string>, token = auditor.token): Promise<string[]> {
    const res = await request(server)
      .get('/api/archive')
      .query({ counterparty: tag, ...query })
      .set('Authorization', `Bearer ${token}`)
      .expect(200);
    return (res.body as SearchBody).items.map((i) => ids[i.contractId]);
  }

  it('finds by each criterion alone, sorted by transaction date', async () => {
    expect(await search({})).toEqual(['e', 'a', 'b', 'c', 'd']);
    expect(await search({ dateFrom: '2026-02-01' })).toEqual(['b', 'c', 'd']);
    expect(await search({ dateTo: '2026-02-01' })).toEqual(['e', 'a', 'b']);
    expect(await search({ amountMin: '25000000' })).toEqual(['e', 'b', 'd']);
    expect(await search({ amountMax: '3000000' })).toEqual(['a', 'c']);
    expect(await search({ loanType: 'business' })).toEqual(['e', 'a', 'd']);
  });

  it('matches the counterparty partially, in kana and kanji as entered, with wildcards taken literally', async () => {
    const res = await request(server)
      .get('/api/archive')
      .query({ counterparty: 'さくら' })
      .set('Authorization', `Bearer ${auditor.token}`)
      .expect(200);
    const mine = (res.body as SearchBody).items
      .filter((i) => ids[i.contractId])
      .map((i) => ids[i.contractId]);
    expect(mine).toEqual(['a', 'd']);
    expect(await search({ counterparty: `ハナコ${tag}` })).toEqual(['c']);
    expect(await search({ counterparty: `花子${tag}` })).toEqual(['b']);
    // "100%_" must match only the literal text, not act as LIKE wildcards.
    expect(await search({ counterparty: `0%_出資${tag}` })).toEqual(['e']);
    expect(await search({ counterparty: `%${tag}` })).toEqual([]);
    // Combining marks (か + ゛) find the precomposed text as stored (NFC).
    expect(await search({ counterparty: `テ\u3099ンシ ハナコ${tag}` })).toEqual(['c']);
  });

  it('combines criteria (date range + amount range + counterparty + type)', async () => {
    expect(await search({ dateFrom: '2026-01-01', dateTo: '2026-03-31', amountMin: '1000000' })).toEqual([
      'a',
      'b',
      'd',
    ]);
    expect(
      await search({
        dateFrom: '2026-01-01',
        amountMin: '1000000',
        amountMax: '25000000',
        loanType: 'business',
      }),
    ).toEqual(['a', 'd']);
    expect(await search({ dateFrom: '2026-02-01', dateTo: '2026-02-28', amountMax: '1000000' })).toEqual([
      'c',
    ]);
    expect(await search({ dateFrom: '2026-04-01' })).toEqual([]);
  });

  it('paginates', async () => {
    const p1 = await request(server)
      .get('/api/archive')
      .query({ counterparty: tag, page: '1', pageSize: '2' })
      .set('Authorization', `Bearer ${auditor.token}`)
      .expect(200);
    const p3 = await request(server)
      .get('/api/archive')
      .query({ counterparty: tag, page: '3', pageSize: '2' })
      .set('Authorization', `Bearer ${auditor.token}`)
      .expect(200);
    expect(p1.body).toMatchObject({ total: 5, page: 1, pageSize: 2 });
    expect((p1.body as SearchBody).items.map((i) => ids[i.contractId])).toEqual(['e', 'a']);
    expect((p3.body as SearchBody).items.map((i) => ids[i.contractId])).toEqual(['d']);
  });

  it('exports CSV with a UTF-8 BOM, Japanese headers and the same order', async () => {
    const res = await request(server)
      .get('/api/archive')
      .query({ counterparty: tag, format: 'csv', loanType: 'business' })
      .set('Authorization', `Bearer ${auditor.token}`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const bytes = res.body as Buffer;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.toString('utf8').slice(1).trim().split('\r\n');
    expect(lines[0]).toContain('取引年月日,取引金額（円）,取引先');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['2025-12-31', '2026-01-15', '2026-03-31']);
    expect(lines[1]).toContain(`100%_出資${tag}`);
    const audit = await t.app.get(AuditLog).list({ action: 'archive.search.exported' });
    expect(audit[0]).toMatchObject({ actor: `staff:${auditor.id}` });
  });

  it('refuses bad criteria with 400 naming the field', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ dateFrom: '2026-02-30' }, 'dateFrom'],
      [{ dateTo: '20260101' }, 'dateTo'],
      [{ amountMin: '-1' }, 'amountMin'],
      [{ amountMax: '1.5' }, 'amountMax'],
      [{ loanType: 'car' }, 'loanType'],
      [{ page: '0' }, 'page'],
      [{ pageSize: '501' }, 'pageSize'],
      [{ format: 'xml' }, 'format'],
      [{ dateFrom: '2026-03-01', dateTo: '2026-02-01' }, 'dateTo'],
      [{ amountMin: '200', amountMax: '100' }, 'amountMax'],
    ];
    for (const [query, field] of cases) {
      const res = await request(server)
        .get('/api/archive')
        .query(query)
        .set('Authorization', `Bearer ${auditor.token}`)
        .expect(400);
      const body = res.body as { error: { code: string; details: { fields: { field: string }[] } } };
      expect(body.error.code).toBe(ArchiveErrorCode.INVALID_SEARCH);
      expect(body.error.details.fields.map((f) => f.field)).toEqual([field]);
    }
  });

  it('is for staff and auditors only', async () => {
    await request(server).get('/api/archive').expect(401);
    await request(server).get('/api/archive').set('Authorization', `Bearer ${subscriber.token}`).expect(403);
    expect(await search({}, officer.token)).toHaveLength(5);
    await request(server).get('/archive').set('Authorization', `Bearer ${subscriber.token}`).expect(403);
    const page = await request(server)
      .get('/archive')
      .set('Authorization', `Bearer ${auditor.token}`)
      .expect(200);
    expect(page.text).toContain('/assets/js/archive/search.js');
  });

  it('downloads the current original and its report, each audited', async () => {
    const contractId = Object.keys(ids).find((k) => ids[k] === 'b')!;
    const detail = await request(server)
      .get(`/api/archive/${contractId}`)
      .set('Authorization', `Bearer ${auditor.token}`)
      .expect(200);
    const d = detail.body as {
      id: string;
      currentSha256: string;
      versions: { version: number; sha256: string }[];
    };
    expect(d.versions).toEqual([expect.objectContaining({ version: 1, sha256: d.currentSha256 })]);
    const pdf = await request(server)
      .get(`/api/archive/${d.id}/original`)
      .set('Authorization', `Bearer ${auditor.token}`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(
      createHash('sha256')
        .update(pdf.body as Buffer)
        .digest('hex'),
    ).toBe(d.currentSha256);
    const report = await request(server)
      .get(`/api/archive/${d.id}/report`)
      .set('Authorization', `Bearer ${auditor.token}`)
      .expect(200);
    expect(report.body).toMatchObject({
      sha256: d.currentSha256,
      simple: { indication: 'TOTAL-PASSED' },
      archived: expect.arrayContaining([expect.objectContaining({ contractId, version: 1, current: true })]),
    });
    const html = await request(server)
      .get(`/api/archive/${d.id}/report?format=html`)
      .set('Authorization', `Bearer ${auditor.token}`)
      .expect(200);
    expect(html.text).toContain('PDF 署名検証レポート');
    expect(html.text).toContain('TOTAL-PASSED');
    const actions = (await t.app.get(AuditLog).list({ subject: `archive-original:${d.id}` })).map(
      (e) => e.action,
    );
    expect(actions).toEqual(
      expect.arrayContaining(['archive.original.downloaded', 'archive.verification.performed']),
    );
    await request(server)
      .get(`/api/archive/${randomUUID()}`)
      .set('Authorization', `Bearer ${auditor.token}`)
      .expect(404);
    await request(server)
      .get('/api/archive/not-an-id/original')
      .set('Authorization', `Bearer ${auditor.token}`)
      .expect(404);
    await request(server)
      .get(`/api/archive/${d.id}/original`)
      .set('Authorization', `Bearer ${subscriber.token}`)
      .expect(403);
  });

  it('verifies an uploaded PDF: byte-identical to an archived original, or not', async () => {
    const same = await request(server)
      .post('/api/verify')
      .set('Authorization', `Bearer ${auditor.token}`)
      .attach('file', Buffer.from(signed), { filename: 'original.pdf', contentType: 'application/pdf' })
      .expect(200);
    const body = same.body as {
      sha256: string;
      archived: { contractId: string; version: number }[];
      simple: { indication: string; signatures: { type: string; indication: string }[] };
    };
    expect(body.simple.indication).toBe('TOTAL-PASSED');
    expect(body.simple.signatures.map((s) => s.type)).toEqual(['signature', 'document-timestamp']);
    // The same signed bytes were archived for all five contracts of this suite.
    expect(
      body.archived
        .filter((a) => ids[a.contractId])
        .map((a) => ids[a.contractId])
        .sort(),
    ).toEqual(['a', 'b', 'c', 'd', 'e']);

    const unsigned = await request(server)
      .post('/api/verify')
      .set('Authorization', `Bearer ${auditor.token}`)
      .attach('file', fixturePdf(), { filename: 'plain.pdf', contentType: 'application/pdf' })
      .expect(200);
    expect(unsigned.body).toMatchObject({ archived: [], simple: { signatures: [] } });

    const changed = Buffer.concat([Buffer.from(signed), Buffer.from('\n% appended\n')]);
    const other = await request(server)
      .post('/api/verify?format=html')
      .set('Authorization', `Bearer ${auditor.token}`)
      .attach('file', changed, { filename: 'changed.pdf', contentType: 'application/pdf' })
      .expect(200);
    expect(other.text).toContain('どの原本ともバイト単位で一致しません');
  });

  it('refuses verification without a file, with a non-PDF, or for subscribers', async () => {
    const none = await request(server)
      .post('/api/verify')
      .set('Authorization', `Bearer ${auditor.token}`)
      .expect(400);
    expect((none.body as { error: { code: string } }).error.code).toBe(ArchiveErrorCode.FILE_REQUIRED);
    const text = await request(server)
      .post('/api/verify')
      .set('Authorization', `Bearer ${auditor.token}`)
      .attach('file', Buffer.from('hello'), { filename: 'x.pdf', contentType: 'application/pdf' })
      .expect(422);
    expect((text.body as { error: { code: string } }).error.code).toBe(ArchiveErrorCode.NOT_A_PDF);
    const broken = await request(server)
      .post('/api/verify')
      .set('Authorization', `Bearer ${auditor.token}`)
      .attach('file', Buffer.from('%PDF-1.7\ngarbage'), { filename: 'x.pdf', contentType: 'application/pdf' })
      .expect(422);
    expect((broken.body as { error: { code: string } }).error.code).toBeDefined();
    await request(server)
      .post('/api/verify')
      .set('Authorization', `Bearer ${subscriber.token}`)
      .attach('file', Buffer.from(signed), { filename: 'x.pdf', contentType: 'application/pdf' })
      .expect(403);
    const page = await request(server)
      .get('/archive/verify')
      .set('Authorization', `Bearer ${auditor.token}`)
      .expect(200);
    expect(page.text).toContain('/assets/js/archive/verify.js');
  });

  it('takes completed contracts into the archive (intake sweep) once, with their search keys', async () => {
    const store = t.app.get(FileStore);
    const stored = await store.put(signed);
    const ds = t.app.get(DataSource);
    const contractId = randomUUID();
    const now = new Date();
    await ds.getRepository(ContractEntity).insert({
      id: contractId,
      title: '金銭消費貸借契約証書（事業性）',
      loanType: 'business',
      amountYen: 12_345_678,
      counterparty: `合同会社みなと${tag}`,
      contractDate: '2026-05-20',
      status: 'completed',
      currentSignerOrder: null,
      deadline: null,
      createdBy: officer.id,
      bankSignedBy: null,
      bankSigningIdentityId: null,
      currentVersion: 4,
      currentSha256: stored.sha256,
      originalSha256: stored.sha256,
      originalVersion: 4,
      completedAt: now,
      cancelledAt: null,
      cancelReason: null,
      haltReason: null,
      lastReminderAt: null,
      createdAt: now,
      updatedAt: now,
      rowVersion: 5,
    });
    await ds.getRepository(ContractSignerEntity).insert({
      id: randomUUID(),
      contractId,
      order: 1,
      subscriberId: subscriber.id,
      role: 'debtor',
      displayName: '港 一郎',
      notifiedAt: now,
      signedAt: now,
      certificateSerial: null,
    });
    const intake = t.app.get(ContractIntake);
    expect((await intake.syncCompleted()).imported).toBe(1);
    expect((await intake.syncCompleted()).imported).toBe(0);
    const found = await request(server)
      .get('/api/archive')
      .query({ counterparty: `みなと${tag}` })
      .set('Authorization', `Bearer ${auditor.token}`)
      .expect(200);
    expect((found.body as SearchBody).items.map((i) => i.contractId)).toEqual([contractId]);
    const res = await request(server)
      .get(`/api/archive/${contractId}`)
      .set('Authorization', `Bearer ${auditor.token}`)
      .expect(200);
    expect(res.body).toMatchObject({
      contractId,
      transactionDate: '2026-05-20',
      amountYen: 12_345_678,
      parties: [{ role: '債務者', name: '港 一郎' }],
      currentVersion: 1,
      currentSha256: stored.sha256,
      retentionEndsOn: expect.stringMatching(/^20(36|37)-/),
    });
    // Archived originals are picked up by the re-stamping job from now on.
    expect(await t.app.get(RestampOriginals).countDue()).toBe(0);
  });
});
