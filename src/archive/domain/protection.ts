import type { X509Certificate } from 'node:crypto';
import { certificateOf } from '../../pades/domain/certificate-path';
import { parseCms, parseTimeStampToken, type ParsedTimeStampToken } from '../../pades/domain/cms-reader';
import { PdfDocument } from '../../pades/pdf/pdf-document';
import { algorithmHorizon, type KeyInfo } from './crypto-horizon';

/** What protects an original now: its newest timestamp and when that protection ends. */
export interface ProtectionSummary {
  signatureCount: number;
  documentTimestampCount: number;
  signers: string[];
  /** genTime of the newest timestamp (document timestamp, else signature timestamp). */
  newestTimestampAt: string | null;
  newestTimestampTsa: string | null;
  tsaCertificateNotAfter: string | null;
  algorithmHorizon: string | null;
  /** min(TSA certificate notAfter, algorithm horizon); epoch 0 when nothing protects the file. */
  protectionExpiresAt: string;
  /** Which of the two limits decides. */
  limitedBy: 'tsa-certificate' | 'algorithm' | 'no-timestamp';
}

function keyInfo(cert: X509Certificate): KeyInfo {
  const k = cert.publicKey;
  const d = k.asymmetricKeyDetails ?? {};
  switch (k.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return { type: 'rsa', bits: d.modulusLength };
    case 'ec':
      return { type: 'ec', curve: d.namedCurve };
    case 'ed25519':
      return { type: 'ed25519' };
    case 'ed448':
      return { type: 'ed448' };
    case 'dsa':
    case 'x25519':
    case 'x448':
    case undefined:
      return { type: 'other' };
  }
}

function cn(dn: string): string {
  return /CN=([^\n]+)/.exec(dn)?.[1] ?? dn;
}

/**
 * Reads the protection of a signed PDF without validating it (validation is PadesEngine.verify's
 * job): the newest timestamp's TSA certificate expiry and the CRYPTREC horizon of its algorithms.
 */
export function summarizeProtection(
  pdf: Uint8Array | PdfDocument,
  options: { maxBytes?: number } = {},
): ProtectionSummary {
  // A caller that has already loaded the document (the renewal check) passes it: loading a
  // multi-revision file (xref chain, signature fields) costs more than the summary itself.
  const doc = pdf instanceof PdfDocument ? pdf : PdfDocument.load(pdf, { maxBytes: options.maxBytes });
  const sigs = doc.signatures().sort((a, b) => a.revisionEnd - b.revisionEnd);
  const signers: string[] = [];
  let newest: ParsedTimeStampToken | undefined;
  let documentTimestampCount = 0;
  let signatureCount = 0;
  for (const s of sigs) {
    try {
      if (s.type === 'DocTimeStamp' || s.subFilter === 'ETSI.RFC3161') {
        documentTimestampCount++;
        const tok = parseTimeStampToken(s.contents);
        // Later revisions cover earlier ones: the last document timestamp is the newest protection.
        newest = tok;
        continue;
      }
      signatureCount++;
      const cms = parseCms(s.contents);
      if (cms.signerCertificate) signers.push(cn(certificateOf(cms.signerCertificate).subject));
      if (documentTimestampCount === 0) {
        for (const t of cms.signatureTimeStamps) {
          const tok = parseTimeStampToken(t);
          if (!newest || tok.genTime > newest.genTime) newest = tok;
        }
      }
    } catch {
      // An unreadable CMS protects nothing; the validator reports it.
    }
  }
  const base = { signatureCount, documentTimestampCount, signers };
  const tsaDer = newest?.cms.signerCertificate;
  if (!newest || !tsaDer) {
    return {
      ...base,
      newestTimestampAt: newest ? newest.genTime.toISOString() : null,
      newestTimestampTsa: null,
      tsaCertificateNotAfter: null,
      algorithmHorizon: null,
      protectionExpiresAt: new Date(0).toISOString(),
      limitedBy: 'no-timestamp',
    };
  }
  // Parsed once per distinct TSA certificate (the same few across a whole re-stamping run).
  const tsa = certificateOf(tsaDer);
  const notAfter = new Date(tsa.validTo);
  const hashes = [newest.imprintAlgorithm ?? 'unknown', newest.cms.digestAlgorithm ?? 'unknown'];
  const horizon = algorithmHorizon(hashes, keyInfo(tsa));
  const algorithmFirst = horizon < notAfter;
  return {
    ...base,
    newestTimestampAt: newest.genTime.toISOString(),
    newestTimestampTsa: cn(tsa.subject),
    tsaCertificateNotAfter: notAfter.toISOString(),
    algorithmHorizon: horizon.toISOString(),
    protectionExpiresAt: (algorithmFirst ? horizon : notAfter).toISOString(),
    limitedBy: algorithmFirst ? 'algorithm' : 'tsa-certificate',
  };
}
