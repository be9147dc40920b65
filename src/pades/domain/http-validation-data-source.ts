import * as x509 from '@peculiar/x509';
import * as asn1js from 'asn1js';
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import * as pkijs from 'pkijs';
import { certificateFromDer, toArrayBuffer } from './asn1.util';
import { OID } from './oids';
import type { RevocationData, ValidationDataSource } from './validation-data';

export interface HttpValidationDataOptions {
  timeoutMs: number;
  maxBytes: number;
}

/**
 * Fetches revocation data for foreign certificates from the URLs they name: OCSP (RFC 6960
 * Appendix A.1, POST) from the AIA extension, else the CRL from the first HTTP distribution
 * point. Every fetch has a timeout and a size limit; a failure yields no data, never an exception.
 */
export class HttpValidationDataSource implements ValidationDataSource {
  constructor(private readonly options: HttpValidationDataOptions) {}

  async revocationInfo(cert: Uint8Array, issuer: Uint8Array): Promise<RevocationData> {
    let parsed: x509.X509Certificate;
    try {
      parsed = new x509.X509Certificate(Buffer.from(cert));
    } catch {
      return {};
    }
    const aia = parsed.getExtension(x509.AuthorityInfoAccessExtension);
    for (const name of aia?.ocsp ?? []) {
      if (name.type !== 'url' || !/^https?:/.test(name.value)) continue;
      const body = ocspRequest(cert, issuer);
      const resp = await this.fetch(name.value, 'POST', body, 'application/ocsp-request').catch(
        () => undefined,
      );
      if (resp && isSuccessfulOcsp(resp)) return { ocsp: resp };
    }
    const dps = parsed.getExtension(x509.CRLDistributionPointsExtension);
    for (const dp of dps?.distributionPoints ?? []) {
      for (const gn of dp.distributionPoint?.fullName ?? []) {
        const url = gn.uniformResourceIdentifier;
        if (!url || !/^https?:/.test(url)) continue;
        const crl = await this.fetch(url, 'GET').catch(() => undefined);
        if (crl) return { crl };
      }
    }
    return {};
  }

  private fetch(
    url: string,
    method: 'GET' | 'POST',
    body?: Uint8Array,
    contentType?: string,
  ): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const lib = u.protocol === 'https:' ? https : http;
      const req = lib.request(
        u,
        {
          method,
          timeout: this.options.timeoutMs,
          headers: body
            ? { 'content-type': contentType ?? 'application/octet-stream', 'content-length': body.length }
            : {},
        },
        (res) => {
          if ((res.statusCode ?? 0) !== 200) {
            res.resume();
            reject(new Error(`HTTP ${res.statusCode ?? '?'} from ${u.host}`));
            return;
          }
          const chunks: Buffer[] = [];
          let len = 0;
          res.on('data', (c: Buffer) => {
            len += c.length;
            if (len > this.options.maxBytes) {
              req.destroy(new Error('response too large'));
              return;
            }
            chunks.push(c);
          });
          res.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`timeout after ${this.options.timeoutMs} ms`)));
      req.on('error', reject);
      if (body) req.write(body);
      req.end();
    });
  }
}

/** An OCSPRequest for one certificate (SHA-1 CertID, RFC 5019 §2.1.1: what responders index by). */
export function ocspRequest(cert: Uint8Array, issuer: Uint8Array): Uint8Array {
  const c = certificateFromDer(cert);
  const i = certificateFromDer(issuer);
  const nameHash = createHash('sha1')
    .update(new Uint8Array(i.subject.toSchema().toBER(false)))
    .digest();
  const keyHash = createHash('sha1')
    .update(i.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)
    .digest();
  const certId = new pkijs.CertID({
    hashAlgorithm: new pkijs.AlgorithmIdentifier({
      algorithmId: OID.sha1,
      algorithmParams: new asn1js.Null(),
    }),
    issuerNameHash: new asn1js.OctetString({ valueHex: toArrayBuffer(nameHash) }),
    issuerKeyHash: new asn1js.OctetString({ valueHex: toArrayBuffer(keyHash) }),
    serialNumber: c.serialNumber,
  });
  const req = new pkijs.OCSPRequest();
  req.tbsRequest.requestList = [new pkijs.Request({ reqCert: certId })];
  return new Uint8Array(req.toSchema(true).toBER(false));
}

function isSuccessfulOcsp(der: Uint8Array): boolean {
  try {
    const r = new pkijs.OCSPResponse({ schema: asn1js.fromBER(toArrayBuffer(der)).result });
    return r.responseStatus.valueBlock.valueDec === 0 && !!r.responseBytes;
  } catch {
    return false;
  }
}
