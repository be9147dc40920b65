import { Inject, Logger, Module, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { AppConfig, ConfigError } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { KeyVaultModule } from '../platform/key-vault/key-vault.module';
import { CertificateAuthority } from '../pki/certificate-authority.service';
import { PkiModule } from '../pki/pki.module';
import { HttpTimeStamper } from './http-time-stamper';
import { IssueTimeStamp } from './issue-time-stamp.usecase';
import { LocalTimeStamper } from './local-time-stamper';
import { RotateTsaCertificate } from './rotate-tsa-certificate.usecase';
import { TimeStamper } from './time-stamper';
import { TsaCertificateIssuer } from './tsa-certificate-issuer';
import { TsaCredentials } from './tsa-credentials.service';
import { loadTrustFiles } from './tsa-trust';
import { TsaController } from './tsa.controller';
import { TsaCredentialEntity, TsaStateEntity, TsaTokenEntity } from './tsa.entities';

/** Binds the TSA's certificate needs to the PKI module's CA (root-issued, EKU timeStamping). */
class CaTsaCertificateIssuer extends TsaCertificateIssuer {
  constructor(private readonly ca: CertificateAuthority) {
    super();
  }
  issueTsaCertificate(input: Parameters<TsaCertificateIssuer['issueTsaCertificate']>[0]) {
    return this.ca.issueTsaCertificate(input);
  }
  async trustAnchors(): Promise<Uint8Array[]> {
    return [await this.ca.rootCertificate()];
  }
}

/** The TimeStamper the rest of the service uses: TSA_URL set → HTTP client, else the own TSA. */
function timeStamperFactory(
  config: AppConfig,
  local: LocalTimeStamper,
  ca: TsaCertificateIssuer,
): TimeStamper {
  if (!config.TSA_URL) return local;
  if (config.TSA_PASSWORD && !config.TSA_USERNAME)
    throw new ConfigError('TSA_PASSWORD is set without TSA_USERNAME');
  if (Boolean(config.TSA_CLIENT_CERT) !== Boolean(config.TSA_CLIENT_KEY))
    throw new ConfigError('TSA_CLIENT_CERT and TSA_CLIENT_KEY must be set together');
  const read = (name: string, file: string) => {
    try {
      return readFileSync(path.resolve(file));
    } catch (e) {
      throw new ConfigError(`${name}: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  return new HttpTimeStamper({
    url: config.TSA_URL,
    username: config.TSA_USERNAME,
    password: config.TSA_PASSWORD,
    clientCert: config.TSA_CLIENT_CERT ? read('TSA_CLIENT_CERT', config.TSA_CLIENT_CERT) : undefined,
    clientKey: config.TSA_CLIENT_KEY ? read('TSA_CLIENT_KEY', config.TSA_CLIENT_KEY) : undefined,
    timeoutMs: config.TSA_TIMEOUT_MS,
    retries: config.TSA_RETRIES,
    trust: async () =>
      config.TSA_TRUST_ANCHORS
        ? loadTrustFiles(config.TSA_TRUST_ANCHORS)
        : { anchors: await ca.trustAnchors(), certificates: [] },
  });
}

/**
 * RFC 3161 time-stamping: the own TSA (POST /tsa, LocalTimeStamper) and the TimeStamper port the
 * PAdES engine and the archive use. The first TSA credential is created at start-up.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([TsaCredentialEntity, TsaStateEntity, TsaTokenEntity]),
    PkiModule,
    KeyVaultModule,
  ],
  controllers: [TsaController],
  providers: [
    TsaCredentials,
    RotateTsaCertificate,
    IssueTimeStamp,
    LocalTimeStamper,
    {
      provide: TsaCertificateIssuer,
      inject: [CertificateAuthority],
      useFactory: (ca: CertificateAuthority) => new CaTsaCertificateIssuer(ca),
    },
    {
      provide: TimeStamper,
      inject: [APP_CONFIG, LocalTimeStamper, TsaCertificateIssuer],
      useFactory: timeStamperFactory,
    },
  ],
  exports: [
    TimeStamper,
    LocalTimeStamper,
    IssueTimeStamp,
    RotateTsaCertificate,
    TsaCredentials,
    TsaCertificateIssuer,
  ],
})
export class TsaModule implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('TSA');

  constructor(
    private readonly rotate: RotateTsaCertificate,
    private readonly credentials: TsaCredentials,
    private readonly timeStamper: TimeStamper,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** First start: create the TSA key and certificate; later starts: republish certs/tsa.pem. */
  async onApplicationBootstrap(): Promise<void> {
    const r = await this.rotate.execute({ actor: 'system', reason: 'first start', onlyIfMissing: true });
    if (!r.rotated) {
      const active = await this.credentials.signer(r.credentialId);
      await this.credentials.publish(active.entity);
    }
    if (this.config.TSA_URL) this.logger.log(`time stamps come from ${new URL(this.config.TSA_URL).host}`);
  }

  onModuleDestroy(): void {
    if (this.timeStamper instanceof HttpTimeStamper) this.timeStamper.close();
  }
}
