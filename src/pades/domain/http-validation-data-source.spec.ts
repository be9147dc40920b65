import { X509Certificate } from 'node:crypto';
import { addDays, addYears, serveRevocation, TestPki } from '../../../test/helpers/pades';
import { HttpValidationDataSource } from './http-validation-data-source';
import { RevocationStore } from './revocation';

describe('HttpValidationDataSource (foreign certificates: OCSP, then CRL, with limits)', () => {
  const now = new Date('2026-05-01T00:00:00Z');
  let pki: TestPki;
  let server: Awaited<ReturnType<typeof serveRevocation>>;
  const source = new HttpValidationDataSource({ timeoutMs: 300, maxBytes: 1024 * 1024 });

  beforeAll(async () => {
    pki = await TestPki.create({ notBefore: addDays(now, -10) });
    server = await serveRevocation(pki, () => now);
  });
  afterAll(() => server.close());

  const issue = (urls: { ocspUrl?: string; crlUrl?: string }) =>
    pki.issue({ cn: 'Foreign signer', notBefore: addDays(now, -1), notAfter: addYears(now, 1), ...urls });

  function statusOf(data: { ocsp?: Uint8Array; crl?: Uint8Array }, cert: Uint8Array) {
    const store = new RevocationStore();
    if (data.ocsp) store.addOcsp(data.ocsp);
    if (data.crl) store.addCrl(data.crl);
    return store.statusesFor(new X509Certificate(cert), new X509Certificate(pki.root.cert));
  }

  it('asks the OCSP responder named in the AIA extension', async () => {
    const c = await issue({ ocspUrl: `${server.base}/ocsp`, crlUrl: `${server.base}/crl` });
    const data = await source.revocationInfo(c.cert, pki.root.cert);
    expect(data.ocsp).toBeDefined();
    expect(data.crl).toBeUndefined();
    expect(statusOf(data, c.cert)).toMatchObject([{ status: 'good', source: 'ocsp' }]);
  });

  it('reports a revoked certificate as revoked', async () => {
    const c = await issue({ ocspUrl: `${server.base}/ocsp` });
    pki.revoke(c.cert, addDays(now, -0.5));
    const data = await source.revocationInfo(c.cert, pki.root.cert);
    expect(statusOf(data, c.cert)).toMatchObject([{ status: 'revoked', source: 'ocsp' }]);
  });

  it('falls back to the CRL distribution point when OCSP fails', async () => {
    const c = await issue({ ocspUrl: `${server.base}/missing`, crlUrl: `${server.base}/crl` });
    const data = await source.revocationInfo(c.cert, pki.root.cert);
    expect(data.ocsp).toBeUndefined();
    expect(statusOf(data, c.cert)).toMatchObject([{ status: 'good', source: 'crl' }]);
  });

  it('gives up on a responder that does not answer in time, or answers too much', async () => {
    const slow = await issue({ crlUrl: `${server.base}/slow` });
    await expect(source.revocationInfo(slow.cert, pki.root.cert)).resolves.toEqual({});
    const huge = await issue({ crlUrl: `${server.base}/huge` });
    await expect(source.revocationInfo(huge.cert, pki.root.cert)).resolves.toEqual({});
    const none = await issue({});
    await expect(source.revocationInfo(none.cert, pki.root.cert)).resolves.toEqual({});
    expect(server.hits['/slow']).toBe(1);
    expect(server.hits['/huge']).toBe(1);
  });
});
