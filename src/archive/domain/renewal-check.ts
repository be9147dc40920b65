import { createHash } from 'node:crypto';
import { PdfDocument } from '../../pades/pdf/pdf-document';
import { changesAfter, type RevisionChangeKind } from '../../pades/pdf/revision-diff';
import type { RevocationData, ValidationDataSource } from '../../pades/domain/validation-data';
import { verifyTimeStampToken } from '../../tsa/domain/verify-time-stamp-token';
import type { TimeStampHashAlgorithm } from '../../tsa/time-stamper';
import { isAppendOnlyExtension } from './version-chain';

/**
 * Validation of a renewal's new revision on top of a previous version already validated
 * TOTAL-PASSED ("inherited verified state"): the new version must be the previous bytes plus one
 * revision that adds only validation data (DSS) and one document timestamp covering the whole
 * file, whose token is cryptographically valid with a chain to a trust anchor now. Together with
 * the previous verdict this is what a full validation would conclude, at a fraction of its cost
 * (the earlier signatures' bytes and proofs are untouched by an append-only update).
 */
export interface RenewalCheck {
  ok: boolean;
  problems: string[];
  /** DER of the new document timestamp's TSA certificate. */
  tsaCertificate?: Uint8Array;
  /** The new version, loaded (for callers that read it further). */
  document?: PdfDocument;
}

/** ETSI EN 319 142-1 §5.4: what an archive renewal may add after the signatures. */
const RENEWAL_CHANGES = new Set<RevisionChangeKind>(['dss', 'doc-timestamp', 'signature-field']);

export async function checkRenewalRevision(
  previousVersion: Uint8Array | PdfDocument,
  next: Uint8Array,
  options: { trustAnchors: Uint8Array[]; at: Date; maxBytes?: number },
): Promise<RenewalCheck> {
  const problems: string[] = [];
  const previous = previousVersion instanceof PdfDocument ? previousVersion.bytes : previousVersion;
  if (!isAppendOnlyExtension(previous, next))
    return { ok: false, problems: ['the new version does not start with the previous version'] };
  // A previous version already loaded lends its cross-reference chain (the bytes were just
  // compared): only the new revision's sections are parsed.
  const doc = PdfDocument.load(next, {
    maxBytes: options.maxBytes,
    extends: previousVersion instanceof PdfDocument ? previousVersion : undefined,
  });
  const added = doc.signatures().filter((s) => s.revisionEnd > previous.byteLength);
  if (added.length !== 1)
    return { ok: false, problems: [`${added.length} new signatures instead of one document timestamp`] };
  const ts = added[0];
  if (ts.type !== 'DocTimeStamp' || ts.subFilter !== 'ETSI.RFC3161')
    problems.push(`the new entry is ${ts.type} ${ts.subFilter}, not a document timestamp`);
  const [a, b, c, d] = ts.byteRange;
  if (a !== 0 || c + d !== next.byteLength || b >= c)
    problems.push(
      `the document timestamp does not cover the whole file (ByteRange ${ts.byteRange.join(' ')})`,
    );
  for (const ch of changesAfter(doc, previous.byteLength))
    if (!RENEWAL_CHANGES.has(ch.kind))
      problems.push(`not allowed in a renewal: ${ch.kind} (object ${ch.objectNumber}: ${ch.detail})`);
  if (problems.length) return { ok: false, problems };

  const verifyWith = async (alg: TimeStampHashAlgorithm) => {
    const h = createHash(alg.replace('-', '').toLowerCase());
    h.update(next.subarray(a, a + b));
    h.update(next.subarray(c, c + d));
    return verifyTimeStampToken(ts.contents, {
      digest: new Uint8Array(h.digest()),
      hashAlgorithm: alg,
      trustAnchors: options.trustAnchors,
      at: options.at,
    });
  };
  let v = await verifyWith('SHA-256');
  const imprint = v.info?.hashAlgorithm;
  if (!v.valid && (imprint === 'SHA-384' || imprint === 'SHA-512')) v = await verifyWith(imprint);
  if (!v.valid)
    return {
      ok: false,
      problems: [`the new document timestamp is not valid: ${v.indication} ${v.message ?? ''}`.trim()],
    };
  return { ok: true, problems: [], tsaCertificate: v.info?.signerCertificate, document: doc };
}

/**
 * Revocation data reused for a short time within a re-stamping run: thousands of originals share
 * the same issuing CA and TSA certificates, and one fresh OCSP response/CRL per certificate per
 * few minutes is as current as the CA publishes anyway.
 */
export class CachingValidationDataSource implements ValidationDataSource {
  private readonly cache = new Map<string, { at: number; data: Promise<RevocationData> }>();

  constructor(
    private readonly inner: ValidationDataSource,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  revocationInfo(cert: Uint8Array, issuer: Uint8Array): Promise<RevocationData> {
    const key = createHash('sha256').update(cert).update(issuer).digest('hex');
    const hit = this.cache.get(key);
    const t = this.now();
    if (hit && t - hit.at < this.ttlMs) return hit.data;
    const data = this.inner.revocationInfo(cert, issuer);
    this.cache.set(key, { at: t, data });
    // A failed fetch is not kept.
    data.catch(() => this.cache.delete(key));
    return data;
  }
}
