import * as x509 from '@peculiar/x509';
import { execFile, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { KeyObject, createPublicKey, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { encodeTimeStampRequest, parseTimeStampRequest } from '../../src/tsa/domain/time-stamp-request';

x509.cryptoProvider.set(webcrypto as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface TestTsaCredential {
  privateKey: KeyObject;
  certificate: Uint8Array;
  chain: Uint8Array[];
}

export type EkuMode = 'critical' | 'non-critical' | 'absent' | 'extra-purpose';

/**
 * A throw-away CA for TSA tests (the real one lives in src/pki): a self-signed root and TSA
 * certificates with a chosen extendedKeyUsage shape, to show the verifier refuses the wrong ones.
 */
export class TestCa {
  private constructor(
    readonly name: string,
    private readonly keys: CryptoKeyPair,
    readonly root: x509.X509Certificate,
  ) {}

  static async create(name = 'Test Root CA', notBefore = new Date(Date.now() - 86_400_000)): Promise<TestCa> {
    const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
    const root = await x509.X509CertificateGenerator.createSelfSigned({
      name: `CN=${name}, O=Test`,
      keys,
      notBefore,
      notAfter: new Date(notBefore.getTime() + 30 * 365 * 86_400_000),
      signingAlgorithm: SIGN,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    return new TestCa(name, keys, root);
  }

  get rootDer(): Uint8Array {
    return new Uint8Array(this.root.rawData);
  }

  get rootPem(): string {
    return this.root.toString('pem');
  }

  /** Issues a certificate for a given public key (SPKI DER), as the PKI module's issuer would. */
  async issue(input: {
    commonName: string;
    publicKeySpki: Uint8Array;
    notBefore: Date;
    notAfter: Date;
    eku?: EkuMode | 'server' | 'client';
  }): Promise<Uint8Array> {
    const publicKey = await webcrypto.subtle.importKey(
      'spki',
      input.publicKeySpki,
      spkiAlgorithm(input.publicKeySpki),
      true,
      ['verify'],
    );
    const eku = input.eku ?? 'critical';
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.AuthorityKeyIdentifierExtension.create(this.keys.publicKey),
    ];
    if (eku === 'critical') extensions.push(new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.8'], true));
    if (eku === 'non-critical')
      extensions.push(new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.8'], false));
    if (eku === 'server') {
      extensions.push(new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.1'], false));
      extensions.push(new x509.SubjectAlternativeNameExtension([{ type: 'ip', value: '127.0.0.1' }]));
    }
    if (eku === 'client') extensions.push(new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.2'], false));
    if (eku === 'extra-purpose')
      extensions.push(new x509.ExtendedKeyUsageExtension(['1.3.6.1.5.5.7.3.8', '1.3.6.1.5.5.7.3.4'], true));
    const cert = await x509.X509CertificateGenerator.create({
      subject: `CN=${input.commonName}, O=Test`,
      issuer: this.root.subject,
      publicKey,
      signingKey: this.keys.privateKey,
      notBefore: input.notBefore,
      notAfter: input.notAfter,
      signingAlgorithm: SIGN,
      extensions,
    });
    return new Uint8Array(cert.rawData);
  }

  /** A P-256 key and a TLS server (127.0.0.1) or client certificate, as PEM. */
  async tlsCredential(kind: 'server' | 'client'): Promise<{ certPem: string; keyPem: string }> {
    const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
    const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
    const der = await this.issue({
      commonName: kind === 'server' ? '127.0.0.1' : 'bank-client',
      publicKeySpki: spki,
      notBefore: new Date(Date.now() - 3_600_000),
      notAfter: new Date(Date.now() + 86_400_000),
      eku: kind,
    });
    const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
    return { certPem: toPem(der), keyPem };
  }

  /** A fresh P-256 TSA key with a certificate from this CA. */
  async tsaCredential(
    options: { eku?: EkuMode; notBefore?: Date; notAfter?: Date; commonName?: string } = {},
  ): Promise<TestTsaCredential> {
    const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
    const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
    const notBefore = options.notBefore ?? new Date(Date.now() - 3_600_000);
    const certificate = await this.issue({
      commonName: options.commonName ?? 'Test TSA',
      publicKeySpki: spki,
      notBefore,
      notAfter: options.notAfter ?? new Date(notBefore.getTime() + 5 * 365 * 86_400_000),
      eku: options.eku,
    });
    return { privateKey: KeyObject.from(keys.privateKey), certificate, chain: [this.rootDer] };
  }
}

function spkiAlgorithm(spki: Uint8Array): EcKeyImportParams | RsaHashedImportParams {
  const obj = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  if (obj.asymmetricKeyType === 'ec') {
    const curve = obj.asymmetricKeyDetails?.namedCurve === 'secp384r1' ? 'P-384' : 'P-256';
    return { name: 'ECDSA', namedCurve: curve };
  }
  return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
}

/**
 * The independent check of a time-stamp response file: `openssl ts -verify` against the data it
 * stamps (`data`) or the query it answers (`query`, which also checks the nonce), trusting
 * `caFile`. Returns the process result: status 0 and "Verification: OK" when openssl accepts it.
 */
export function opensslTsVerify(
  responseFile: string,
  against: { data: string } | { query: string },
  caFile: string,
): SpawnSyncReturns<Buffer> {
  const input = 'data' in against ? ['-data', against.data] : ['-queryfile', against.query];
  return spawnSync('openssl', ['ts', '-verify', '-in', responseFile, ...input, '-CAfile', caFile]);
}

export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  return `-----BEGIN ${label}-----\n${b64.trimEnd()}\n-----END ${label}-----\n`;
}

export type ShimMode = 'pass' | 'wrong-nonce' | 'other-data' | 'http-503' | 'garbage';

export interface OpensslTsa {
  url: string;
  dir: string;
  /** Requests received (including failed ones). */
  requests: number;
  mode: ShimMode;
  /** Replace the answer entirely (e.g. a token from a TSA whose certificate openssl refuses to use). */
  answer?: (query: Buffer) => Buffer | Promise<Buffer>;
  /** Fail this many requests with HTTP 503 before behaving normally. */
  failFirst: number;
  /** Basic auth the shim demands, if set. */
  basicAuth?: string;
  close(): Promise<void>;
}

/**
 * An independent TSA for client tests: `openssl ts -reply` with its own key, certificate and
 * config in a temporary folder, behind a loopback HTTP shim. The shim can rewrite the query before
 * openssl sees it (another nonce, another imprint) to produce genuine but wrong tokens.
 */
export async function startOpensslTsa(
  credential: TestTsaCredential,
  options: { policy?: string } = {},
): Promise<OpensslTsa> {
  const run = promisify(execFile);

  const dir = mkdtempSync(path.join(tmpdir(), 'openssl-tsa-'));
  writeFileSync(path.join(dir, 'tsa.pem'), toPem(credential.certificate));
  writeFileSync(path.join(dir, 'tsa.key'), credential.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(path.join(dir, 'serial'), '1000\n');
  writeFileSync(
    path.join(dir, 'tsa.cnf'),
    [
      '[ tsa ]',
      'default_tsa = tsa_config1',
      '[ tsa_config1 ]',
      `dir = ${dir}`,
      'serial = $dir/serial',
      'crypto_device = builtin',
      'signer_cert = $dir/tsa.pem',
      'signer_key = $dir/tsa.key',
      'signer_digest = sha256',
      `default_policy = ${options.policy ?? '1.2.3.4.1'}`,
      'digests = sha256, sha384, sha512',
      'accuracy = secs:1',
      'ordering = no',
      'tsa_name = yes',
      'ess_cert_id_chain = no',
      'ess_cert_id_alg = sha256',
      '',
    ].join('\n'),
  );
  let n = 0;
  const state: OpensslTsa = {
    url: '',
    dir,
    requests: 0,
    mode: 'pass',
    failFirst: 0,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        state.requests++;
        if (
          state.basicAuth &&
          req.headers.authorization !== `Basic ${Buffer.from(state.basicAuth).toString('base64')}`
        ) {
          res.writeHead(401).end();
          return;
        }
        if (state.failFirst > 0 || state.mode === 'http-503') {
          state.failFirst = Math.max(0, state.failFirst - 1);
          res.writeHead(503).end();
          return;
        }
        let query: Buffer = Buffer.concat(chunks);
        if (state.mode === 'garbage') {
          res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(Buffer.from('garbage'));
          return;
        }
        if (state.answer) {
          const body = await state.answer(query);
          res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(body);
          return;
        }
        if (state.mode !== 'pass') {
          const q = parseTimeStampRequest(query);
          const digest = state.mode === 'other-data' ? Buffer.alloc(q.hash.length, 0x5a) : q.hashedMessage;
          const nonce = state.mode === 'wrong-nonce' ? (q.nonce ?? 0n) + 1n : q.nonce;
          query = encodeTimeStampRequest({ hash: q.hash, digest, nonce, certReq: q.certReq });
        }
        const id = ++n;
        const qf = path.join(dir, `q${id}.tsq`);
        const rf = path.join(dir, `r${id}.tsr`);
        writeFileSync(qf, query);
        try {
          await run('openssl', [
            'ts',
            '-reply',
            '-config',
            path.join(dir, 'tsa.cnf'),
            '-queryfile',
            qf,
            '-out',
            rf,
          ]);
          res.writeHead(200, { 'Content-Type': 'application/timestamp-reply' }).end(readFileSync(rf));
        } catch (e) {
          res.writeHead(500).end(String(e));
        }
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address() as { port: number };
  state.url = `http://127.0.0.1:${addr.port}/tsa`;
  return state;
}
