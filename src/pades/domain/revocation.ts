import * as asn1js from 'asn1js';
import { createHash, X509Certificate } from 'node:crypto';
import * as pkijs from 'pkijs';
import { bytesEqual, certificateFromDer, parseDer } from './asn1.util';
import { verifySignatureValue } from './cms-reader';
import { digestFromOid, OID } from './oids';

/**
 * Revocation evidence (RFC 6960 OCSP responses and RFC 5280 CRLs) parsed once, checked for the
 * issuer's (or an authorised responder's) signature, and queried per certificate.
 */
export interface RevocationStatus {
  status: 'good' | 'revoked' | 'unknown';
  source: 'ocsp' | 'crl';
  origin: 'embedded' | 'live';
  /** producedAt (OCSP) or thisUpdate (CRL): the time the status was asserted. */
  issuedAt: Date;
  thisUpdate: Date;
  nextUpdate?: Date;
  revocationTime?: Date;
}

interface ParsedOcsp {
  der: Uint8Array;
  origin: RevocationStatus['origin'];
  basic: pkijs.BasicOCSPResponse;
}
interface ParsedCrl {
  der: Uint8Array;
  origin: RevocationStatus['origin'];
  crl: pkijs.CertificateRevocationList;
}

export class RevocationStore {
  private readonly ocsps: ParsedOcsp[] = [];
  private readonly crls: ParsedCrl[] = [];
  private readonly seen = new Set<string>();

  addOcsp(der: Uint8Array, origin: RevocationStatus['origin'] = 'embedded'): boolean {
    if (!this.firstTime(der)) return false;
    try {
      const resp = new pkijs.OCSPResponse({ schema: parseDer(der, 'OCSP response') });
      // RFC 6960 §4.2.1: only "successful" (0) responses carry a status.
      if (resp.responseStatus.valueBlock.valueDec !== 0 || !resp.responseBytes) return false;
      if (resp.responseBytes.responseType !== OID.ocspBasic) return false;
      const basic = new pkijs.BasicOCSPResponse({
        schema: parseDer(resp.responseBytes.response.valueBlock.valueHexView, 'BasicOCSPResponse'),
      });
      this.ocsps.push({ der, origin, basic });
      return true;
    } catch {
      return false;
    }
  }

  addCrl(der: Uint8Array, origin: RevocationStatus['origin'] = 'embedded'): boolean {
    if (!this.firstTime(der)) return false;
    try {
      this.crls.push({
        der,
        origin,
        crl: new pkijs.CertificateRevocationList({ schema: parseDer(der, 'CRL') }),
      });
      return true;
    } catch {
      return false;
    }
  }

  private firstTime(der: Uint8Array): boolean {
    const k = createHash('sha256').update(der).digest('base64');
    if (this.seen.has(k)) return false;
    this.seen.add(k);
    return true;
  }

  /** Every verified status statement about `cert` (issued by `issuer`) in the store. */
  statusesFor(cert: X509Certificate, issuer: X509Certificate): RevocationStatus[] {
    const out: RevocationStatus[] = [];
    const target = certificateFromDer(cert.raw);
    const issuerP = certificateFromDer(issuer.raw);
    for (const o of this.ocsps) {
      for (const single of o.basic.tbsResponseData.responses) {
        if (!certIdMatches(single.certID, target, issuerP)) continue;
        if (!ocspSignatureValid(o.basic, issuer)) continue;
        const tag = (single.certStatus as asn1js.AsnType).idBlock.tagNumber;
        const st: RevocationStatus = {
          status: tag === 0 ? 'good' : tag === 1 ? 'revoked' : 'unknown',
          source: 'ocsp',
          origin: o.origin,
          issuedAt: o.basic.tbsResponseData.producedAt,
          thisUpdate: single.thisUpdate,
          nextUpdate: single.nextUpdate,
        };
        if (tag === 1) {
          const inner = (single.certStatus as asn1js.Constructed).valueBlock
            .value[0] as asn1js.GeneralizedTime;
          st.revocationTime = inner.toDate();
        }
        out.push(st);
      }
    }
    for (const c of this.crls) {
      if (!c.crl.issuer.isEqual(target.issuer)) continue;
      if (!crlSignatureValid(c.crl, issuer)) continue;
      const entry = c.crl.revokedCertificates?.find((r) => r.userCertificate.isEqual(target.serialNumber));
      out.push({
        status: entry ? 'revoked' : 'good',
        source: 'crl',
        origin: c.origin,
        issuedAt: c.crl.thisUpdate.value,
        thisUpdate: c.crl.thisUpdate.value,
        nextUpdate: c.crl.nextUpdate?.value,
        revocationTime: entry?.revocationDate.value,
      });
    }
    return out;
  }
}

function certIdMatches(id: pkijs.CertID, target: pkijs.Certificate, issuer: pkijs.Certificate): boolean {
  if (!id.serialNumber.isEqual(target.serialNumber)) return false;
  const alg = digestFromOid(id.hashAlgorithm.algorithmId);
  if (!alg) return false;
  const nameHash = createHash(alg)
    .update(new Uint8Array(issuer.subject.toSchema().toBER(false)))
    .digest();
  const keyHash = createHash(alg)
    .update(issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView)
    .digest();
  return (
    bytesEqual(id.issuerNameHash.valueBlock.valueHexView, nameHash) &&
    bytesEqual(id.issuerKeyHash.valueBlock.valueHexView, keyHash)
  );
}

/** RFC 6960 §4.2.2.2: signed by the CA itself or by a responder it certified for OCSPSigning. */
function ocspSignatureValid(basic: pkijs.BasicOCSPResponse, issuer: X509Certificate): boolean {
  const tbs = basic.tbsResponseData.tbsView;
  const sig = basic.signature.valueBlock.valueHexView;
  const tryKey = (c: X509Certificate) => {
    try {
      return verifySignatureValue(c.publicKey, basic.signatureAlgorithm, undefined, tbs, sig);
    } catch {
      return false;
    }
  };
  if (tryKey(issuer)) return true;
  for (const c of basic.certs ?? []) {
    const x = new X509Certificate(new Uint8Array(c.toSchema().toBER(false)));
    const delegated =
      x.checkIssued(issuer) && x.verify(issuer.publicKey) && (x.keyUsage ?? []).includes(OID.kpOcspSigning);
    if (delegated && tryKey(x)) return true;
  }
  return false;
}

function crlSignatureValid(crl: pkijs.CertificateRevocationList, issuer: X509Certificate): boolean {
  try {
    return verifySignatureValue(
      issuer.publicKey,
      crl.signatureAlgorithm,
      undefined,
      crl.tbsView,
      crl.signatureValue.valueBlock.valueHexView,
    );
  } catch {
    return false;
  }
}
