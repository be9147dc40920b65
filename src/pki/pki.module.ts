import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '../identity/identity.module';
import { KeyVaultModule } from '../platform/key-vault/key-vault.module';
import { CertificateAuthority } from './certificate-authority.service';
import { CertificateQueries } from './certificate-queries.service';
import { ChangePin } from './change-pin.usecase';
import { IssueSubscriberCertificate } from './issue-subscriber-certificate.usecase';
import { MeCertificateController } from './me-certificate.controller';
import { PkiAccountHooks } from './pki-account-hooks.service';
import { PkiPagesController } from './pki-pages.controller';
import { PkiPublicController } from './pki-public.controller';
import { PKI_ENTITIES } from './pki.entities';
import { RaCertificatesController } from './ra-certificates.controller';
import { RevokeCertificate } from './revoke-certificate.usecase';
import { SignerIssuance } from './signer-issuance.service';
import { SigningIdentitiesController } from './signing-identities.controller';
import {
  CreateSigningIdentity,
  RevokeSigningIdentity,
  SigningIdentityQueries,
} from './signing-identities.usecase';
import { UnlockSigningKey } from './unlock-signing-key.usecase';

/**
 * The service's CA (発行局): hierarchy in CERTS_DIR, subscriber and branch-manager certificates
 * with server-held PIN-sealed keys, revocation, CRL and OCSP. Exports what other modules call:
 * CertificateAuthority (TSA, PAdES), UnlockSigningKey (contracts), RevokeCertificate (RA/identity),
 * SigningIdentityQueries and CertificateQueries.
 */
@Module({
  imports: [KeyVaultModule, IdentityModule, TypeOrmModule.forFeature(PKI_ENTITIES)],
  controllers: [
    PkiPublicController,
    MeCertificateController,
    RaCertificatesController,
    SigningIdentitiesController,
    PkiPagesController,
  ],
  providers: [
    PkiAccountHooks,
    CertificateAuthority,
    SignerIssuance,
    IssueSubscriberCertificate,
    RevokeCertificate,
    UnlockSigningKey,
    ChangePin,
    CreateSigningIdentity,
    RevokeSigningIdentity,
    SigningIdentityQueries,
    CertificateQueries,
  ],
  exports: [
    KeyVaultModule,
    CertificateAuthority,
    UnlockSigningKey,
    RevokeCertificate,
    IssueSubscriberCertificate,
    CreateSigningIdentity,
    SigningIdentityQueries,
    CertificateQueries,
  ],
})
export class PkiModule {}
