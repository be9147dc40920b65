import { Injectable, OnModuleInit } from '@nestjs/common';
import { AccountLifecycle } from '../identity/account-lifecycle';
import { RevokeCertificate } from './revoke-certificate.usecase';

/**
 * EC-12 wiring: identity/RA announce account changes through AccountLifecycle (inside their
 * transaction); the PKI revokes in that same transaction, so the account change, the revocation
 * and the new CRL commit together or not at all.
 * - subscriber deleted → `cessationOfOperation`;
 * - name or e-mail changed → `affiliationChanged` (the certificate no longer states the truth;
 *   RFC 5280 §5.3.1), after which the subscriber re-applies.
 * Suspension and restriction do not revoke: they are reversible, and signing is refused upstream.
 */
@Injectable()
export class PkiAccountHooks implements OnModuleInit {
  constructor(
    private readonly lifecycle: AccountLifecycle,
    private readonly revocation: RevokeCertificate,
  ) {}

  onModuleInit(): void {
    this.lifecycle.onStatusChanged(async (e, m) => {
      if (e.kind !== 'subscriber' || e.to !== 'deleted') return;
      await this.revocation.revokeForSubscriber(
        e.accountId,
        'cessationOfOperation',
        { channel: 'counter', actor: e.actor },
        m,
      );
    });
    this.lifecycle.onSubscriberDetailsChanged(async (e, m) => {
      if (!e.fields.some((f) => f === 'name' || f === 'email')) return;
      await this.revocation.revokeForSubscriber(
        e.subscriberId,
        'affiliationChanged',
        { channel: 'counter', actor: e.actor },
        m,
      );
    });
  }
}
