import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AppError } from '../common/errors/app-error';
import { hashPassword, sha256Hex } from '../common/crypto/secrets';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { AccountChangeEntity } from './account-change.entity';
import { AccountEntity, AccountKind, LockReason } from './account.entity';
import { SessionService } from './auth/session.service';
import { StaffRole } from './auth/principal';
import { generateLoginId, generateLoginKey, generateTemporaryPassword } from './domain/credentials';
import { checkPassword, describePasswordProblems, PasswordPolicyOptions } from './domain/password-policy';
import { IdentityErrorCode } from './identity.errors';
import { PersonalLoginUrls } from './personal-login-url.service';

export interface NewAccount {
  kind: AccountKind;
  name: string;
  email: string;
  roles?: StaffRole[];
  loginId?: string;
  /** A chosen initial password (bootstrap administrator); generated otherwise. Always temporary. */
  initialPassword?: string;
  createdBy: string;
}

export interface RegisteredAccount {
  id: string;
  loginId: string;
  /** Shown once to the registering officer for the printed notice; never stored in clear or mailed. */
  temporaryPassword: string;
  loginUrl: string;
}

export interface IssuedCredentials {
  account: AccountEntity;
  loginKey: string;
  temporaryPassword: string;
  loginUrl: string;
}

/** Account mechanics shared by the use cases: creation, locking, change history, password rules. */
@Injectable()
export class AccountService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Clock) private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly sessions: SessionService,
    private readonly loginUrls: PersonalLoginUrls,
  ) {}

  get passwordOptions(): PasswordPolicyOptions {
    return { minLength: this.config.PASSWORD_MIN_LENGTH, minScore: this.config.PASSWORD_MIN_SCORE };
  }

  loginUrl(loginKey: string): string {
    return this.loginUrls.urlOf(loginKey);
  }

  assertAcceptablePassword(password: string, who: { loginId: string; name?: string; email?: string }): void {
    const problems = checkPassword(password, who, this.passwordOptions);
    if (problems.length > 0) {
      throw AppError.badRequest(
        IdentityErrorCode.PASSWORD_POLICY,
        describePasswordProblems(problems, this.passwordOptions),
        { problems, minLength: this.config.PASSWORD_MIN_LENGTH },
      );
    }
  }

  async create(m: EntityManager, input: NewAccount): Promise<IssuedCredentials> {
    const repo = m.getRepository(AccountEntity);
    let loginId = input.loginId;
    if (loginId) {
      if (await repo.existsBy({ loginId })) {
        throw AppError.conflict(
          IdentityErrorCode.LOGIN_ID_TAKEN,
          `ログインID ${loginId} は既に使われています。`,
        );
      }
    } else {
      do loginId = generateLoginId(input.kind);
      while (await repo.existsBy({ loginId }));
    }
    const loginKey = generateLoginKey();
    const temporaryPassword = input.initialPassword ?? generateTemporaryPassword();
    const now = this.clock.now();
    const id = randomUUID();
    const account = repo.create({
      id,
      kind: input.kind,
      loginId,
      loginKeyHash: sha256Hex(loginKey),
      loginKeySealed: await this.loginUrls.seal(id, loginKey),
      name: input.name,
      email: input.email,
      passwordHash: await hashPassword(temporaryPassword),
      mustChangePassword: true,
      passwordChangedAt: null,
      failedPasswordCount: 0,
      failedOtpCount: 0,
      lockedAt: null,
      lockReason: null,
      status: 'active',
      roles: input.kind === 'staff' ? [...new Set(input.roles ?? [])] : null,
      lastLoginAt: null,
      createdAt: now,
      createdBy: input.createdBy,
      updatedAt: now,
    });
    await repo.insert(account);
    return { account, loginKey, temporaryPassword, loginUrl: this.loginUrl(loginKey) };
  }

  /** Reads the account for an update, row-locked on PostgreSQL (SQLite serialises writers). */
  async loadForUpdate(m: EntityManager, id: string): Promise<AccountEntity | null> {
    const qb = m.getRepository(AccountEntity).createQueryBuilder('a').where('a.id = :id', { id });
    if (m.connection.options.type === 'postgres') qb.setLock('pessimistic_write');
    return qb.getOne();
  }

  /** Locks the account (seed 001 §2-5): every session ends; the caller mails the holder after commit. */
  async lock(m: EntityManager, account: AccountEntity, reason: LockReason): Promise<void> {
    const now = this.clock.now();
    account.lockedAt = now;
    account.lockReason = reason;
    account.updatedAt = now;
    await m.getRepository(AccountEntity).save(account);
    const ended = await this.sessions.endAll(m, account.id, 'locked');
    await this.audit.append(
      {
        actor: 'system',
        action: 'auth.account.locked',
        subject: `${account.kind}:${account.id}`,
        details: {
          reason,
          loginId: account.loginId,
          failedPasswordCount: account.failedPasswordCount,
          failedOtpCount: account.failedOtpCount,
          sessionsEnded: ended,
        },
      },
      m,
    );
  }

  async recordChange(
    m: EntityManager,
    accountId: string,
    field: string,
    oldValue: string | null,
    newValue: string | null,
    changedBy: string,
  ): Promise<void> {
    await m.getRepository(AccountChangeEntity).insert({
      id: randomUUID(),
      accountId,
      field,
      oldValue,
      newValue,
      changedBy,
      changedAt: this.clock.now(),
    });
  }

  /**
   * EC-12: sets each of `keys` that `next` gives with a different value on `target` (the account
   * or its profile) and records the change with its old and new value, who and when. Returns the
   * fields that changed, in the order of `keys`.
   */
  async applyChanges<const K extends string, T extends { [P in K]: string | null }>(
    m: EntityManager,
    accountId: string,
    target: T,
    next: NoInfer<{ [P in K]?: T[P] }>,
    keys: readonly K[],
    changedBy: string,
  ): Promise<K[]> {
    const changed: K[] = [];
    for (const k of keys) {
      const value = next[k];
      if (value !== undefined && value !== target[k]) {
        await this.recordChange(m, accountId, k, target[k], value, changedBy);
        target[k] = value;
        changed.push(k);
      }
    }
    return changed;
  }

  async history(m: EntityManager, accountId: string): Promise<AccountChangeEntity[]> {
    return m.getRepository(AccountChangeEntity).find({ where: { accountId }, order: { changedAt: 'ASC' } });
  }
}

/** One recorded change as the staff and RA history APIs answer it (EC-12). */
export function toAccountChangeView(c: AccountChangeEntity) {
  return {
    field: c.field,
    oldValue: c.oldValue,
    newValue: c.newValue,
    changedBy: c.changedBy,
    changedAt: c.changedAt.toISOString(),
  };
}

/** What the registering officer is shown once: login ID, temporary password, personal login URL. */
export function toRegisteredAccount(issued: IssuedCredentials): RegisteredAccount {
  return {
    id: issued.account.id,
    loginId: issued.account.loginId,
    temporaryPassword: issued.temporaryPassword,
    loginUrl: issued.loginUrl,
  };
}
