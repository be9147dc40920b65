import { Inject, Injectable } from '@nestjs/common';
import { actorOf, Principal } from '../identity/auth/principal';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { ContractArchiveHandoff } from './contract-archive-handoff';
import { recordContractEvent } from './contract-history';
import { ContractDocuments } from './contract-documents.service';
import { ContractNotifier } from './contract-notifier.service';
import { ContractParties } from './contract-parties.service';
import { DocumentValidation, ContractSigningGateway } from './contract-signing.gateway';
import { ContractSigningThrottle } from './contract-signing-throttle';
import { ContractRepository, snapshotOf } from './contract.repository';
import { ContractSignerEntity } from './contract.entity';
import { haltForFailedValidation } from './halt-contract';
import { afterPartySigned, assertPartyCanSign, SubscriberStanding } from './domain/contract-workflow';

export interface SignContractCommand {
  contractId: string;
  subscriber: Principal;
  pin: string;
  agreed: boolean;
}

/**
 * Seed 000 §11–§13: the party whose turn it is signs (approval signature, B-T) after logging in
 * with URL + ID + password + OTP and entering the certificate PIN. The result is validated
 * (EC-08). The next party is invited; after the last one the document gets validation data and a
 * document timestamp (B-LTA) and that version becomes the original kept in the archive (EC-09/10).
 */
@Injectable()
export class SignContract {
  constructor(
    private readonly repo: ContractRepository,
    private readonly documents: ContractDocuments,
    private readonly signing: ContractSigningGateway,
    private readonly throttle: ContractSigningThrottle,
    private readonly notifier: ContractNotifier,
    private readonly parties: ContractParties,
    private readonly audit: AuditLog,
    private readonly handoff: ContractArchiveHandoff,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private async standingOf(subscriberId: string): Promise<SubscriberStanding> {
    // Fresh from the accounts, not from the session: EC-18 applies from the moment it is recorded.
    return (await this.parties.find(subscriberId))?.status ?? 'deleted';
  }

  async execute(cmd: SignContractCommand) {
    const before = await this.repo.load(cmd.contractId);
    const me = assertPartyCanSign(
      snapshotOf(before),
      cmd.subscriber.id,
      await this.standingOf(cmd.subscriber.id),
      cmd.agreed,
      this.clock.now(),
    );
    const next = afterPartySigned(snapshotOf(before), me.order);
    const actor = actorOf(cmd.subscriber);

    const work = await this.throttle.run(async () => {
      const pdf = await this.documents.read(before.contract.currentSha256);
      const signed = await this.signing.signAsParty({
        pdf,
        subscriberId: cmd.subscriber.id,
        pin: cmd.pin,
        contractId: before.contract.id,
        order: me.order,
      });
      const validation = await this.signing.validate(signed.pdf);
      const stored = await this.documents.put(signed.pdf);
      let archival: { stored: { sha256: string; size: number }; validation: DocumentValidation } | null =
        null;
      if (next.kind === 'complete' && validation.indication === 'TOTAL-PASSED') {
        const lta = await this.signing.archive(signed.pdf);
        archival = { validation: await this.signing.validate(lta), stored: await this.documents.put(lta) };
      }
      return { signed, validation, stored, archival };
    });

    const result = await this.repo.dataSource.transaction(async (m) => {
      const l = await this.repo.loadForUpdate(m, cmd.contractId, before.contract.rowVersion);
      const now = this.clock.now();
      assertPartyCanSign(
        snapshotOf(l),
        cmd.subscriber.id,
        await this.standingOf(cmd.subscriber.id),
        cmd.agreed,
        now,
      );
      const c = l.contract;
      const signer = l.signers.find((s) => s.order === me.order) as ContractSignerEntity;
      signer.signedAt = now;
      signer.certificateSerial = work.signed.certificateSerial;
      await m.getRepository(ContractSignerEntity).save(signer);
      c.currentVersion += 1;
      c.currentSha256 = work.stored.sha256;
      await this.documents.record(m, {
        contractId: c.id,
        version: c.currentVersion,
        kind: 'party_signature',
        sha256: work.stored.sha256,
        size: work.stored.size,
        createdBy: actor,
        at: now,
        validation: work.validation,
      });
      await recordContractEvent(m, this.audit, {
        contractId: c.id,
        actor,
        type: 'signed',
        at: now,
        details: {
          signerOrder: signer.order,
          role: signer.role,
          certificateSerial: work.signed.certificateSerial,
          version: c.currentVersion,
          sha256: work.stored.sha256,
        },
      });
      const failed =
        work.validation.indication !== 'TOTAL-PASSED'
          ? work.validation
          : work.archival && work.archival.validation.indication !== 'TOTAL-PASSED'
            ? work.archival.validation
            : null;
      if (failed) {
        await haltForFailedValidation(m, this.repo, this.audit, c, failed, now);
        return { kind: 'halted' as const, contract: c, signers: l.signers, indication: failed.indication };
      }
      await recordContractEvent(m, this.audit, {
        contractId: c.id,
        actor: 'system',
        type: 'validated',
        at: now,
        details: { version: c.currentVersion, indication: work.validation.indication },
      });
      if (next.kind === 'next') {
        c.currentSignerOrder = next.order;
        await this.repo.saveContract(m, c, now);
        return { kind: 'next' as const, contract: c, signers: l.signers, nextOrder: next.order };
      }
      const archival = work.archival!;
      c.currentVersion += 1;
      c.currentSha256 = archival.stored.sha256;
      c.originalSha256 = archival.stored.sha256;
      c.originalVersion = c.currentVersion;
      c.status = 'completed';
      c.currentSignerOrder = null;
      c.completedAt = now;
      await this.documents.record(m, {
        contractId: c.id,
        version: c.currentVersion,
        kind: 'archival',
        sha256: archival.stored.sha256,
        size: archival.stored.size,
        createdBy: 'system',
        at: now,
        validation: archival.validation,
      });
      await this.repo.saveContract(m, c, now);
      await recordContractEvent(m, this.audit, {
        contractId: c.id,
        actor: 'system',
        type: 'archived',
        at: now,
        details: {
          version: c.currentVersion,
          originalSha256: archival.stored.sha256,
          indication: archival.validation.indication,
          signatures: archival.validation.signatureCount,
          documentTimestamps: archival.validation.documentTimestampCount,
        },
      });
      await recordContractEvent(m, this.audit, {
        contractId: c.id,
        actor: 'system',
        type: 'completed',
        at: now,
        details: { originalSha256: archival.stored.sha256 },
      });
      return { kind: 'complete' as const, contract: c, signers: l.signers };
    });

    switch (result.kind) {
      case 'halted':
        await this.notifier.validationFailed(
          result.contract,
          result.contract.currentVersion,
          result.indication,
        );
        break;
      case 'next': {
        const nextSigner = result.signers.find((s) => s.order === result.nextOrder);
        if (nextSigner) await this.notifier.requestSignature(result.contract, nextSigner);
        break;
      }
      case 'complete':
        await this.handoff.handOver(result.contract.id);
        await this.notifier.completed(result.contract, result.signers);
        break;
    }
    return result.contract;
  }
}
