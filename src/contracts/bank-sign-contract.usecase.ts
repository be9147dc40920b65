import { Inject, Injectable } from '@nestjs/common';
import { actorOf, Principal } from '../identity/auth/principal';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { recordContractEvent } from './contract-history';
import { ContractDocuments } from './contract-documents.service';
import { ContractNotifier } from './contract-notifier.service';
import { ContractSigningGateway } from './contract-signing.gateway';
import { ContractSigningThrottle } from './contract-signing-throttle';
import { ContractRepository, snapshotOf } from './contract.repository';
import { ContractEntity } from './contract.entity';
import { haltForFailedValidation } from './halt-contract';
import { assertBankCanSign } from './domain/contract-workflow';

/**
 * EC-06 (seed 000 §12(1)): head-office staff sign first, as the branch manager's messenger (使者),
 * with the branch manager's signing identity and its PIN: a certification signature (DocMDP P=2)
 * at B-T. Then the first party is invited (EC-07).
 */
@Injectable()
export class BankSignContract {
  constructor(
    private readonly repo: ContractRepository,
    private readonly documents: ContractDocuments,
    private readonly signing: ContractSigningGateway,
    private readonly throttle: ContractSigningThrottle,
    private readonly notifier: ContractNotifier,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(cmd: { contractId: string; signingIdentityId: string; pin: string; operator: Principal }) {
    const before = await this.repo.load(cmd.contractId);
    assertBankCanSign(snapshotOf(before), this.clock.now());
    const actor = actorOf(cmd.operator);

    const { signed, validation, stored } = await this.throttle.run(async () => {
      const pdf = await this.documents.read(before.contract.currentSha256);
      const s = await this.signing.signAsBank({
        pdf,
        signingIdentityId: cmd.signingIdentityId,
        pin: cmd.pin,
        operator: cmd.operator,
        contractId: before.contract.id,
      });
      const v = await this.signing.validate(s.pdf);
      return { signed: s, validation: v, stored: await this.documents.put(s.pdf) };
    });

    const after = await this.repo.dataSource.transaction(async (m) => {
      const l = await this.repo.loadForUpdate(m, cmd.contractId, before.contract.rowVersion);
      const now = this.clock.now();
      assertBankCanSign(snapshotOf(l), now);
      const c = l.contract;
      c.currentVersion += 1;
      c.currentSha256 = stored.sha256;
      c.bankSignedBy = cmd.operator.id;
      c.bankSigningIdentityId = cmd.signingIdentityId;
      await this.documents.record(m, {
        contractId: c.id,
        version: c.currentVersion,
        kind: 'bank_signature',
        sha256: stored.sha256,
        size: stored.size,
        createdBy: actor,
        at: now,
        validation,
      });
      await recordContractEvent(m, this.audit, {
        contractId: c.id,
        actor,
        type: 'bank_signed',
        at: now,
        details: {
          signingIdentityId: cmd.signingIdentityId,
          signerName: signed.signerName,
          version: c.currentVersion,
          sha256: stored.sha256,
        },
      });
      if (validation.indication !== 'TOTAL-PASSED') {
        await haltForFailedValidation(m, this.repo, this.audit, c, validation, now);
        return { contract: c, halted: true };
      }
      await recordContractEvent(m, this.audit, {
        contractId: c.id,
        actor: 'system',
        type: 'validated',
        at: now,
        details: { version: c.currentVersion, indication: validation.indication },
      });
      c.status = 'bank_signed';
      await this.repo.saveContract(m, c, now);
      return { contract: c, halted: false };
    });

    if (after.halted) {
      await this.notifier.validationFailed(
        after.contract,
        after.contract.currentVersion,
        validation.indication,
      );
      return after.contract;
    }
    return this.startSigning(after.contract);
  }

  /**
   * bank_signed → awaiting_signature(1) once the first party has been invited. A failed mail
   * leaves the contract in bank_signed; the sweep tries again.
   */
  async startSigning(c: ContractEntity): Promise<ContractEntity> {
    const signers = await this.repo.signersOf(c.id);
    const first = signers[0];
    if (!(await this.notifier.requestSignature(c, first))) return c;
    return this.repo.dataSource.transaction(async (m) => {
      const l = await this.repo.loadForUpdate(m, c.id);
      if (l.contract.status !== 'bank_signed') return l.contract;
      l.contract.status = 'awaiting_signature';
      l.contract.currentSignerOrder = first.order;
      await this.repo.saveContract(m, l.contract, this.clock.now());
      return l.contract;
    });
  }
}
