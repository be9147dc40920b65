import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { tokyoParts } from '../common/time/tokyo-time';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { MailMessage, MailSender } from '../platform/mail/mail-sender';
import { ContractEntity, ContractSignerEntity } from './contract.entity';
import { recordContractEvent } from './contract-history';
import { ContractParties, PartyInfo } from './contract-parties.service';
import {
  cancelledMail,
  completedMail,
  ContractMailFacts,
  expiredMail,
  PartyLogin,
  reminderMail,
  signatureRequestedMail,
  validationFailedAlertMail,
} from './domain/contract-mails';

export function jst(d: Date): string {
  const p = tokyoParts(d);
  return `${p.year}年${p.month}月${p.day}日 ${p.time}`;
}

/**
 * Sends the workflow's e-mails after the change they report has committed. Mail is best effort:
 * a failure is logged and recorded as a `notification_failed` event, and the sweep retries the
 * signature request (the signer's `notifiedAt` stays empty).
 */
@Injectable()
export class ContractNotifier {
  private readonly logger = new Logger(ContractNotifier.name);

  constructor(
    @Inject(MailSender) private readonly mail: MailSender,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Clock) private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditLog,
    private readonly parties: ContractParties,
  ) {}

  private facts(c: ContractEntity): ContractMailFacts {
    return { bankName: this.config.BANK_NAME, title: c.title, deadline: c.deadline ? jst(c.deadline) : null };
  }

  /** EC-07: tells the signer whose turn it is; true when the mail was accepted. */
  async requestSignature(c: ContractEntity, signer: ContractSignerEntity): Promise<boolean> {
    const p = await this.parties.find(signer.subscriberId);
    // EC-18: a party who may not use the service is not invited; the contract waits for them.
    if (!p || p.status !== 'active') return false;
    const ok = await this.send(
      c,
      signatureRequestedMail(p.email, p.name, await this.loginOf(p), this.facts(c)),
    );
    if (ok) {
      await this.dataSource.transaction(async (m) => {
        await m
          .getRepository(ContractSignerEntity)
          .update({ id: signer.id }, { notifiedAt: this.clock.now() });
        await recordContractEvent(m, this.audit, {
          contractId: c.id,
          actor: 'system',
          type: 'signature_requested',
          at: this.clock.now(),
          details: { signerOrder: signer.order, subscriberId: signer.subscriberId },
        });
      });
    }
    return ok;
  }

  async remind(c: ContractEntity, signer: ContractSignerEntity): Promise<boolean> {
    const p = await this.parties.find(signer.subscriberId);
    if (!p || p.status !== 'active') return false;
    return this.send(c, reminderMail(p.email, p.name, await this.loginOf(p), this.facts(c)));
  }

  /** EC-07: the invitation carries the party's own login URL; the mail goes to that party alone. */
  private async loginOf(p: PartyInfo): Promise<PartyLogin> {
    return { personalLoginUrl: await this.parties.personalLoginUrl(p.id), contractsUrl: p.contractsUrl };
  }

  async completed(c: ContractEntity, signers: ContractSignerEntity[]): Promise<void> {
    for (const s of signers) {
      const p = await this.parties.find(s.subscriberId);
      if (!p || p.status === 'deleted') continue;
      await this.send(
        c,
        completedMail(p.email, p.name, p.contractsUrl, {
          ...this.facts(c),
          copyDays: this.config.CONTRACT_COPY_DOWNLOAD_DAYS,
        }),
      );
    }
    await this.staff(c, (to, name) =>
      completedMail(to, name, `${this.config.publicUrl}/contracts/${c.id}`, {
        ...this.facts(c),
        copyDays: 0,
      }),
    );
  }

  /** Parties already invited (or signed) hear of the cancellation; the others never heard of it. */
  async cancelled(c: ContractEntity, signers: ContractSignerEntity[]): Promise<void> {
    for (const s of signers.filter((x) => x.notifiedAt !== null || x.signedAt !== null)) {
      const p = await this.parties.find(s.subscriberId);
      if (p && p.status !== 'deleted') await this.send(c, cancelledMail(p.email, p.name, this.facts(c)));
    }
  }

  async expired(c: ContractEntity, signers: ContractSignerEntity[]): Promise<void> {
    for (const s of signers.filter((x) => x.notifiedAt !== null || x.signedAt !== null)) {
      const p = await this.parties.find(s.subscriberId);
      if (p && p.status !== 'deleted') await this.send(c, expiredMail(p.email, p.name, this.facts(c)));
    }
    await this.staff(c, (to, name) => expiredMail(to, name, this.facts(c)));
  }

  /** EC-08: a failed validation alerts the loan officer who registered the contract. */
  async validationFailed(c: ContractEntity, version: number, indication: string): Promise<void> {
    await this.staff(c, (to) =>
      validationFailedAlertMail(to, {
        ...this.facts(c),
        contractId: c.id,
        version,
        indication,
        detailUrl: `${this.config.publicUrl}/contracts/${c.id}`,
      }),
    );
  }

  private async staff(c: ContractEntity, make: (to: string, name: string) => MailMessage): Promise<void> {
    const officer = await this.parties.findStaff(c.createdBy);
    if (officer) await this.send(c, make(officer.email, officer.name));
  }

  private async send(c: ContractEntity, message: MailMessage): Promise<boolean> {
    try {
      await this.mail.send(message);
      return true;
    } catch (e) {
      this.logger.warn(
        { contractId: c.id, tag: message.tag, err: e instanceof Error ? e.message : String(e) },
        'mail failed',
      );
      await this.audit
        .append({
          actor: 'system',
          action: 'contract.notification_failed',
          subject: `contract:${c.id}`,
          details: { tag: message.tag ?? null },
        })
        .catch(() => undefined);
      return false;
    }
  }
}
