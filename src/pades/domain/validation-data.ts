/**
 * The port through which the engine obtains revocation information for a certificate: an adapter
 * over the service's own CA (PKI module) for our certificates, an HTTP adapter that asks the
 * certificate's OCSP responder / CRL distribution point for foreign ones.
 */
export interface RevocationData {
  /** DER of an OCSPResponse (RFC 6960) with status successful. */
  ocsp?: Uint8Array;
  /** DER of a CertificateList (RFC 5280 §5). */
  crl?: Uint8Array;
}

export interface ValidationDataSource {
  /** Revocation information for `cert` issued by `issuer` (both DER); empty when none is known. */
  revocationInfo(cert: Uint8Array, issuer: Uint8Array): Promise<RevocationData>;
}

/** Asks each source in turn; the first that answers with data wins. */
export class CompositeValidationDataSource implements ValidationDataSource {
  constructor(private readonly sources: ValidationDataSource[]) {}
  async revocationInfo(cert: Uint8Array, issuer: Uint8Array): Promise<RevocationData> {
    for (const s of this.sources) {
      const r: RevocationData = await s.revocationInfo(cert, issuer).catch((): RevocationData => ({}));
      if (r.ocsp || r.crl) return r;
    }
    return {};
  }
}
