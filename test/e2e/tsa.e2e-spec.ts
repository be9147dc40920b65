import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { buildProgram } from '../../src/cli';
import { CertificateAuthority } from '../../src/pki/certificate-authority.service';
import { AuditLog } from '../../src/platform/audit/audit-log';
import { SettableClock } from '../../src/platform/clock/clock';
import { hashByName } from '../../src/tsa/domain/oids';
import { encodeTimeStampRequest } from '../../src/tsa/domain/time-stamp-request';
import { parseTimeStampResponse } from '../../src/tsa/domain/time-stamp-response';
import { verifyTimeStampToken } from '../../src/tsa/domain/verify-time-stamp-token';
import { HttpTimeStamper } from '../../src/tsa/http-time-stamper';
import { LocalTimeStamper } from '../../src/tsa/local-time-stamper';
import { RotateTsaCertificate } from '../../src/tsa/rotate-tsa-certificate.usecase';
import { TimeStamper } from '../../src/tsa/time-stamper';
import { TsaTokenEntity } from '../../src/tsa/tsa.entities';
import { createTestApp, destroyTestApp } from '../helpers/test-app';
import { opensslTsVerify } from '../helpers/tsa';

const run = promisify(execFile);
type T = Awaited<ReturnType<typeof createTestApp>>;

function binary(res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}

async function stamp(t: T, query: Uint8Array, type = 'application/timestamp-query') {
  return request(t.app.getHttpServer())
    .post('/tsa')
    .set('Content-Type', type)
    .buffer(true)
    .parse(binary as never)
    .send(Buffer.from(query));
}

const query = (data: string | Buffer, over: Partial<Parameters<typeof encodeTimeStampRequest>[0]> = {}) =>
  encodeTimeStampRequest({
    hash: hashByName('SHA-256'),
    digest: createHash('sha256').update(data).digest(),
    nonce: 42n,
    certReq: true,
    ...over,
  });

describe('TSA server POST /tsa (e2e)', () => {
  let t: T;
  let dir: string;
  let rootPem: string;

  beforeAll(async () => {
    t = await createTestApp();
    dir = mkdtempSync(path.join(tmpdir(), 'tsa-e2e-'));
    rootPem = await t.app.get(CertificateAuthority).trustAnchorsPem();
    writeFileSync(path.join(dir, 'root.pem'), rootPem);
    writeFileSync(path.join(dir, 'contract.pdf'), '%PDF-1.7 契約書');
    writeFileSync(path.join(dir, 'other.pdf'), '%PDF-1.7 別の文書');
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await destroyTestApp(t);
  });

  it('creates its key and a certificate with only id-kp-timeStamping, critical, on first start', async () => {
    const pem = path.join(t.config.certsDir, 'tsa.pem');
    expect(existsSync(pem)).toBe(true);
    const text = (await run('openssl', ['x509', '-in', pem, '-noout', '-text'])).stdout;
    expect(text).toMatch(/X509v3 Extended Key Usage: critical\s+Time Stamping\s*\n/);
    // The key is stored only sealed by the key vault.
    const rows: { sealed_key: string }[] = await t.app
      .get(DataSource)
      .query('SELECT sealed_key FROM tsa_credentials');
    expect(rows).toHaveLength(1);
    expect(rows[0].sealed_key).toMatch(/^kv1\$/);
    expect(rows[0].sealed_key).not.toContain('PRIVATE KEY');
    const served = await request(t.app.getHttpServer()).get('/tsa/certificate').expect(200);
    expect(served.text).toBe(readFileSync(pem, 'utf8'));
  });

  it('answers an openssl query so that openssl ts -verify passes, and fails for other data', async () => {
    const tsq = path.join(dir, 'q.tsq');
    const tsr = path.join(dir, 'r.tsr');
    await run('openssl', [
      'ts',
      '-query',
      '-data',
      path.join(dir, 'contract.pdf'),
      '-sha256',
      '-cert',
      '-out',
      tsq,
    ]);
    const res = await stamp(t, readFileSync(tsq));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/timestamp-reply');
    writeFileSync(tsr, res.body as Buffer);
    const ok = opensslTsVerify(tsr, { data: path.join(dir, 'contract.pdf') }, path.join(dir, 'root.pem'));
    expect(ok.stdout.toString()).toContain('Verification: OK');
    expect(ok.status).toBe(0);
    const withQuery = opensslTsVerify(tsr, { query: tsq }, path.join(dir, 'root.pem'));
    expect(withQuery.status).toBe(0);
    const bad = opensslTsVerify(tsr, { data: path.join(dir, 'other.pdf') }, path.join(dir, 'root.pem'));
    expect(bad.status).not.toBe(0);
    expect(bad.stderr.toString()).toContain('message imprint mismatch');

    const text = (await run('openssl', ['ts', '-reply', '-in', tsr, '-text'])).stdout;
    expect(text).toContain('Status: Granted.');
    expect(text).toContain(`Policy OID: ${t.config.TSA_POLICY_OID}`);
    expect(text).toContain('Hash Algorithm: sha256');
    expect(text).toMatch(/Serial number: 0x[0-9A-F]+/);
    expect(text).toMatch(/Time stamp: \w{3} +\d+ \d\d:\d\d:\d\d(\.\d+)? \d{4} GMT/);
    expect(text).toContain('Accuracy: 0x01 seconds, unspecified millis, unspecified micros');
    expect(text).toMatch(/Nonce: 0x[0-9A-F]+/);
    expect(text).toMatch(/TSA: DirName:.*タイムスタンプ局|TSA: DirName:/);

    // The token is on the register: serial, time, imprint, policy.
    const serial = Number(/Serial number: (0x[0-9A-F]+)/.exec(text)![1]);
    const row = await t.app.get(DataSource).getRepository(TsaTokenEntity).findOneByOrFail({ serial });
    expect(row).toMatchObject({
      policy: t.config.TSA_POLICY_OID,
      hashAlgorithm: 'SHA-256',
      imprintHex: createHash('sha256')
        .update(readFileSync(path.join(dir, 'contract.pdf')))
        .digest('hex'),
      channel: 'http',
    });
  });

  it('leaves the certificate out without certReq', async () => {
    const res = await stamp(t, query('x', { certReq: false }));
    const token = parseTimeStampResponse(res.body as Buffer).token!;
    const v = await verifyTimeStampToken(token, {
      digest: createHash('sha256').update('x').digest(),
      hashAlgorithm: 'SHA-256',
      trustAnchors: [await t.app.get(CertificateAuthority).rootCertificate()],
    });
    expect(v.subIndication).toBe('NO_SIGNING_CERTIFICATE_FOUND');
  });

  it('refuses SHA-1 and MD5 with badAlg, malformed data with badDataFormat, other versions with badRequest', async () => {
    const ds = t.app.get(DataSource);
    const before = await ds.getRepository(TsaTokenEntity).count();
    for (const alg of ['sha1', 'md5']) {
      const tsq = path.join(dir, `${alg}.tsq`);
      await run('openssl', ['ts', '-query', '-data', path.join(dir, 'contract.pdf'), `-${alg}`, '-out', tsq]);
      const res = await stamp(t, readFileSync(tsq));
      expect(res.status).toBe(200);
      expect(parseTimeStampResponse(res.body as Buffer)).toMatchObject({ status: 2, failInfo: ['badAlg'] });
      writeFileSync(path.join(dir, `${alg}.tsr`), res.body as Buffer);
      const text = (await run('openssl', ['ts', '-reply', '-in', path.join(dir, `${alg}.tsr`), '-text']))
        .stdout;
      expect(text).toContain('Status: Rejected');
      expect(text).toContain('unrecognized or unsupported algorithm identifier');
    }
    const garbage = await stamp(t, Buffer.from('definitely not DER'));
    expect(parseTimeStampResponse(garbage.body as Buffer).failInfo).toEqual(['badDataFormat']);
    const empty = await stamp(t, Buffer.alloc(0));
    expect(parseTimeStampResponse(empty.body as Buffer).failInfo).toEqual(['badDataFormat']);
    const v2 = Buffer.from(query('x'));
    v2[4] = 2; // version INTEGER content (30 len 02 01 01 …)
    expect(parseTimeStampResponse((await stamp(t, v2)).body as Buffer).failInfo).toEqual(['badRequest']);
    const policy = await stamp(t, query('x', { policy: '1.2.3.4.5' }));
    expect(parseTimeStampResponse(policy.body as Buffer).failInfo).toEqual(['unacceptedPolicy']);
    const sameAsOurs = await stamp(t, query('x', { policy: t.config.TSA_POLICY_OID }));
    expect(parseTimeStampResponse(sameAsOurs.body as Buffer).status).toBe(0);
    // Refusals record nothing; the one granted request is recorded.
    expect(await ds.getRepository(TsaTokenEntity).count()).toBe(before + 1);
  });

  it('answers a wrong media type with 415 and an oversized body with 413, in the one error shape', async () => {
    const wrong = await request(t.app.getHttpServer())
      .post('/tsa')
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.from(query('x')));
    expect(wrong.status).toBe(415);
    expect(wrong.body.error.code).toBe('TSA_UNSUPPORTED_MEDIA_TYPE');
    const json = await request(t.app.getHttpServer()).post('/tsa').send({ a: 1 });
    expect(json.status).toBe(415);
    const big = await request(t.app.getHttpServer())
      .post('/tsa')
      .set('Content-Type', 'application/timestamp-query')
      .send(Buffer.alloc(t.config.TSA_MAX_REQUEST_BYTES + 1));
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe('TSA_REQUEST_TOO_LARGE');
  });

  it('keeps serial numbers unique and gapless under 200 concurrent requests', async () => {
    await t.app.listen(0, '127.0.0.1');
    const url = await t.app.getUrl();
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        fetch(`${url.replace('[::1]', '127.0.0.1')}/tsa`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/timestamp-query' },
          body: new Uint8Array(query(`document ${i}`, { nonce: BigInt(i + 1) })),
        }).then(async (r) => ({ status: r.status, body: Buffer.from(await r.arrayBuffer()) })),
      ),
    );
    const anchors = [await t.app.get(CertificateAuthority).rootCertificate()];
    const serials: bigint[] = [];
    for (const [i, r] of responses.entries()) {
      expect(r.status).toBe(200);
      const token = parseTimeStampResponse(r.body).token!;
      const v = await verifyTimeStampToken(token, {
        digest: createHash('sha256').update(`document ${i}`).digest(),
        hashAlgorithm: 'SHA-256',
        trustAnchors: anchors,
        nonce: BigInt(i + 1),
      });
      expect(v.valid).toBe(true);
      serials.push(BigInt(v.info!.serialNumber));
    }
    expect(new Set(serials).size).toBe(200);
    const sorted = [...serials].sort((a, b) => (a < b ? -1 : 1));
    expect(sorted[199] - sorted[0]).toBe(199n);
  });

  it('reports a storage failure as systemFailure with 503, and records nothing', async () => {
    const ds = t.app.get(DataSource);
    const before = await ds.getRepository(TsaTokenEntity).count();
    const [state] = await ds.query<{ id: number; next_serial: number; active_credential_id: string }[]>(
      'SELECT id, next_serial, active_credential_id FROM tsa_state',
    );
    await ds.query('DELETE FROM tsa_state');
    try {
      const res = await stamp(t, query('while broken'));
      expect(res.status).toBe(503);
      expect(parseTimeStampResponse(res.body as Buffer)).toMatchObject({
        status: 2,
        failInfo: ['systemFailure'],
      });
      await expect(
        t.app.get(TimeStamper).timestamp({ digest: Buffer.alloc(32), hashAlgorithm: 'SHA-256' }),
      ).rejects.toMatchObject({
        name: 'TimeStampUnavailableError',
        retryable: true,
      });
    } finally {
      await ds.query(
        `INSERT INTO tsa_state (id, next_serial, active_credential_id) VALUES (1, ${Number(state.next_serial)}, '${state.active_credential_id}')`,
      );
    }
    expect(await ds.getRepository(TsaTokenEntity).count()).toBe(before);
    expect((await stamp(t, query('after repair'))).status).toBe(200);
  });
});

describe('TSA across restarts, rotation and years (e2e)', () => {
  it('continues serials after a restart with the same credential', async () => {
    const first = await createTestApp();
    let second: T | undefined;
    try {
      const a = await first.app
        .get(TimeStamper)
        .timestamp({ digest: Buffer.alloc(32, 1), hashAlgorithm: 'SHA-256' });
      const b = await first.app
        .get(TimeStamper)
        .timestamp({ digest: Buffer.alloc(32, 2), hashAlgorithm: 'SHA-256' });
      expect(BigInt(b.serialNumber)).toBe(BigInt(a.serialNumber) + 1n);
      await first.close();
      second = await createTestApp({ reuse: { dir: first.dir, env: first.env } });
      const c = await second.app
        .get(TimeStamper)
        .timestamp({ digest: Buffer.alloc(32, 3), hashAlgorithm: 'SHA-256' });
      expect(BigInt(c.serialNumber)).toBe(BigInt(b.serialNumber) + 1n);
      expect(Buffer.from(c.tsaCertificates[0]).equals(Buffer.from(a.tsaCertificates[0]))).toBe(true);
      const rows: unknown[] = await second.app.get(DataSource).query('SELECT id FROM tsa_credentials');
      expect(rows).toHaveLength(1);
    } finally {
      await destroyTestApp({ close: async () => second?.close(), dir: first.dir, env: first.env });
    }
  });

  it('never hands out a token signed by a credential another instance retired meanwhile', async () => {
    const first = await createTestApp();
    let second: T | undefined;
    try {
      const stamper = first.app.get(TimeStamper);
      const a = await stamper.timestamp({ digest: Buffer.alloc(32, 1), hashAlgorithm: 'SHA-256' });
      // A second instance on the same database rotates; the first still holds the old signer.
      second = await createTestApp({ reuse: { dir: first.dir, env: first.env } });
      const rotated = await second.app
        .get(RotateTsaCertificate)
        .execute({ actor: 'test', reason: 'rotated elsewhere' });
      expect(rotated.rotated).toBe(true);
      const b = await stamper.timestamp({ digest: Buffer.alloc(32, 2), hashAlgorithm: 'SHA-256' });
      expect(Buffer.from(b.tsaCertificates[0]).equals(Buffer.from(a.tsaCertificates[0]))).toBe(false);
      const rows = await first.app
        .get(DataSource)
        .getRepository(TsaTokenEntity)
        .find({ order: { serial: 'ASC' } });
      // The token signed with the retired key was discarded: its serial is unused, the new one recorded.
      expect(rows.map((r) => [r.serial, r.credentialId])).toEqual([
        [Number(a.serialNumber), rotated.previousCredentialId],
        [Number(b.serialNumber), rotated.credentialId],
      ]);
      expect(BigInt(b.serialNumber)).toBe(BigInt(a.serialNumber) + 2n);
    } finally {
      await second?.close();
      await destroyTestApp(first);
    }
  });

  it('rotates on request (CLI) and automatically after the key usage period; old tokens stay verifiable', async () => {
    const clock = new SettableClock(new Date('2027-04-01T00:00:00Z'));
    const t = await createTestApp({ clock });
    try {
      const stamper = t.app.get(TimeStamper);
      expect(stamper).toBeInstanceOf(LocalTimeStamper);
      const digest = createHash('sha256').update('住宅ローン契約').digest();
      const old = await stamper.timestamp({ digest, hashAlgorithm: 'SHA-256' });
      expect(old.genTime).toEqual(clock.now());
      const oldRow = await t.app
        .get(DataSource)
        .getRepository(TsaTokenEntity)
        .findOneByOrFail({ serial: Number(old.serialNumber) });
      expect(oldRow).toMatchObject({ genTime: old.genTime, channel: 'local', policy: old.policy });
      expect(oldRow.tokenSha256).toBe(createHash('sha256').update(old.der).digest('hex'));
      const anchors = [await t.app.get(CertificateAuthority).rootCertificate()];

      // Operator rotation through the CLI.
      const out: string[] = [];
      const write = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
        out.push(String(s));
        return true;
      });
      try {
        await buildProgram(() => Promise.resolve(t.app)).parseAsync([
          'node',
          'cli',
          'tsa',
          'rotate',
          '--json',
          '--reason',
          'test',
        ]);
      } finally {
        write.mockRestore();
      }
      const rotated = JSON.parse(out.join('')) as { rotated: boolean; previousCredentialId: string };
      expect(rotated.rotated).toBe(true);
      const fresh = await stamper.timestamp({ digest, hashAlgorithm: 'SHA-256' });
      expect(Buffer.from(fresh.tsaCertificates[0]).equals(Buffer.from(old.tsaCertificates[0]))).toBe(false);
      expect(BigInt(fresh.serialNumber)).toBe(BigInt(old.serialNumber) + 1n);
      const audit = await t.app.get(AuditLog).list({ action: 'tsa.certificate.' });
      expect(audit.map((a) => a.action)).toEqual(['tsa.certificate.rotated', 'tsa.certificate.created']);
      expect(audit[0].details).toMatchObject({
        reason: 'test',
        previousCredentialId: rotated.previousCredentialId,
      });

      // Two years later the key usage period (365 days) is over: the next stamp rotates first.
      clock.advance(2 * 365 * 86_400_000);
      const later = await stamper.timestamp({ digest, hashAlgorithm: 'SHA-256' });
      expect(later.genTime).toEqual(clock.now());
      expect(Buffer.from(later.tsaCertificates[0]).equals(Buffer.from(fresh.tsaCertificates[0]))).toBe(false);
      expect((await t.app.get(AuditLog).list({ action: 'tsa.certificate.rotated' })).length).toBe(2);

      // Every earlier token still verifies at its own time.
      for (const tok of [old, fresh, later]) {
        const v = await verifyTimeStampToken(tok.der, {
          digest,
          hashAlgorithm: 'SHA-256',
          trustAnchors: anchors,
        });
        expect(v.valid).toBe(true);
      }
      // A rotation while tokens are being issued: every token verifies, none is lost or duplicated.
      const during = await Promise.all([
        t.app.get(RotateTsaCertificate).execute({ actor: 'test', reason: 'during issuance' }),
        ...Array.from({ length: 30 }, () => stamper.timestamp({ digest, hashAlgorithm: 'SHA-256' })),
      ]);
      const tokens = during.slice(1) as Awaited<ReturnType<TimeStamper['timestamp']>>[];
      expect(new Set(tokens.map((x) => x.serialNumber)).size).toBe(30);
      expect((during[0] as { rotated: boolean }).rotated).toBe(true);
      for (const tok of tokens) {
        const v = await verifyTimeStampToken(tok.der, {
          digest,
          hashAlgorithm: 'SHA-256',
          trustAnchors: anchors,
        });
        expect(v.valid).toBe(true);
      }
    } finally {
      await destroyTestApp(t);
    }
  });

  it('uses an external TSA when TSA_URL is set, trusting TSA_TRUST_ANCHORS', async () => {
    const tsa = await createTestApp({ listen: true });
    const anchorsDir = mkdtempSync(path.join(tmpdir(), 'tsa-anchors-'));
    const anchors = path.join(anchorsDir, 'anchors.pem');
    writeFileSync(anchors, await tsa.app.get(CertificateAuthority).trustAnchorsPem());
    const url = (await tsa.app.getUrl()).replace('[::1]', '127.0.0.1');
    const client = await createTestApp({ env: { TSA_URL: `${url}/tsa`, TSA_TRUST_ANCHORS: anchors } });
    const untrusting = await createTestApp({ env: { TSA_URL: `${url}/tsa` } });
    try {
      const stamper = client.app.get(TimeStamper);
      expect(stamper).toBeInstanceOf(HttpTimeStamper);
      const digest = createHash('sha384').update('x').digest();
      const token = await stamper.timestamp({ digest, hashAlgorithm: 'SHA-384' });
      const row = await tsa.app
        .get(DataSource)
        .getRepository(TsaTokenEntity)
        .findOneByOrFail({ serial: Number(token.serialNumber) });
      expect(row.channel).toBe('http');
      // Default anchors are the client's own root, which did not issue the other service's TSA.
      await expect(
        untrusting.app.get(TimeStamper).timestamp({ digest, hashAlgorithm: 'SHA-384' }),
      ).rejects.toMatchObject({
        name: 'TimeStampRejectedError',
        reason: 'NO_CERTIFICATE_CHAIN_FOUND',
      });
    } finally {
      rmSync(anchorsDir, { recursive: true, force: true });
      await destroyTestApp(untrusting);
      await destroyTestApp(client);
      await destroyTestApp(tsa);
    }
  });
});
