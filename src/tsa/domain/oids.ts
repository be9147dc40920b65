import type { TimeStampHashAlgorithm } from '../time-stamper';

/** Object identifiers used by RFC 3161 / RFC 5816 / RFC 5652 (CMS) / RFC 5035 (ESS). */
export const OID = {
  signedData: '1.2.840.113549.1.7.2',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  extKeyUsage: '2.5.29.37',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  kpTimeStamping: '1.3.6.1.5.5.7.3.8',
  sha1: '1.3.14.3.2.26',
  md5: '1.2.840.113549.2.5',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  sha384WithRsa: '1.2.840.113549.1.1.12',
  sha512WithRsa: '1.2.840.113549.1.1.13',
  ecPublicKey: '1.2.840.10045.2.1',
} as const;

export interface HashInfo {
  name: TimeStampHashAlgorithm;
  /** Node's digest name. */
  node: 'sha256' | 'sha384' | 'sha512';
  oid: string;
  length: number;
}

/**
 * The imprint algorithms a request may use. SHA-1 and MD5 are refused (badAlg): neither is on the
 * CRYPTREC e-Government recommended list for new signatures (EC-14).
 */
export const HASHES: readonly HashInfo[] = [
  { name: 'SHA-256', node: 'sha256', oid: OID.sha256, length: 32 },
  { name: 'SHA-384', node: 'sha384', oid: OID.sha384, length: 48 },
  { name: 'SHA-512', node: 'sha512', oid: OID.sha512, length: 64 },
];

export const hashByOid = (oid: string): HashInfo | undefined => HASHES.find((h) => h.oid === oid);
export const hashByName = (name: TimeStampHashAlgorithm): HashInfo => {
  const h = HASHES.find((x) => x.name === name);
  if (!h) throw new RangeError(`unsupported hash algorithm ${String(name)}`);
  return h;
};
