import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { StaffDirectory, SubscriberDirectory } from '../identity/subscriber-directory.service';
import type { SubscriberStanding } from './domain/contract-workflow';

export interface PartyInfo {
  id: string;
  name: string;
  email: string;
  status: SubscriberStanding;
  /** The page the party opens after logging in (see contract-mails loginLines). */
  contractsUrl: string;
}

/**
 * The people the workflow deals with, read through the identity module's directories. Status is
 * read fresh each time: EC-18 restrictions apply from the moment the RA records them.
 */
@Injectable()
export class ContractParties {
  constructor(
    private readonly subscribers: SubscriberDirectory,
    private readonly staffDirectory: StaffDirectory,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async find(subscriberId: string): Promise<PartyInfo | null> {
    const s = await this.subscribers.findById(subscriberId);
    if (!s) return null;
    return {
      id: s.id,
      name: s.corporationName ? `${s.corporationName} ${s.name}` : s.name,
      email: s.email,
      status: s.status,
      contractsUrl: `${this.config.publicUrl}/my/contracts`,
    };
  }

  /**
   * The party's own personal login URL (EC-07): only for a mail addressed to that party. Read at
   * sending time, so a reissue takes effect for every later mail.
   */
  personalLoginUrl(subscriberId: string): Promise<string | undefined> {
    return this.subscribers.personalLoginUrl(subscriberId);
  }

  async findMany(ids: string[]): Promise<Map<string, PartyInfo>> {
    const out = new Map<string, PartyInfo>();
    for (const id of new Set(ids)) {
      const p = /^[0-9a-f-]{36}$/i.test(id) ? await this.find(id) : null;
      if (p) out.set(id, p);
    }
    return out;
  }

  async findStaff(id: string): Promise<{ name: string; email: string } | null> {
    const a = await this.staffDirectory.findById(id);
    return a && a.status === 'active' ? { name: a.name, email: a.email } : null;
  }
}
