import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, KeyObject, randomBytes, webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';
import { ensurePkijsEngine, toArrayBuffer } from '../../src/pades/domain/asn1.util';
import { CmsSignatureBuilder } from '../../src/pades/domain/cms-builder';
import { OID } from '../../src/pades/domain/oids';
import { KeyObjectSigner } from '../../src/pades/domain/signer';
import { concatUpdate, UpdateBuilder } from '../../src/pades/pdf/incremental-writer';
import { PdfDocument } from '../../src/pades/pdf/pdf-document';
import { PdfDict } from '../../src/pades/pdf/pdf-objects';
import type { RevocationData, ValidationDataSource } from '../../src/pades/domain/validation-data';
import { TimeStamper, TimeStampRequestInput, TimeStampToken } from '../../src/tsa/time-stamper';
import { sharedPath } from './shared-paths';

/**
 * A fixture PKI for PAdES tests: a root CA that issues signer and TSA certificates, revokes them,
 * and answers OCSP/CRL in-process; plus an RFC 3161 time-stamper over any of its TSA
 * certificates with a clock the test controls. Everything is generated fresh per call.
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
};

export interface IssuedKey {
  cert: Uint8Array;
  pem: string;
  key: KeyObject;
  cryptoKey: CryptoKey;
}

export type Clock = () => Date;

export class TestPki {
  private readonly revoked = new Map<string, { at: Date; reason: x509.X509CrlReason }>();
  /** Issued certificates by lower-case hex serial (the OCSP responder looks them up). */
  readonly issued = new Map<string, Uint8Array>();
  private constructor(
    readonly root: IssuedKey,
    private readonly rootX509: x509.X509Certificate,
    private readonly rootKeys: CryptoKeyPair,
  ) {}

  static async create(options: { notBefore: Date; years?: number; name?: string }): Promise<TestPki> {
    ensurePkijsEngine();
    const keys = await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify']);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: randomSerial(),
      name: `CN=${options.name ?? 'PAdES Test Root'}, O=Test Shinkin Bank, C=JP`,
      notBefore: options.notBefore,
      notAfter: addYears(options.notBefore, options.years ?? 30),
      keys,
      signingAlgorithm: EC,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const root = await toIssued(cert, keys.privateKey);
    return new TestPki(root, cert, keys);
  }

  /** Issues an end-entity certificate: a document signer (default) or a time-stamping unit. */
  async issue(options: {
    cn: string;
    notBefore: Date;
    notAfter: Date;
    kind?: 'signer' | 'tsa';
    keyType?: 'ec' | 'rsa';
    ocspUrl?: string;
    crlUrl?: string;
  }): Promise<IssuedKey> {
    const alg = options.keyType === 'rsa' ? RSA : EC;
    const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      await x509.AuthorityKeyIdentifierExtension.create(this.rootX509),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ];
    if (options.kind === 'tsa') {
      extensions.push(new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true));
      // RFC 3161 §2.3: the TSA certificate has exactly one critical EKU, id-kp-timeStamping.
      extensions.push(new x509.ExtendedKeyUsageExtension([OID.kpTimeStamping], true));
    } else {
      extensions.push(
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
          true,
        ),
      );
    }
    if (options.crlUrl) extensions.push(new x509.CRLDistributionPointsExtension([options.crlUrl]));
    if (options.ocspUrl) extensions.push(new x509.AuthorityInfoAccessExtension({ ocsp: [options.ocspUrl] }));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: `CN=${options.cn}, O=Test Shinkin Bank, C=JP`,
      issuer: this.rootX509.subject,
      notBefore: options.notBefore,
      notAfter: options.notAfter,
      publicKey: keys.publicKey,
      signingKey: this.rootKeys.privateKey,
      signingAlgorithm: EC,
      extensions,
    });
    const issued = await toIssued(cert, keys.privateKey);
    this.issued.set(serialOf(issued.cert), issued.cert);
    return issued;
  }

  revoke(certDer: Uint8Array, at: Date, reason = x509.X509CrlReason.keyCompromise): void {
    this.revoked.set(serialOf(certDer), { at, reason });
  }

  /** A CRL as the CA would publish it at `at` (next update a week later). */
  async crl(at: Date): Promise<Uint8Array> {
    const entries = [...this.revoked.entries()]
      .filter(([, r]) => r.at <= at)
      .map(([serial, r]) => ({ serialNumber: serial, revocationDate: r.at, reason: r.reason }));
    const crl = await x509.X509CrlGenerator.create({
      issuer: this.rootX509.subject,
      thisUpdate: at,
      nextUpdate: new Date(at.getTime() + 7 * 86400_000),
      entries,
      signingKey: this.rootKeys.privateKey,
      signingAlgorithm: EC,
    });
    return new Uint8Array(crl.rawData);
  }

  /** An OCSP response signed by the CA itself (RFC 6960 §4.2.2.2) for `certDer` at `at`. */
  async ocsp(certDer: Uint8Array, at: Date): Promise<Uint8Array> {
    const issuer = new pkijs.Certificate({ schema: asn1js.fromBER(toArrayBuffer(this.root.cert)).result });
    const target = new pkijs.Certificate({ schema: asn1js.fromBER(toArrayBuffer(certDer)).result });
    const basic = new pkijs.BasicOCSPResponse();
    basic.tbsResponseData.responderID = issuer.subject;
    basic.tbsResponseData.producedAt = at;
    const single = new pkijs.SingleResponse();
    await single.certID.createForCertificate(target, { hashAlgorithm: 'SHA-256', issuerCertificate: issuer });
    const rev = this.revoked.get(serialOf(certDer));
    single.certStatus =
      rev && rev.at <= at
        ? new asn1js.Constructed({
            idBlock: { tagClass: 3, tagNumber: 1 },
            value: [new asn1js.GeneralizedTime({ valueDate: rev.at })],
          })
        : new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 } });
    single.thisUpdate = at;
    single.nextUpdate = new Date(at.getTime() + 86400_000);
    basic.tbsResponseData.responses.push(single);
    basic.certs = [issuer];
    await basic.sign(this.rootKeys.privateKey, 'SHA-256');
    const resp = new pkijs.OCSPResponse();
    resp.responseStatus.valueBlock.valueDec = 0;
    resp.responseBytes = new pkijs.ResponseBytes({
      responseType: OID.ocspBasic,
      response: new asn1js.OctetString({ valueHex: basic.toSchema().toBER(false) }),
    });
    return new Uint8Array(resp.toSchema().toBER(false));
  }

  /** A ValidationDataSource answering from this CA with OCSP (or CRL) at the clock's time. */
  validationDataSource(
    clock: Clock,
    mode: 'ocsp' | 'crl' = 'ocsp',
  ): ValidationDataSource & { calls: number } {
    const source = {
      calls: 0,
      revocationInfo: async (cert: Uint8Array, issuer: Uint8Array): Promise<RevocationData> => {
        source.calls++;
        if (!Buffer.from(issuer).equals(Buffer.from(this.root.cert))) return {};
        return mode === 'ocsp' ? { ocsp: await this.ocsp(cert, clock()) } : { crl: await this.crl(clock()) };
      },
    };
    return source;
  }
}

/** An in-process RFC 3161 TSA over a TestPki TSA certificate; the clock decides genTime. */
export class TestTimeStamper extends TimeStamper {
  calls = 0;
  constructor(
    public tsa: IssuedKey,
    private readonly chain: Uint8Array[],
    private readonly clock: Clock,
    private readonly policy = '1.2.392.200001.9999.1',
  ) {
    super();
  }

  async timestamp(input: TimeStampRequestInput): Promise<TimeStampToken> {
    this.calls++;
    const genTime = this.clock();
    // Positive and minimal in DER: high bit clear, first byte never zero (a leading zero byte
    // followed by one below 0x80 is a non-minimal INTEGER that strict parsers refuse).
    const serial = randomBytes(8);
    serial[0] &= 0x7f;
    serial[0] |= 0x10;
    const tst = new pkijs.TSTInfo({
      version: 1,
      policy: input.policy ?? this.policy,
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({
          algorithmId: { 'SHA-256': OID.sha256, 'SHA-384': OID.sha384, 'SHA-512': OID.sha512 }[
            input.hashAlgorithm
          ],
        }),
        hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(input.digest) }),
      }),
      serialNumber: new asn1js.Integer({ valueHex: toArrayBuffer(serial) }),
      genTime,
    });
    const content = new Uint8Array(tst.toSchema().toBER(false));
    const signer = new KeyObjectSigner(
      this.tsa.key,
      this.tsa.cert,
      input.certReq === false ? [] : this.chain,
    );
    const builder = new CmsSignatureBuilder(signer, createHash('sha256').update(content).digest(), {
      contentType: OID.tstInfo,
      content,
    });
    const { der } = await builder.sign();
    return {
      der,
      genTime,
      serialNumber: serial.toString('hex'),
      policy: input.policy ?? this.policy,
      tsaCertificates: [this.tsa.cert, ...this.chain],
    };
  }
}

async function toIssued(cert: x509.X509Certificate, privateKey: CryptoKey): Promise<IssuedKey> {
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', privateKey);
  return {
    cert: new Uint8Array(cert.rawData),
    pem: cert.toString('pem'),
    key: KeyObject.from(privateKey),
    cryptoKey: privateKey,
    ...(pkcs8 ? {} : {}),
  };
}

function randomSerial(): string {
  const b = randomBytes(12);
  b[0] &= 0x7f;
  b[0] |= 0x10;
  return b.toString('hex');
}

function serialOf(certDer: Uint8Array): string {
  return new x509.X509Certificate(Buffer.from(certDer)).serialNumber.toLowerCase();
}

export function addYears(d: Date, years: number): Date {
  const r = new Date(d);
  r.setUTCFullYear(r.getUTCFullYear() + years);
  return r;
}

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * 86400_000);
}

/**
 * A complete fixture: root, an EC signer, an RSA signer and a TSA certificate, all valid from
 * `start`; a clock the test moves; the TSA and the validation-data source bound to that clock.
 */
// The signer certificates carry a CRL URL that is not served and no OCSP URL: pdfsig (NSS) fails
// hard on an unreachable OCSP responder but tolerates an unreachable CRL distribution point.
export async function createPadesFixture(
  start = new Date('2026-04-01T01:00:00Z'),
  options: { crlUrl?: string } = {},
) {
  let now = start;
  const clock: Clock = () => now;
  const pki = await TestPki.create({ notBefore: addDays(start, -30) });
  const signer = await pki.issue({
    cn: 'Signer EC',
    notBefore: addDays(start, -1),
    notAfter: addYears(start, 2),
    crlUrl: options.crlUrl ?? 'http://127.0.0.1:9/crl',
  });
  const rsaSigner = await pki.issue({
    cn: 'Signer RSA',
    notBefore: addDays(start, -1),
    notAfter: addYears(start, 2),
    keyType: 'rsa',
    crlUrl: 'http://127.0.0.1:9/crl',
  });
  const tsaCert = await pki.issue({
    cn: 'Test TSA 1',
    kind: 'tsa',
    notBefore: addDays(start, -1),
    notAfter: addYears(start, 5),
    crlUrl: 'http://127.0.0.1:9/crl',
  });
  const tsa = new TestTimeStamper(tsaCert, [pki.root.cert], clock);
  return {
    pki,
    signer,
    rsaSigner,
    tsa,
    clock,
    setNow: (d: Date) => {
      now = d;
    },
    validationData: pki.validationDataSource(clock),
  };
}

export const FIXTURES = sharedPath('fixtures/pdf');
export const VERIFY_TOOL = sharedPath('verify/verify-signed-pdf');

export interface IndependentVerdict {
  exitCode: number;
  stderr: string;
  accepted: boolean;
  checks: { check: string; accepted: boolean; detail: string }[];
}

/** Runs the independent checker (qpdf, pdfsig, openssl cms/ts) over a signed file. */
export function verifyIndependently(
  file: string,
  options: {
    trust: string[];
    prefix?: string;
    expectSignatures?: number;
    expectDocTimestamps?: number;
    expectDss?: boolean;
  },
): IndependentVerdict {
  const args = [...options.trust.flatMap((t) => ['--trust', t]), '--json'];
  if (options.prefix) args.push('--prefix', options.prefix);
  if (options.expectSignatures !== undefined)
    args.push('--expect-signatures', String(options.expectSignatures));
  if (options.expectDocTimestamps !== undefined)
    args.push('--expect-doc-timestamps', String(options.expectDocTimestamps));
  if (options.expectDss) args.push('--expect-dss');
  const r = spawnSync(VERIFY_TOOL, [...args, file], { encoding: 'utf8' });
  const parsed = r.stdout
    ? (JSON.parse(r.stdout) as { accepted: boolean; checks: IndependentVerdict['checks'] })
    : undefined;
  return {
    exitCode: r.status ?? -1,
    accepted: parsed?.accepted ?? false,
    checks: parsed?.checks ?? [],
    stderr: r.stderr,
  };
}

/**
 * Appends an incremental update that replaces page 1's content with a new stream (what a forger
 * would do to change the loan amount after signing).
 */
export function appendPageContentChange(pdf: Uint8Array): Buffer {
  const doc = PdfDocument.load(pdf);
  const u = new UpdateBuilder(doc);
  const page = doc.page(0);
  const content = u.alloc();
  u.putStream(
    content,
    new PdfDict(),
    Buffer.from('BT /F1 24 Tf 72 720 Td (LOAN AMOUNT 99,999,999 JPY) Tj ET'),
    false,
  );
  const dict = page.dict.clone();
  dict.set('Contents', content);
  u.put(page.ref, dict);
  return concatUpdate(pdf, u.build().appended);
}

/** Serves the fixture CA's CRL over HTTP on loopback (GET /crl), as a real distribution point. */
export async function serveCrl(
  crl: () => Promise<Uint8Array>,
): Promise<{ url: string; hits: number; close(): Promise<void> }> {
  const state = { hits: 0 };
  const server = createServer((req, res) => {
    state.hits++;
    if (req.url !== '/crl') {
      res.writeHead(404).end();
      return;
    }
    crl().then(
      (crl) => res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(Buffer.from(crl)),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/crl`,
    get hits() {
      return state.hits;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * An HTTP OCSP responder (RFC 6960 Appendix A.1, POST) and CRL distribution point for a TestPki on
 * loopback: POST /ocsp answers for the serial in the request, GET /crl serves the CRL,
 * GET /huge sends more than any limit, GET /slow never answers.
 */
export async function serveRevocation(
  pki: TestPki,
  clock: Clock,
): Promise<{ base: string; hits: Record<string, number>; close(): Promise<void> }> {
  const hits: Record<string, number> = {};
  const server = createServer((req, res) => {
    const route = req.url ?? '';
    hits[route] = (hits[route] ?? 0) + 1;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const reply = async (): Promise<Uint8Array | undefined> => {
        if (route === '/crl') return pki.crl(clock());
        if (route === '/ocsp' && req.method === 'POST') {
          const ocspReq = pkijs.OCSPRequest.fromBER(Buffer.concat(chunks));
          const serial = Buffer.from(
            ocspReq.tbsRequest.requestList[0].reqCert.serialNumber.valueBlock.valueHexView,
          ).toString('hex');
          const cert = pki.issued.get(serial.replace(/^0+/, '')) ?? pki.issued.get(serial);
          return cert ? pki.ocsp(cert, clock()) : undefined;
        }
        if (route === '/huge') return new Uint8Array(2 * 1024 * 1024);
        return undefined;
      };
      if (route === '/slow') return; // never answers: the client must time out
      reply().then(
        (body) => (body ? res.writeHead(200).end(Buffer.from(body)) : res.writeHead(404).end()),
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    base: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
