import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../common/errors/app-error';
import { dummyPasswordHash, randomToken, sha256Hex, verifyPassword } from '../../common/crypto/secrets';
import { tokyoDate } from '../../common/time/tokyo-time';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { AuditLog } from '../../platform/audit/audit-log';
import { Clock } from '../../platform/clock/clock';
import { BankingErrorCode } from '../banking.errors';
import { UnitOfWork } from '../ledger/unit-of-work';
import { ContractsService } from './contracts.service';
import { IbContractEntity, IbSessionEntity } from './customer.entity';

export interface CustomerPrincipal {
  sessionId: string;
  contractId: string;
  customerId: string;
  /** How the request authenticated: cookie requests need the CSRF header on writes. */
  via: 'cookie' | 'bearer';
}

export interface IssuedSession {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  contract: IbContractEntity;
}

const invalid = () =>
  AppError.unauthorized(
    BankingErrorCode.INVALID_CREDENTIALS,
    'ログインIDまたはパスワードが正しくありません。',
  );

/**
 * Customer login for personal internet banking (seed 003 §3): login ID + password, lockout after
 * the set number of consecutive wrong passwords, and sessions kept as SHA-256 of random tokens.
 */
@Injectable()
export class CustomerAuthService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly contracts: ContractsService,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async login(loginId: string, password: string): Promise<IssuedSession> {
    const repo = this.uow.dataSource.getRepository(IbContractEntity);
    const found = await repo.findOneBy({ loginId });
    // Same work whether or not the ID exists, so timing does not reveal it.
    const ok = await verifyPassword(found?.passwordHash ?? (await dummyPasswordHash()), password);
    if (!found) throw invalid();
    // A wrong password must commit its counter, so refusals that change state are returned, not thrown.
    const result = await this.uow.run(async (m): Promise<IssuedSession | AppError> => {
      const c = await m.getRepository(IbContractEntity).findOneByOrFail({ id: found.id });
      const now = this.clock.now();
      if (c.lockedAt)
        throw AppError.forbidden(
          BankingErrorCode.LOGIN_LOCKED,
          'パスワードの誤入力が所定回数を超えたため、ご利用を停止しています。当金庫窓口へご連絡ください。',
        );
      if (!ok) {
        const failed = c.failedLogins + 1;
        // seed 003 §3-9: the password becomes invalid after the set number of consecutive misses;
        // requests already accepted stay valid (nothing else is touched here).
        const locked = failed >= this.config.BANKING_LOCKOUT_THRESHOLD;
        await m.update(
          IbContractEntity,
          { id: c.id },
          { failedLogins: failed, lockedAt: locked ? now : null, updatedAt: now },
        );
        await this.audit.append(
          {
            actor: `bk-contract:${c.id}`,
            action: locked ? 'banking.login.locked' : 'banking.login.failed',
            subject: `bk-contract:${c.id}`,
            details: { failedLogins: failed },
          },
          m,
        );
        return locked
          ? AppError.forbidden(
              BankingErrorCode.LOGIN_LOCKED,
              'パスワードの誤入力が所定回数を超えたため、ご利用を停止しました。当金庫窓口へご連絡ください。',
            )
          : invalid();
      }
      if (c.status !== 'active')
        throw AppError.forbidden(
          BankingErrorCode.CONTRACT_NOT_ACTIVE,
          c.status === 'terminated' ? 'ご契約は解約済みです。' : 'ご契約は利用停止中です。',
        );
      const renewed = this.contracts.renewedTermEnd(c, tokyoDate(now));
      await m.update(
        IbContractEntity,
        { id: c.id },
        { failedLogins: 0, lastLoginAt: now, updatedAt: now, ...(renewed ? { termEnd: renewed } : {}) },
      );
      const token = randomToken(32);
      const csrfToken = randomToken(24);
      const expiresAt = new Date(now.getTime() + this.config.BANKING_SESSION_MAX_SECONDS * 1000);
      await m.insert(IbSessionEntity, {
        id: randomUUID(),
        contractId: c.id,
        tokenHash: sha256Hex(token),
        csrfHash: sha256Hex(csrfToken),
        createdAt: now,
        lastSeenAt: now,
        expiresAt,
        revokedAt: null,
      });
      await this.audit.append(
        {
          actor: `bk-contract:${c.id}`,
          action: 'banking.login',
          subject: `bk-contract:${c.id}`,
          details: renewed ? { renewedTermEnd: renewed } : null,
        },
        m,
      );
      return { token, csrfToken, expiresAt, contract: c };
    });
    if (result instanceof AppError) throw result;
    return result;
  }

  /** The principal for a bearer/cookie token, or undefined (expired, idle, revoked, contract not active). */
  async authenticate(
    token: string,
  ): Promise<(Omit<CustomerPrincipal, 'via'> & { csrfHash: string }) | undefined> {
    const ds = this.uow.dataSource;
    const s = await ds.getRepository(IbSessionEntity).findOneBy({ tokenHash: sha256Hex(token) });
    const now = this.clock.now();
    if (!s || s.revokedAt || s.expiresAt <= now) return undefined;
    if (now.getTime() - s.lastSeenAt.getTime() > this.config.BANKING_SESSION_IDLE_SECONDS * 1000)
      return undefined;
    const c = await ds.getRepository(IbContractEntity).findOneBy({ id: s.contractId });
    // BK-18: a terminated or suspended contract's credentials stop working at once.
    if (!c || c.status !== 'active') return undefined;
    // Touch at most every 30 s so reads do not each cost a write.
    if (now.getTime() - s.lastSeenAt.getTime() > 30_000)
      await ds.getRepository(IbSessionEntity).update({ id: s.id }, { lastSeenAt: now });
    return { sessionId: s.id, contractId: c.id, customerId: c.customerId, csrfHash: s.csrfHash };
  }

  async logout(sessionId: string): Promise<void> {
    await this.uow.dataSource
      .getRepository(IbSessionEntity)
      .update({ id: sessionId }, { revokedAt: this.clock.now() });
  }
}
