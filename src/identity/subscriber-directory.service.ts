import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, In } from 'typeorm';
import { AccountEntity } from './account.entity';
import { PersonalLoginUrls } from './personal-login-url.service';
import { StaffRole, SubscriberKind, SubscriberStatus } from './auth/principal';
import { SubscriberProfileEntity } from './subscriber-profile.entity';

export interface SubscriberRecord {
  id: string;
  loginId: string;
  name: string;
  nameKana: string;
  email: string;
  phone: string | null;
  kind: SubscriberKind;
  status: SubscriberStatus;
  corporationName: string | null;
  officerTitle: string | null;
  officerAuthority: string | null;
  /** `YYYY-MM-DD` */
  birthDate: string | null;
  locked: boolean;
  identityVerification: {
    documentType: string;
    documentNumberLast4: string;
    verifiedBy: string;
    verifiedAt: string;
  };
  createdAt: string;
  lastLoginAt: string | null;
}

export interface StaffRecord {
  id: string;
  loginId: string;
  name: string;
  email: string;
  roles: StaffRole[];
  status: SubscriberStatus;
  locked: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

export function toSubscriberRecord(a: AccountEntity, p: SubscriberProfileEntity): SubscriberRecord {
  return {
    id: a.id,
    loginId: a.loginId,
    name: a.name,
    nameKana: p.nameKana,
    email: a.email,
    phone: p.phone,
    kind: p.subscriberKind,
    status: a.status,
    corporationName: p.corporationName,
    officerTitle: p.officerTitle,
    officerAuthority: p.officerAuthority,
    birthDate: p.birthDate,
    locked: a.lockedAt !== null,
    identityVerification: {
      documentType: p.idDocumentType,
      documentNumberLast4: p.idDocumentLast4,
      verifiedBy: p.idVerifiedBy,
      verifiedAt: p.idVerifiedAt.toISOString(),
    },
    createdAt: a.createdAt.toISOString(),
    lastLoginAt: a.lastLoginAt?.toISOString() ?? null,
  };
}

export function toStaffRecord(a: AccountEntity): StaffRecord {
  return {
    id: a.id,
    loginId: a.loginId,
    name: a.name,
    email: a.email,
    roles: [...(a.roles ?? [])],
    status: a.status,
    locked: a.lockedAt !== null,
    createdAt: a.createdAt.toISOString(),
    lastLoginAt: a.lastLoginAt?.toISOString() ?? null,
  };
}

/** Read access to subscribers for the PKI, contract and RA modules. */
@Injectable()
export class SubscriberDirectory {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly loginUrls: PersonalLoginUrls,
  ) {}

  /**
   * The subscriber's own personal login URL (`<PUBLIC_URL>/login/<key>`), for the mails that
   * invite them to sign (EC-07, seed 000 §12(2)). Put it only into mail to this subscriber's own
   * address; never show, log or audit it. Undefined for an unknown or deleted subscriber and for
   * accounts registered before the key was kept sealed (reissuing the credentials fixes that).
   */
  personalLoginUrl(subscriberId: string): Promise<string | undefined> {
    return this.loginUrls.find(subscriberId, 'subscriber');
  }

  async findById(id: string): Promise<SubscriberRecord | null> {
    const [a, p] = await Promise.all([
      this.dataSource.getRepository(AccountEntity).findOneBy({ id, kind: 'subscriber' }),
      this.dataSource.getRepository(SubscriberProfileEntity).findOneBy({ id }),
    ]);
    return a && p ? toSubscriberRecord(a, p) : null;
  }

  /** Search by name, kana, login ID, email or corporation name (partial match), newest first. */
  async search(
    filter: { query?: string; status?: SubscriberStatus; limit?: number; offset?: number } = {},
  ): Promise<{ items: SubscriberRecord[]; total: number }> {
    const qb = this.dataSource
      .getRepository(AccountEntity)
      .createQueryBuilder('a')
      .innerJoin(SubscriberProfileEntity, 'p', 'p.id = a.id')
      .where('a.kind = :kind', { kind: 'subscriber' });
    if (filter.status) qb.andWhere('a.status = :status', { status: filter.status });
    const q = filter.query?.trim();
    if (q) {
      const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`).toLowerCase()}%`;
      qb.andWhere(
        new Brackets((w) => {
          for (const col of ['a.name', 'a.login_id', 'a.email', 'p.name_kana', 'p.corporation_name']) {
            w.orWhere(`LOWER(${col}) LIKE :like ESCAPE '\\'`, { like });
          }
        }),
      );
    }
    const total = await qb.getCount();
    const accounts = await qb
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'ASC')
      .limit(Math.min(filter.limit ?? 50, 200))
      .offset(filter.offset ?? 0)
      .getMany();
    const profiles = accounts.length
      ? await this.dataSource
          .getRepository(SubscriberProfileEntity)
          .findBy({ id: In(accounts.map((a) => a.id)) })
      : [];
    const byId = new Map(profiles.map((p) => [p.id, p]));
    return { items: accounts.map((a) => toSubscriberRecord(a, byId.get(a.id)!)), total };
  }
}

/** Read access to staff accounts (e.g. the bank signers for a contract). */
@Injectable()
export class StaffDirectory {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findById(id: string): Promise<StaffRecord | null> {
    const a = await this.dataSource.getRepository(AccountEntity).findOneBy({ id, kind: 'staff' });
    return a ? toStaffRecord(a) : null;
  }

  async list(filter: { role?: StaffRole; includeDeleted?: boolean } = {}): Promise<StaffRecord[]> {
    const all = await this.dataSource
      .getRepository(AccountEntity)
      .find({ where: { kind: 'staff' }, order: { createdAt: 'ASC' } });
    return all
      .filter((a) => filter.includeDeleted || a.status !== 'deleted')
      .filter((a) => !filter.role || (a.roles ?? []).includes(filter.role))
      .map(toStaffRecord);
  }
}
