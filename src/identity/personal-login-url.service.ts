import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { constantTimeEqual, sha256Hex } from '../common/crypto/secrets';
import { KeyVault } from '../platform/key-vault/key-vault';
import { AccountEntity, AccountKind } from './account.entity';

/** The sealed key is bound to its row: copied onto another account it no longer opens. */
function sealContext(accountId: string): string {
  return `identity_accounts.login_key:${accountId}`;
}

/**
 * The personal login URL (EC-05 (1)) of an account. Its key is stored twice: as SHA-256 for the
 * login lookup, and sealed by the KeyVault so that the service can put the URL into the mails
 * that invite the holder to sign (EC-07, seed 000 §12(2)). Nothing here is audited or logged:
 * the key is a bearer secret (the login still needs the ID, the password and the mailed OTP).
 */
@Injectable()
export class PersonalLoginUrls {
  private readonly logger = new Logger(PersonalLoginUrls.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly vault: KeyVault,
  ) {}

  urlOf(loginKey: string): string {
    return `${this.config.publicUrl}/login/${loginKey}`;
  }

  /** The text to store in `login_key_sealed` for a new or reissued key. */
  seal(accountId: string, loginKey: string): Promise<string> {
    return this.vault.sealSecret(Buffer.from(loginKey, 'utf8'), sealContext(accountId));
  }

  /**
   * The account's current personal login URL, for mails to that account's own address only.
   * Undefined when the account does not exist, is deleted, predates the sealed key, or the sealed
   * key cannot be opened or no longer matches the key in use (the caller falls back to a mail
   * without the URL).
   */
  async find(accountId: string, kind: AccountKind): Promise<string | undefined> {
    const a = await this.dataSource.getRepository(AccountEntity).findOne({
      select: { id: true, kind: true, status: true, loginKeyHash: true, loginKeySealed: true },
      where: { id: accountId, kind },
    });
    if (!a || a.status === 'deleted' || !a.loginKeySealed) return undefined;
    let key: string;
    try {
      key = (await this.vault.unsealSecret(a.loginKeySealed, sealContext(a.id))).toString('utf8');
    } catch (e) {
      this.logger.warn(
        { accountId: a.id, err: e instanceof Error ? e.message : String(e) },
        'the sealed login key does not open; mailing without the personal login URL',
      );
      return undefined;
    }
    // Only ever hand out the key that logs in now (a stale seal must not leak an old URL).
    if (!constantTimeEqual(sha256Hex(key), a.loginKeyHash)) {
      this.logger.warn({ accountId: a.id }, 'the sealed login key is not the current one');
      return undefined;
    }
    return this.urlOf(key);
  }
}
