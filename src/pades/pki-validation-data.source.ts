import type { CertificateAuthority } from '../pki/certificate-authority.service';
import type { RevocationData, ValidationDataSource } from './domain/validation-data';

/** Revocation data for certificates the service's own CA issued, straight from the PKI module. */
export class PkiValidationDataSource implements ValidationDataSource {
  constructor(private readonly ca: CertificateAuthority) {}

  async revocationInfo(cert: Uint8Array): Promise<RevocationData> {
    return this.ca.revocationInfo(cert);
  }
}
