import { createHash } from 'node:crypto';
import { TestCa } from '../../../test/helpers/tsa';
import { hashByName } from './oids';
import { encodeTimeStampRequest, parseTimeStampRequest } from './time-stamp-request';
import { TstSigner } from './tst-signer';
import {
  TimeStampSubIndication,
  type TimeStampVerification,
  type VerifyTimeStampOptions,
  verifyTimeStampToken,
} from './verify-time-stamp-token';

const POLICY = '1.2.392.200091.1.1';

/**
 * Where the signature is checked (inline or on the thread pool) and what the verifier remembers per
 * certificate (usage verdict, digests, parsed OIDs) must never change a verdict.
 */
describe('verifyTimeStampToken: same verdict inline and on the pool, every time', () => {
  let ca: TestCa;
  let signer: TstSigner;
  const digest = createHash('sha256').update('契約書').digest();
  const request = () =>
    parseTimeStampRequest(
      encodeTimeStampRequest({ hash: hashByName('SHA-256'), digest, nonce: 77n, certReq: true }),
    );

  beforeAll(async () => {
    ca = await TestCa.create();
    signer = new TstSigner(await ca.tsaCredential(), { policy: POLICY, accuracySeconds: 1 });
  });

  /** Both ways, twice each (the second run answers from what the first one remembered). */
  async function verdicts(token: Uint8Array, options: Partial<VerifyTimeStampOptions> = {}) {
    const base: VerifyTimeStampOptions = {
      digest,
      hashAlgorithm: 'SHA-256',
      trustAnchors: [ca.rootDer],
      nonce: 77n,
      ...options,
    };
    const out: TimeStampVerification[] = [];
    for (const verifyInline of [true, false, true, false])
      out.push(await verifyTimeStampToken(token, { ...base, verifyInline }));
    const shape = (v: TimeStampVerification) => ({
      valid: v.valid,
      indication: v.indication,
      subIndication: v.subIndication,
      checks: v.checks.map((c) => [c.name, c.passed]),
    });
    for (const v of out.slice(1)) expect(shape(v)).toEqual(shape(out[0]));
    return out[0];
  }

  it('accepts a good token', async () => {
    const v = await verdicts(signer.issue(request(), 1n, new Date()).token);
    expect(v).toMatchObject({ valid: true, indication: 'PASSED' });
    expect(v.checks.find((c) => c.name === 'signature')?.passed).toBe(true);
  });

  it('refuses an altered signature and altered content', async () => {
    const issued = signer.issue(request(), 2n, new Date());
    const badSig = Buffer.from(issued.token);
    badSig[badSig.length - 1] ^= 0x01;
    expect((await verdicts(badSig)).subIndication).toBe(TimeStampSubIndication.SIG_CRYPTO_FAILURE);
    const badContent = Buffer.from(issued.token);
    badContent[badContent.indexOf(Buffer.from([0x02, 0x01, 2]), 0) + 2] = 3;
    expect((await verdicts(badContent)).subIndication).toBe(TimeStampSubIndication.HASH_FAILURE);
  });

  it('keeps refusing a certificate without the time-stamping usage, and keeps accepting a good one', async () => {
    const weak = new TstSigner(await ca.tsaCredential({ eku: 'non-critical' }), {
      policy: POLICY,
      accuracySeconds: 1,
    });
    const weakToken = weak.issue(request(), 3n, new Date()).token;
    const goodToken = signer.issue(request(), 4n, new Date()).token;
    for (let round = 0; round < 2; round++) {
      expect((await verdicts(weakToken)).subIndication).toBe(
        TimeStampSubIndication.NOT_TIMESTAMPING_CERTIFICATE,
      );
      expect((await verdicts(goodToken)).valid).toBe(true);
    }
  });

  it('keeps refusing a malformed object identifier (nothing wrong is remembered)', async () => {
    const token = Buffer.from(signer.issue(request(), 5n, new Date()).token);
    // The content type id-signedData (1.2.840.113549.1.7.2) with a non-minimal first arc octet.
    const oid = Buffer.from('06092a864886f70d010702', 'hex');
    const at = token.indexOf(oid);
    expect(at).toBeGreaterThan(0);
    token[at + 2] = 0x80; // 0x80 starts an arc with a zero septet: not DER
    for (let round = 0; round < 2; round++) {
      const v = await verdicts(token);
      expect(v).toMatchObject({ valid: false, subIndication: TimeStampSubIndication.FORMAT_FAILURE });
      expect(v.message).toMatch(/non-minimal OID/);
    }
  });

  it('refuses a wrong nonce and a chain to another anchor in both ways', async () => {
    const token = signer.issue(request(), 6n, new Date()).token;
    expect((await verdicts(token, { nonce: 78n })).subIndication).toBe(TimeStampSubIndication.NONCE_MISMATCH);
    const stranger = await TestCa.create('Stranger CA');
    expect((await verdicts(token, { trustAnchors: [stranger.rootDer] })).subIndication).toBe(
      TimeStampSubIndication.NO_CERTIFICATE_CHAIN_FOUND,
    );
  });
});
