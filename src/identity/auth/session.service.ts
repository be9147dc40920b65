import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { APP_CONFIG } from '../../config/config.module';
import { randomToken, sha256Hex } from '../../common/crypto/secrets';
import { Clock } from '../../platform/clock/clock';
import { AccountEntity } from '../account.entity';
import { SessionEndReason, SessionEntity } from '../session.entity';
import { SubscriberProfileEntity } from '../subscriber-profile.entity';
import { Principal, StaffRole } from './principal';

export interface ResolvedSession {
  principal: Principal;
  mustChangePassword: boolean;
  expiresAt: Date;
}

export type SessionFailure = 'unknown' | 'ended' | 'idle' | 'expired' | 'account_unusable';

/** Writing last_seen_at on every request would turn each read into a write; a minute is precise enough. */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * Sessions: a 256-bit random bearer token, stored as SHA-256; idle and absolute lifetimes from
 * the settings; every session of an account can be ended at once (password change, lockout,
 * suspension, deletion).
 */
@Injectable()
export class SessionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(m: EntityManager, accountId: string): Promise<{ token: string; session: SessionEntity }> {
    const token = randomToken(32);
    const now = this.clock.now();
    const session = m.getRepository(SessionEntity).create({
      id: randomUUID(),
      accountId,
      tokenHash: sha256Hex(token),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.config.SESSION_ABSOLUTE_HOURS * 3_600_000),
      endedAt: null,
      endReason: null,
    });
    await m.getRepository(SessionEntity).insert(session);
    return { token, session };
  }

  /** Ends every open session of an account; returns how many were open. */
  async endAll(m: EntityManager, accountId: string, reason: SessionEndReason): Promise<number> {
    const result = await m
      .getRepository(SessionEntity)
      .update({ accountId, endedAt: IsNull() }, { endedAt: this.clock.now(), endReason: reason });
    return result.affected ?? 0;
  }

  async end(sessionId: string, reason: SessionEndReason): Promise<void> {
    await this.dataSource
      .getRepository(SessionEntity)
      .update({ id: sessionId, endedAt: IsNull() }, { endedAt: this.clock.now(), endReason: reason });
  }

  /**
   * The principal behind a token, or why there is none. One query (session, account and, for a
   * subscriber, the profile) on the hot path of every authenticated request.
   */
  async resolve(token: string): Promise<ResolvedSession | SessionFailure> {
    if (!token || token.length > 200) return 'unknown';
    // innerJoinAndMapOne fills these two properties, which the entity does not declare.
    const session:
      (SessionEntity & { account?: AccountEntity; profile?: SubscriberProfileEntity | null }) | null =
      await this.dataSource
        .getRepository(SessionEntity)
        .createQueryBuilder('s')
        .innerJoinAndMapOne('s.account', AccountEntity, 'a', 'a.id = s.account_id')
        .leftJoinAndMapOne('s.profile', SubscriberProfileEntity, 'p', 'p.id = s.account_id')
        .where('s.token_hash = :h', { h: sha256Hex(token) })
        .getOne();
    if (!session) return 'unknown';
    if (session.endedAt) return 'ended';
    const now = this.clock.now();
    if (now.getTime() >= session.expiresAt.getTime()) {
      await this.end(session.id, 'expired');
      return 'expired';
    }
    if (now.getTime() - session.lastSeenAt.getTime() >= this.config.SESSION_IDLE_MINUTES * 60_000) {
      await this.end(session.id, 'idle');
      return 'idle';
    }
    const account = session.account;
    if (!account || account.lockedAt || account.status === 'suspended' || account.status === 'deleted') {
      return 'account_unusable';
    }
    if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      await this.dataSource.getRepository(SessionEntity).update({ id: session.id }, { lastSeenAt: now });
    }
    return {
      principal: await this.principalOf(account, session.id, session.profile ?? undefined),
      mustChangePassword: account.mustChangePassword,
      expiresAt: session.expiresAt,
    };
  }

  async principalOf(
    account: AccountEntity,
    sessionId: string,
    loadedProfile?: SubscriberProfileEntity,
  ): Promise<Principal> {
    if (account.kind === 'staff') {
      return {
        kind: 'staff',
        id: account.id,
        loginId: account.loginId,
        name: account.name,
        email: account.email,
        roles: [...(account.roles ?? [])] as StaffRole[],
        sessionId,
      };
    }
    const profile =
      loadedProfile ??
      (await this.dataSource.getRepository(SubscriberProfileEntity).findOneByOrFail({ id: account.id }));
    return {
      kind: 'subscriber',
      id: account.id,
      loginId: account.loginId,
      name: account.name,
      email: account.email,
      subscriberKind: profile.subscriberKind,
      status: account.status,
      sessionId,
    };
  }
}
