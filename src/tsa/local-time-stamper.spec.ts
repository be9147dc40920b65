import { createHash } from 'node:crypto';
import { TestCa, TestTsaCredential } from '../../test/helpers/tsa';
import type { ParsedTimeStampRequest } from './domain/time-stamp-request';
import { TstSigner } from './domain/tst-signer';
import * as verifier from './domain/verify-time-stamp-token';
import type { IssueTimeStamp, RecordedToken } from './issue-time-stamp.usecase';
import { LocalTimeStamper } from './local-time-stamper';
import { TimeStampRejectedError } from './time-stamper';
import type { TsaCertificateIssuer } from './tsa-certificate-issuer';

// The real verifier, watched: which way each token was checked, with which inputs.
jest.mock('./domain/verify-time-stamp-token', () => {
  const actual = jest.requireActual<typeof verifier>('./domain/verify-time-stamp-token');
  return { ...actual, verifyTimeStampToken: jest.fn(actual.verifyTimeStampToken) };
});
const verify = verifier.verifyTimeStampToken as jest.MockedFunction<typeof verifier.verifyTimeStampToken>;

/** The issuance use case reduced to its answer: a token signed now, after a turn of the event loop. */
function issuerOver(cred: TestTsaCredential, tamper?: (token: Buffer) => Buffer): IssueTimeStamp {
  const signer = new TstSigner(cred, { policy: '1.2.392.200091.1.1', accuracySeconds: 1 });
  let serial = 1n;
  return {
    issue: async (req: ParsedTimeStampRequest): Promise<RecordedToken> => {
      await new Promise((r) => setImmediate(r));
      const issued = signer.issue(req, serial++, new Date());
      return {
        ...issued,
        token: tamper ? tamper(issued.token) : issued.token,
        credentialId: 'test',
        signerCertificate: Buffer.from(cred.certificate),
        signerChain: cred.chain.map((c) => Buffer.from(c)),
      };
    },
  } as unknown as IssueTimeStamp;
}

describe('LocalTimeStamper', () => {
  let ca: TestCa;
  let cred: TestTsaCredential;
  let anchors: TsaCertificateIssuer;
  beforeAll(async () => {
    ca = await TestCa.create();
    cred = await ca.tsaCredential();
    anchors = { trustAnchors: () => Promise.resolve([ca.rootDer]) } as unknown as TsaCertificateIssuer;
  });
  beforeEach(() => verify.mockClear());

  const input = (i: number) => ({
    digest: createHash('sha256').update(`document ${i}`).digest(),
    hashAlgorithm: 'SHA-256' as const,
  });

  it('checks a lone request on this thread, concurrent ones on the pool, and every token in full', async () => {
    const local = new LocalTimeStamper(issuerOver(cred), anchors);
    const lone = await local.timestamp(input(0));
    expect(lone.tsaCertificates[0]).toEqual(new Uint8Array(cred.certificate));
    expect(verify.mock.calls.map((c) => c[1].verifyInline)).toEqual([true]);
    verify.mockClear();
    const many = await Promise.all([1, 2, 3, 4].map((i) => local.timestamp(input(i))));
    expect(new Set(many.map((t) => t.serialNumber)).size).toBe(4);
    const modes = verify.mock.calls.map((c) => c[1].verifyInline);
    expect(modes).toHaveLength(4);
    expect(modes).toContain(false);
    // Every check ran with the request's own digest and nonce.
    for (const [i, call] of verify.mock.calls.entries()) {
      expect(Buffer.from(call[1].digest).equals(input(i + 1).digest)).toBe(true);
      expect(typeof call[1].nonce).toBe('bigint');
    }
  });

  it('refuses a token that fails the check, alone or not', async () => {
    // Flip the last bit of the signature value.
    const broken = issuerOver(cred, (t) => {
      const b = Buffer.from(t);
      b[b.length - 1] ^= 1;
      return b;
    });
    const local = new LocalTimeStamper(broken, anchors);
    await expect(local.timestamp(input(0))).rejects.toBeInstanceOf(TimeStampRejectedError);
    const results = await Promise.allSettled([1, 2, 3].map((i) => local.timestamp(input(i))));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ reason: 'SIG_CRYPTO_FAILURE' });
    }
  });
});
