/**
 * What the TSA needs from a certification authority: a certificate for its key with a critical
 * extendedKeyUsage of id-kp-timeStamping only (RFC 3161 §2.3), and the roots that verify it.
 * TsaModule binds it to the PKI module's CertificateAuthority; tests may bind a fixture CA.
 */
export abstract class TsaCertificateIssuer {
  abstract issueTsaCertificate(input: {
    commonName: string;
    publicKeySpki: Uint8Array;
    notBefore: Date;
    notAfter: Date;
  }): Promise<{ certificate: Uint8Array; chain: Uint8Array[] }>;

  /** DER of the root certificates that anchor the TSA certificate. */
  abstract trustAnchors(): Promise<Uint8Array[]>;
}
