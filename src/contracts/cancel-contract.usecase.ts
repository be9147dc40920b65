import { Inject, Injectable } from '@nestjs/common';
import { actorOf, Principal } from '../identity/auth/principal';
import { AuditLog } from '../platform/audit/audit-log';
import { Clock } from '../platform/clock/clock';
import { recordContractEvent } from './contract-history';
import { ContractNotifier } from './contract-notifier.service';
import { ContractRepository, snapshotOf } from './contract.repository';
import { assertCanCancel } from './domain/contract-workflow';

/** Staff cancel a contract, with a reason, at any time before completion; invited parties are told. */
@Injectable()
export class CancelContract {
  constructor(
    private readonly repo: ContractRepository,
    private readonly notifier: ContractNotifier,
    private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async execute(cmd: { contractId: string; reason: string; operator: Principal }) {
    const loaded = await this.repo.dataSource.transaction(async (m) => {
      const l = await this.repo.loadForUpdate(m, cmd.contractId);
      assertCanCancel(snapshotOf(l));
      const now = this.clock.now();
      const from = l.contract.status;
      l.contract.status = 'cancelled';
      l.contract.cancelledAt = now;
      l.contract.cancelReason = cmd.reason;
      l.contract.currentSignerOrder = null;
      await this.repo.saveContract(m, l.contract, now);
      await recordContractEvent(m, this.audit, {
        contractId: l.contract.id,
        actor: actorOf(cmd.operator),
        type: 'cancelled',
        at: now,
        details: { reason: cmd.reason, from },
      });
      return l;
    });
    await this.notifier.cancelled(loaded.contract, loaded.signers);
    return loaded.contract;
  }
}
