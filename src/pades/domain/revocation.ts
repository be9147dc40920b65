import { createHash, X509Certificate } from 'node:crypto';
import { children, ctx, expectTag, type Node, readNode, readOid, readOne, Tag } from '../../tsa/domain/der';
import { parseCertificateParts } from '../../tsa/domain/tst-signer';
import { type AlgorithmIdentifier, verifySignatureValue } from './cms-reader';
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

interface SignedBlob {
  tbs: Buffer;
  algorithm: AlgorithmIdentifier;
  signature: Buffer;
}

interface ParsedOcsp extends SignedBlob {
  origin: RevocationStatus['origin'];
  producedAt: Date;
  responses: {
    hashAlg?: string;
    nameHash: Buffer;
    keyHash: Buffer;
    serial: Buffer;
    status: RevocationStatus['status'];
    revocationTime?: Date;
    thisUpdate: Date;
    nextUpdate?: Date;
  }[];
  certs: Buffer[];
}

interface ParsedCrl extends SignedBlob {
  origin: RevocationStatus['origin'];
  issuer: Buffer;
  thisUpdate: Date;
  nextUpdate?: Date;
  revoked: Map<string, Date>;
}

export class RevocationStore {
  private readonly ocsps: ParsedOcsp[] = [];
  private readonly crls: ParsedCrl[] = [];
  private readonly seen = new Set<string>();
  private readonly verified = new Map<string, boolean>();

  addOcsp(der: Uint8Array, origin: RevocationStatus['origin'] = 'embedded'): boolean {
    if (!this.firstTime(der)) return false;
    try {
      const parsed = parseOcsp(Buffer.from(der), origin);
      if (!parsed) return false;
      this.ocsps.push(parsed);
      return true;
    } catch {
      return false;
    }
  }

  addCrl(der: Uint8Array, origin: RevocationStatus['origin'] = 'embedded'): boolean {
    if (!this.firstTime(der)) return false;
    try {
      this.crls.push(parseCrl(Buffer.from(der), origin));
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
    const target = parseCertificateParts(cert.raw);
    const issuerParts = parseCertificateParts(issuer.raw);
    const issuerKey = subjectPublicKeyBits(issuer);
    for (const o of this.ocsps) {
      for (const r of o.responses) {
        if (!r.serial.equals(target.serial) || !r.hashAlg) continue;
        const nameHash = createHash(r.hashAlg).update(issuerParts.subject).digest();
        const keyHash = createHash(r.hashAlg).update(issuerKey).digest();
        if (!nameHash.equals(r.nameHash) || !keyHash.equals(r.keyHash)) continue;
        if (!this.ocspSignatureValid(o, issuer)) continue;
        out.push({
          status: r.status,
          source: 'ocsp',
          origin: o.origin,
          issuedAt: o.producedAt,
          thisUpdate: r.thisUpdate,
          nextUpdate: r.nextUpdate,
          revocationTime: r.revocationTime,
        });
      }
    }
    for (const c of this.crls) {
      if (!c.issuer.equals(target.issuer)) continue;
      if (!this.signatureValid(c, issuer)) continue;
      const revokedAt = c.revoked.get(target.serial.toString('hex'));
      out.push({
        status: revokedAt ? 'revoked' : 'good',
        source: 'crl',
        origin: c.origin,
        issuedAt: c.thisUpdate,
        thisUpdate: c.thisUpdate,
        nextUpdate: c.nextUpdate,
        revocationTime: revokedAt,
      });
    }
    return out;
  }

  private signatureValid(blob: SignedBlob, signer: X509Certificate): boolean {
    const key = `${signer.fingerprint256}:${createHash('sha256').update(blob.signature).digest('hex')}`;
    let ok = this.verified.get(key);
    if (ok === undefined) {
      try {
        ok = verifySignatureValue(signer.publicKey, blob.algorithm, undefined, blob.tbs, blob.signature);
      } catch {
        ok = false;
      }
      this.verified.set(key, ok);
    }
    return ok;
  }

  /** RFC 6960 §4.2.2.2: signed by the CA itself or by a responder it certified for OCSPSigning. */
  private ocspSignatureValid(o: ParsedOcsp, issuer: X509Certificate): boolean {
    if (this.signatureValid(o, issuer)) return true;
    for (const der of o.certs) {
      const x = new X509Certificate(der);
      const delegated =
        x.checkIssued(issuer) && x.verify(issuer.publicKey) && (x.keyUsage ?? []).includes(OID.kpOcspSigning);
      if (delegated && this.signatureValid(o, x)) return true;
    }
    return false;
  }
}

function parseOcsp(buf: Buffer, origin: RevocationStatus['origin']): ParsedOcsp | undefined {
  const resp = children(readOne(buf, Tag.SEQUENCE));
  // RFC 6960 §4.2.1: only "successful" (0) responses carry a status.
  if (resp[0].tag !== 0x0a || resp[0].content[0] !== 0 || !resp[1]) return undefined;
  const bytes = children(children(expectTag(resp[1], ctx(0), 'responseBytes'))[0]);
  if (readOid(bytes[0]) !== OID.ocspBasic) return undefined;
  const basic = children(readOne(expectTag(bytes[1], Tag.OCTET_STRING, 'response').content, Tag.SEQUENCE));
  const tbs = basic[0];
  const rd = children(tbs);
  let i = rd[0].tag === ctx(0) ? 1 : 0; // version
  i++; // responderID
  const producedAt = readTime(rd[i++]);
  const responses: ParsedOcsp['responses'] = [];
  for (const sr of children(expectTag(rd[i], Tag.SEQUENCE, 'responses'))) {
    const f = children(sr);
    const id = children(f[0]);
    const status = f[1];
    let st: RevocationStatus['status'] = 'unknown';
    let revocationTime: Date | undefined;
    if (status.tag === 0x80) st = 'good';
    else if (status.tag === 0xa1) {
      st = 'revoked';
      revocationTime = readTime(children(status)[0]);
    }
    const next = f.slice(3).find((n) => n.tag === ctx(0));
    responses.push({
      hashAlg: digestFromOid(readOid(children(id[0])[0])),
      nameHash: id[1].content,
      keyHash: id[2].content,
      serial: Buffer.from(id[3].raw),
      status: st,
      revocationTime,
      thisUpdate: readTime(f[2]),
      nextUpdate: next ? readTime(children(next)[0]) : undefined,
    });
  }
  const certsNode = basic.find((n) => n.tag === ctx(0));
  return {
    origin,
    tbs: tbs.raw,
    algorithm: algorithm(basic[1]),
    signature: bitString(basic[2]),
    producedAt,
    responses,
    certs: certsNode ? children(children(certsNode)[0]).map((c) => c.raw) : [],
  };
}

function parseCrl(buf: Buffer, origin: RevocationStatus['origin']): ParsedCrl {
  const list = children(readOne(buf, Tag.SEQUENCE));
  const tbs = children(list[0]);
  let i = tbs[0].tag === Tag.INTEGER ? 1 : 0;
  i++; // signature algorithm
  const issuer = tbs[i++].raw;
  const thisUpdate = readTime(tbs[i++]);
  let nextUpdate: Date | undefined;
  if (tbs[i] && (tbs[i].tag === 0x17 || tbs[i].tag === 0x18)) nextUpdate = readTime(tbs[i++]);
  const revoked = new Map<string, Date>();
  if (tbs[i]?.tag === Tag.SEQUENCE) {
    for (const entry of children(tbs[i])) {
      const e = children(entry);
      revoked.set(Buffer.from(e[0].raw).toString('hex'), readTime(e[1]));
    }
  }
  return {
    origin,
    tbs: list[0].raw,
    algorithm: algorithm(list[1]),
    signature: bitString(list[2]),
    issuer: Buffer.from(issuer),
    thisUpdate,
    nextUpdate,
    revoked,
  };
}

function algorithm(node: Node): AlgorithmIdentifier {
  const parts = children(node);
  return { oid: readOid(parts[0]), params: parts[1]?.raw };
}

function bitString(node: Node): Buffer {
  return expectTag(node, Tag.BIT_STRING, 'signature').content.subarray(1);
}

/** UTCTime (RFC 5280 §4.1.2.5.1: 50-99 → 19xx) or GeneralizedTime, UTC. */
function readTime(node: Node): Date {
  const s = node.content.toString('latin1');
  const m =
    node.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(s)
      : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.(\d+))?Z$/.exec(s);
  if (!m) throw new Error(`bad time ${s}`);
  let year = Number(m[1]);
  if (node.tag === 0x17) year += year >= 50 ? 1900 : 2000;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  return new Date(Date.UTC(year, +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] ?? 0), ms));
}

/** The subjectPublicKey BIT STRING content (without the unused-bits octet): the OCSP key hash input. */
function subjectPublicKeyBits(cert: X509Certificate): Buffer {
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  const parts = children(readNode(spki, 0));
  return parts[1].content.subarray(1);
}
