import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { AccountKind, AccountStatus } from './account.entity';

export interface AccountStatusChanged {
  kind: AccountKind;
  accountId: string;
  from: AccountStatus;
  to: AccountStatus;
  /** Audit actor (`staff:<id>`, `cli`). */
  actor: string;
  reason: string | null;
}

export interface SubscriberDetailsChanged {
  subscriberId: string;
  /** Changed fields, e.g. `name`, `email` (EC-12: the certificate must then be re-applied for). */
  fields: string[];
  actor: string;
}

export type LifecycleListener<E> = (event: E, manager: EntityManager) => Promise<void>;

/**
 * In-process hooks for modules that must act when an account changes, without identity depending
 * on them: the PKI revokes a deleted subscriber's certificate (EC-12), banking stops pending work
 * of a restricted one (EC-18). Listeners run inside the changing transaction with its
 * EntityManager, so their writes commit or roll back with the change; a listener that throws
 * refuses the change.
 */
@Injectable()
export class AccountLifecycle {
  private readonly statusListeners: LifecycleListener<AccountStatusChanged>[] = [];
  private readonly detailListeners: LifecycleListener<SubscriberDetailsChanged>[] = [];

  onStatusChanged(listener: LifecycleListener<AccountStatusChanged>): void {
    this.statusListeners.push(listener);
  }

  onSubscriberDetailsChanged(listener: LifecycleListener<SubscriberDetailsChanged>): void {
    this.detailListeners.push(listener);
  }

  async statusChanged(event: AccountStatusChanged, m: EntityManager): Promise<void> {
    for (const l of this.statusListeners) await l(event, m);
  }

  async subscriberDetailsChanged(event: SubscriberDetailsChanged, m: EntityManager): Promise<void> {
    for (const l of this.detailListeners) await l(event, m);
  }
}
