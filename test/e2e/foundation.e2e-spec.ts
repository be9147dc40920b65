import request from 'supertest';
import { DataSource } from 'typeorm';
import { AuditLog } from '../../src/platform/audit/audit-log';
import { createTestApp, destroyTestApp } from '../helpers/test-app';

describe('service foundation (e2e)', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => destroyTestApp(t));

  it('answers /health with the database up', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').expect(200);
    expect(res.body).toEqual({ status: 'ok', database: 'up' });
    expect(res.headers['x-request-id']).toMatch(/[0-9a-f-]{36}/);
  });

  it('echoes a well-formed X-Request-Id', async () => {
    const res = await request(t.app.getHttpServer()).get('/health').set('X-Request-Id', 'req-12345678');
    expect(res.headers['x-request-id']).toBe('req-12345678');
  });

  it('answers an unknown route with the one error shape', async () => {
    const res = await request(t.app.getHttpServer()).get('/api/no-such-thing').expect(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
  });

  it('refuses malformed JSON with 400 and a stable code', async () => {
    const res = await request(t.app.getHttpServer())
      .post('/api/no-such-thing')
      .set('Content-Type', 'application/json')
      .send('{"a":');
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MALFORMED_JSON');
  });

  it('names the failing field when a DTO is invalid (POST /api/auth/login without loginId)', async () => {
    const res = await request(t.app.getHttpServer())
      .post('/api/auth/login')
      .send({ loginKey: 'k'.repeat(22), password: 'whatever-1234' })
      .expect(400);
    expect(res.body.error.code).toBe('VALIDATION_FAILED');
    expect(res.body.error.details.fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'loginId' })]),
    );
  });

  it('refuses an oversized JSON body with 413', async () => {
    const res = await request(t.app.getHttpServer())
      .post('/api/no-such-thing')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ a: 'x'.repeat(t.config.BODY_LIMIT_BYTES + 10) }));
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('serves OpenAPI as JSON and the docs page', async () => {
    const json = await request(t.app.getHttpServer()).get('/api/openapi.json').expect(200);
    expect(json.body.openapi).toMatch(/^3\./);
    expect(json.body.paths['/health']).toBeDefined();
    const page = await request(t.app.getHttpServer()).get('/api/docs/').expect(200);
    expect(page.text).toContain('swagger');
  });

  it('sets security headers', async () => {
    const res = await request(t.app.getHttpServer()).get('/').expect(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.text).toContain('<html lang="ja">');
  });

  it('serves the dev mailbox in the embedded setup', async () => {
    const res = await request(t.app.getHttpServer()).get('/dev/mailbox').expect(200);
    expect(res.text).toContain('開発用メールボックス');
  });

  it('keeps the audit chain and detects a modified and a deleted entry', async () => {
    const audit = t.app.get(AuditLog);
    const ds = t.app.get(DataSource);
    for (let i = 0; i < 5; i++) await audit.append({ actor: 'system', action: 'test.event', details: { i } });
    expect(await audit.verify()).toMatchObject({ ok: true });
    const [second] = (await audit.list({ action: 'test.event', limit: 5 })).slice(-2);
    // Tamper with one entry's content.
    await ds.query(`UPDATE audit_entries SET details = '{"i":99}' WHERE seq = ${second.seq}`);
    const modified = await audit.verify();
    expect(modified.ok).toBe(false);
    expect(modified.firstBreak).toEqual({ kind: 'modified', seq: second.seq });
    // Restore it, then delete a different one.
    await ds.query(
      `UPDATE audit_entries SET details = $1 WHERE seq = ${second.seq}`.replace(
        '$1',
        ds.options.type === 'postgres' ? '$1' : '?',
      ),
      [JSON.stringify(second.details)],
    );
    expect((await audit.verify()).ok).toBe(true);
    await ds.query(`DELETE FROM audit_entries WHERE seq = ${second.seq + 1}`);
    const deleted = await audit.verify();
    expect(deleted.firstBreak).toEqual({
      kind: 'missing',
      expectedSeq: second.seq + 1,
      foundSeq: second.seq + 2,
    });
  });
});

describe('service foundation: other settings (e2e)', () => {
  it('answers 429 once the rate limit is used up', async () => {
    const t = await createTestApp({ env: { RATE_LIMIT_PER_MINUTE: '3', DEV_MAILBOX: 'false' } });
    try {
      const server = t.app.getHttpServer();
      for (let i = 0; i < 3; i++) await request(server).get('/').expect(200);
      const res = await request(server).get('/').expect(429);
      expect(res.body.error.code).toBe('RATE_LIMITED');
      // /health is never throttled: monitoring must keep working under load.
      await request(server).get('/health').expect(200);
      // The dev mailbox is off when asked.
      await request(server).get('/dev/mailbox').expect(404);
    } finally {
      await destroyTestApp(t);
    }
  });

  it('has no dev mailbox when mail goes over SMTP', async () => {
    const t = await createTestApp({ env: { SMTP_URL: 'smtp://127.0.0.1:9' } });
    try {
      await request(t.app.getHttpServer()).get('/dev/mailbox').expect(404);
    } finally {
      await destroyTestApp(t);
    }
  });
});
