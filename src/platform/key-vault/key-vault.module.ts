import { Global, Logger, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { KeyVault, PassphraseKeyVault } from './key-vault';
import { loadOrCreateEmbeddedPassphrase } from './vault-passphrase';

/**
 * Provides the KeyVault to every module (PKI for CA/OCSP keys and subscriber keys, TSA for its
 * signing key). Replace this provider with an HSM-backed KeyVault in production if required.
 */
@Global()
@Module({
  providers: [
    {
      provide: KeyVault,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig): Promise<KeyVault> => {
        if (config.CA_KEY_PASSPHRASE) return new PassphraseKeyVault(config.CA_KEY_PASSPHRASE);
        if (config.NODE_ENV === 'production') {
          new Logger('KeyVault').warn(
            'CA_KEY_PASSPHRASE is not set: using the embedded passphrase file in CERTS_DIR. ' +
              'Production should supply the passphrase from a secret store or use an HSM.',
          );
        }
        return new PassphraseKeyVault(await loadOrCreateEmbeddedPassphrase(config.certsDir));
      },
    },
  ],
  exports: [KeyVault],
})
export class KeyVaultModule {}
