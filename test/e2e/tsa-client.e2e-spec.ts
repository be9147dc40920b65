import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { hashByName } from '../../src/tsa/domain/oids';
import { encodeTimeStampRequest, parseTimeStampRequest } from '../../src/tsa/domain/time-stamp-request';
import { TstSigner } from '../../src/tsa/domain/tst-signer';
import { HttpTimeStamper, HttpTimeStamperOptions } from '../../src/tsa/http-time-stamper';
import { TimeStampRejectedError, TimeStampUnavailableError } from '../../src/tsa/time-stamper';
import { loadTrustFiles } from '../../src/tsa/tsa-trust';
import { OpensslTsa, TestCa, startOpensslTsa, toPem } from '../helpers/tsa';

const run = promisify(execFile);

/**
 * HttpTimeStamper against an independent TSA: OpenSSL's `ts -reply` with its own key and config,
 * behind a loopback HTTP shim. Every refusal path of the client is exercised against it.
 */
describe('HttpTimeStamper against an OpenSSL TSA (e2e)', () => {
  let ca: TestCa;
  let tsa: OpensslTsa;
  const stampers: HttpTimeStamper[] = [];
  const digest = createHash('sha256').update('金銭消費貸借契約書').digest();

  const client = (over: Partial<HttpTimeStamperOptions> = {}) => {
    const s = new HttpTimeStamper({
      url: tsa.url,
      timeoutMs: 5000,
      retries: 0,
      backoffMs: 10,
      trust: () => Promise.resolve({ anchors: [ca.rootDer], certificates: [] }),
      ...over,
    });
    stampers.push(s);
    return s;
  };
  const refusal = async (p: Promise<unknown>): Promise<TimeStampRejectedError> => {
    const e: unknown = await p.then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(TimeStampRejectedError);
    return e as TimeStampRejectedError;
  };

  beforeAll(async () => {
    ca = await TestCa.create('OpenSSL TSA test root');
    tsa = await startOpensslTsa(await ca.tsaCredential({ commonName: 'OpenSSL TSA' }));
  });
  beforeEach(() => {
    tsa.mode = 'pass';
    tsa.answer = undefined;
    tsa.failFirst = 0;
    tsa.basicAuth = undefined;
  });
  afterAll(async () => {
    for (const s of stampers) s.close();
    await tsa.close();
  });

  it('obtains a token from OpenSSL and verifies it (SHA-256 and SHA-512)', async () => {
    const t = await client().timestamp({ digest, hashAlgorithm: 'SHA-256' });
    expect(t.policy).toBe('1.2.3.4.1');
    expect(Number(t.serialNumber)).toBeGreaterThanOrEqual(0x1000);
    expect(Math.abs(t.genTime.getTime() - Date.now())).toBeLessThan(60_000);
    expect(t.tsaCertificates).toHaveLength(2);
    expect(Buffer.from(t.tsaCertificates[1]).equals(Buffer.from(ca.rootDer))).toBe(true);
    const d512 = createHash('sha512').update('x').digest();
    const t512 = await client().timestamp({ digest: d512, hashAlgorithm: 'SHA-512' });
    expect(BigInt(t512.serialNumber)).toBeGreaterThan(BigInt(t.serialNumber));
  });

  it('sends basic auth when configured, and reports a refused login as not retryable', async () => {
    tsa.basicAuth = 'bank:s3cret-password';
    await expect(
      client({ username: 'bank', password: 's3cret-password' }).timestamp({
        digest,
        hashAlgorithm: 'SHA-256',
      }),
    ).resolves.toMatchObject({ policy: '1.2.3.4.1' });
    const e: unknown = await client({ username: 'bank', password: 'wrong', retries: 2 })
      .timestamp({ digest, hashAlgorithm: 'SHA-256' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TimeStampUnavailableError);
    expect((e as TimeStampUnavailableError).retryable).toBe(false);
    expect((e as Error).message).toContain('HTTP 401');
  });

  it('rejects a token carrying another nonce', async () => {
    tsa.mode = 'wrong-nonce';
    const e = await refusal(client().timestamp({ digest, hashAlgorithm: 'SHA-256' }));
    expect(e.reason).toBe('NONCE_MISMATCH');
  });

  it('rejects a token for other data', async () => {
    tsa.mode = 'other-data';
    const e = await refusal(client().timestamp({ digest, hashAlgorithm: 'SHA-256' }));
    expect(e.reason).toBe('IMPRINT_MISMATCH');
  });

  it('rejects a TSA certificate without the critical timeStamping EKU (which OpenSSL itself refuses to use)', async () => {
    const weak = await ca.tsaCredential({ eku: 'non-critical', commonName: 'Weak TSA' });
    // OpenSSL will not act as a TSA with this certificate: RFC 3161 §2.3 requires the EKU critical.
    const weakTsa = await startOpensslTsa(weak);
    try {
      const q = path.join(weakTsa.dir, 'q.tsq');
      writeFileSync(q, query(digest));
      await expect(
        run('openssl', [
          'ts',
          '-reply',
          '-config',
          path.join(weakTsa.dir, 'tsa.cnf'),
          '-queryfile',
          q,
          '-out',
          `${q}.r`,
        ]),
      ).rejects.toThrow(/invalid signer certificate purpose|unsupported certificate purpose/i);
    } finally {
      await weakTsa.close();
    }
    // So the shim answers with a token signed by that certificate (same key, chain to the trusted root).
    const signer = new TstSigner(weak, { policy: '1.2.3.4.1', accuracySeconds: 1 });
    tsa.answer = (q) => signer.issue(parseTimeStampRequest(q), 7n, new Date()).response;
    const e = await refusal(client().timestamp({ digest, hashAlgorithm: 'SHA-256' }));
    expect(e.reason).toBe('NOT_TIMESTAMPING_CERTIFICATE');
  });

  it('rejects a TSA that does not chain to a configured trust anchor', async () => {
    const stranger = await TestCa.create('Stranger Root');
    const strangerTsa = await startOpensslTsa(await stranger.tsaCredential({ commonName: 'Stranger TSA' }));
    try {
      const e = await refusal(
        client({ url: strangerTsa.url }).timestamp({ digest, hashAlgorithm: 'SHA-256' }),
      );
      expect(e.reason).toBe('NO_CERTIFICATE_CHAIN_FOUND');
      // Trusting that root through TSA_TRUST_ANCHORS-style PEM files makes the same TSA acceptable.
      const pem = path.join(strangerTsa.dir, 'anchors.pem');
      writeFileSync(pem, toPem(stranger.rootDer));
      const trusted = client({ url: strangerTsa.url, trust: () => loadTrustFiles(pem) });
      await expect(trusted.timestamp({ digest, hashAlgorithm: 'SHA-256' })).resolves.toMatchObject({
        policy: '1.2.3.4.1',
      });
    } finally {
      await strangerTsa.close();
    }
  });

  it('passes on a TSA refusal (unaccepted policy) as a rejection with the failure info', async () => {
    const e = await refusal(client().timestamp({ digest, hashAlgorithm: 'SHA-256', policy: '1.2.3.4.99' }));
    expect(e.reason).toBe('TSA_REFUSED:unacceptedPolicy');
  });

  it('rejects a malformed answer', async () => {
    tsa.mode = 'garbage';
    const e = await refusal(client().timestamp({ digest, hashAlgorithm: 'SHA-256' }));
    expect(e.reason).toBe('FORMAT_FAILURE');
  });

  it('retries HTTP 503 with back-off and succeeds within the bound', async () => {
    tsa.failFirst = 2;
    const before = tsa.requests;
    await expect(
      client({ retries: 2 }).timestamp({ digest, hashAlgorithm: 'SHA-256' }),
    ).resolves.toBeDefined();
    expect(tsa.requests - before).toBe(3);
  });

  it('gives up after the bounded retries with a retryable TimeStampUnavailableError', async () => {
    tsa.mode = 'http-503';
    const before = tsa.requests;
    const e: unknown = await client({ retries: 1 })
      .timestamp({ digest, hashAlgorithm: 'SHA-256' })
      .catch((x: unknown) => x);
    expect(e).toBeInstanceOf(TimeStampUnavailableError);
    expect((e as TimeStampUnavailableError).retryable).toBe(true);
    expect(tsa.requests - before).toBe(2);
  });

  it('reports an unreachable TSA and a silent one as unavailable', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    await expect(
      client({ url: `http://127.0.0.1:${port}/tsa`, retries: 1 }).timestamp({
        digest,
        hashAlgorithm: 'SHA-256',
      }),
    ).rejects.toBeInstanceOf(TimeStampUnavailableError);

    const silent = http.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}/tsa`;
      const e: unknown = await client({ url, timeoutMs: 200 })
        .timestamp({ digest, hashAlgorithm: 'SHA-256' })
        .catch((x: unknown) => x);
      expect(e).toBeInstanceOf(TimeStampUnavailableError);
      expect((e as Error).message).toContain('no answer within 200 ms');
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('authenticates with a TLS client certificate when the TSA requires one', async () => {
    const server = await ca.tlsCredential('server');
    const clientCred = await ca.tlsCredential('client');
    const signer = new TstSigner(await ca.tsaCredential({ commonName: 'TLS TSA' }), {
      policy: '1.2.3.4.1',
      accuracySeconds: 1,
    });
    let serial = 0n;
    const tls = https.createServer(
      {
        cert: server.certPem,
        key: server.keyPem,
        ca: ca.rootPem,
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const answer = signer.issue(
            parseTimeStampRequest(Buffer.concat(chunks)),
            ++serial,
            new Date(),
          ).response;
          res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(answer);
        });
      },
    );
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', () => r()));
    const url = `https://127.0.0.1:${(tls.address() as { port: number }).port}/tsa`;
    try {
      const withCert = client({
        url,
        clientCert: clientCred.certPem,
        clientKey: clientCred.keyPem,
        tlsCa: ca.rootPem,
      });
      await expect(withCert.timestamp({ digest, hashAlgorithm: 'SHA-256' })).resolves.toMatchObject({
        serialNumber: '1',
      });
      // Without a client certificate the handshake is refused: unavailable, and nothing was stamped.
      const without = client({ url, tlsCa: ca.rootPem });
      await expect(without.timestamp({ digest, hashAlgorithm: 'SHA-256' })).rejects.toBeInstanceOf(
        TimeStampUnavailableError,
      );
      expect(serial).toBe(1n);
    } finally {
      tls.closeAllConnections();
      await new Promise<void>((r) => tls.close(() => r()));
    }
  });

  it('refuses a digest of the wrong length before sending anything', async () => {
    const before = tsa.requests;
    const e = await refusal(client().timestamp({ digest: Buffer.alloc(20), hashAlgorithm: 'SHA-256' }));
    expect(e.reason).toBe('BAD_INPUT');
    expect(tsa.requests).toBe(before);
  });
});

function query(digest: Buffer): Buffer {
  return encodeTimeStampRequest({ hash: hashByName('SHA-256'), digest, nonce: 1n, certReq: true });
}
