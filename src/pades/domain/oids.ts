/** Object identifiers used by the CMS, ESS, RFC 3161 and PKIX code of the PAdES engine. */
export const OID = {
  // RFC 5652 §4, §5.3, §11
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  // RFC 5035 (ESS signing-certificate-v2) and RFC 2634 (v1)
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  // RFC 3161 Appendix A: signature-time-stamp unsigned attribute; id-ct-TSTInfo
  signatureTimeStamp: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  // digests
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  // signature algorithms
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSA: '1.2.840.113549.1.1.5',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  sha384WithRSA: '1.2.840.113549.1.1.12',
  sha512WithRSA: '1.2.840.113549.1.1.13',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  ed25519: '1.3.101.112',
  // PKIX
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',
  kpOcspSigning: '1.3.6.1.5.5.7.3.9',
  kpTimeStamping: '1.3.6.1.5.5.7.3.8',
} as const;

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

export const DIGEST_OIDS: Record<DigestAlgorithm, string> = {
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};

/** Digest name (node:crypto spelling) for an OID, or undefined when not supported. */
export function digestFromOid(oid: string): DigestAlgorithm | 'sha1' | undefined {
  switch (oid) {
    case OID.sha256:
      return 'sha256';
    case OID.sha384:
      return 'sha384';
    case OID.sha512:
      return 'sha512';
    case OID.sha1:
      return 'sha1';
    default:
      return undefined;
  }
}

export function digestLength(alg: DigestAlgorithm | 'sha1'): number {
  return { sha1: 20, sha256: 32, sha384: 48, sha512: 64 }[alg];
}

/** The RFC 3161 port spells hash names differently. */
export function toTimeStampHash(alg: DigestAlgorithm): 'SHA-256' | 'SHA-384' | 'SHA-512' {
  return alg === 'sha256' ? 'SHA-256' : alg === 'sha384' ? 'SHA-384' : 'SHA-512';
}
