import { generateKeyPairSync } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CertificateAuthority } from '../src/pki/certificate-authority.service';
import { buildCrl } from '../src/pki/domain/crl';
import { issuerHashes } from '../src/pki/domain/ocsp';
import { OID } from '../src/pki/domain/oids';
import { fromPem, parseCertificate, randomSerial, serialHex } from '../src/pki/domain/x509';
import { CreateSigningIdentity } from '../src/pki/signing-identities.usecase';
import { UnlockSigningKey } from '../src/pki/unlock-signing-key.usecase';
import { bootBenchApp, figure as line, indices, pool, timed } from './bench-util';

/**
 * `npm run bench -- pki [issuances] [unlocks] [ocsp]`: the costs a relying party or signer sees.
 * - issuance: key generation + certificate + PIN sealing (Argon2id) + database, per second;
 * - PIN unlock (Argon2id 19 MiB + AES-GCM + two small transactions), sequential latency and
 *   throughput at concurrency 8;
 * - OCSP responses per second (parse, database lookup, sign);
 * - CRL signing time with 10,000 entries (pure).
 * Uses the embedded SQLite database unless DATABASE_URL is set.
 */
export async function run(args: string[]): Promise<void> {
  const issuances = Number(args[0] ?? 30);
  const unlocks = Number(args[1] ?? 40);
  const ocspCount = Number(args[2] ?? 2000);
  const { app, config, close } = await bootBenchApp({ name: 'pki' });
  try {
    const ca = app.get(CertificateAuthority);
    const create = app.get(CreateSigningIdentity);
    const unlock = app.get(UnlockSigningKey);

    const ids: { id: string; cert: string }[] = [];
    let s =
      (await timed(async () => {
        for (let i = 0; i < issuances; i++) {
          const v = await create.execute({
            branchName: `支店${i}`,
            title: '支店長',
            personName: '試験 一郎',
            pin: '482915',
            actor: 'bench',
          });
          ids.push({ id: v.id, cert: v.certificate!.certificatePem });
        }
      })) / 1000;
    line(
      `issuance (${config.SUBSCRIBER_KEY_TYPE}, sequential): ${issuances} in ${s.toFixed(2)} s = ${(issuances / s).toFixed(1)}/s, ${((s * 1000) / issuances).toFixed(1)} ms each`,
    );

    const op = { id: 'bench', roles: ['bank_signer'] };
    const unlockOne = (i: number) =>
      unlock.unlockBankSigningIdentity({
        signingIdentityId: ids[i % ids.length].id,
        pin: '482915',
        operator: op,
        contractId: `c${i}`,
      });
    s = (await pool(indices(unlocks), 1, unlockOne)) / 1000;
    line(
      `PIN unlock (sequential): ${unlocks} in ${s.toFixed(2)} s = ${((s * 1000) / unlocks).toFixed(1)} ms each`,
    );
    s = (await pool(indices(unlocks), 8, unlockOne)) / 1000;
    line(`PIN unlock (concurrency 8): ${unlocks} in ${s.toFixed(2)} s = ${(unlocks / s).toFixed(1)}/s`);

    const h = await ca.ready();
    const { name, key } = issuerHashes(h.issuing.certificate, 'sha1');
    const requests = ids.map((x) => {
      const req = new pkijs.OCSPRequest();
      req.tbsRequest.requestList = [
        new pkijs.Request({
          reqCert: new pkijs.CertID({
            hashAlgorithm: new pkijs.AlgorithmIdentifier({
              algorithmId: OID.sha1,
              algorithmParams: new asn1js.Null(),
            }),
            issuerNameHash: new asn1js.OctetString({ valueHex: name }),
            issuerKeyHash: new asn1js.OctetString({ valueHex: key }),
            serialNumber: parseCertificate(fromPem(x.cert)).serialNumber,
          }),
        }),
      ];
      return new Uint8Array(req.toSchema(true).toBER(false));
    });
    s =
      (await timed(async () => {
        for (let i = 0; i < ocspCount; i++) await ca.respondOcsp(requests[i % requests.length]);
      })) / 1000;
    line(
      `OCSP responses (in-process, sequential): ${ocspCount} in ${s.toFixed(2)} s = ${(ocspCount / s).toFixed(0)}/s`,
    );

    const crlKey = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    const revoked = Array.from({ length: 10_000 }, () => ({
      serialHex: serialHex(randomSerial()),
      revokedAt: new Date(),
      reason: 'keyCompromise' as const,
    }));
    const t0 = performance.now();
    const crl = buildCrl({
      issuer: { certificate: h.issuing.certificate, key: crlKey },
      crlNumber: 1,
      thisUpdate: new Date(),
      nextUpdate: new Date(Date.now() + 86_400_000),
      revoked,
    });
    s = (performance.now() - t0) / 1000;
    line(
      `CRL with 10,000 entries: built and signed in ${(s * 1000).toFixed(0)} ms, ${(crl.length / 1024).toFixed(0)} KiB`,
    );
  } finally {
    await close();
  }
}
