import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { AuditLog } from '../platform/audit/audit-log';
import { ContractEventEntity } from './contract.entity';

export type ContractEventType =
  | 'created'
  | 'bank_signed'
  | 'signature_requested'
  | 'signed'
  | 'validated'
  | 'validation_failed'
  | 'completed'
  | 'archived'
  | 'cancelled'
  | 'expired'
  | 'reminded'
  | 'notification_failed'
  | 'document_viewed'
  | 'copy_downloaded'
  | 'original_downloaded';

/**
 * Writes one step of a contract's history twice, in the caller's transaction: as a contract event
 * (what the pages show) and as an audit entry (the hash-chained record an auditor checks).
 * Details must never hold a secret (AuditLog refuses PIN/password-like keys).
 */
export async function recordContractEvent(
  m: EntityManager,
  audit: AuditLog,
  e: {
    contractId: string;
    actor: string;
    type: ContractEventType;
    at: Date;
    details?: Record<string, unknown>;
  },
): Promise<void> {
  const repo = m.getRepository(ContractEventEntity);
  const last = await repo.findOne({ where: { contractId: e.contractId }, order: { seq: 'DESC' } });
  await repo.save(
    repo.create({
      id: randomUUID(),
      contractId: e.contractId,
      seq: (last?.seq ?? 0) + 1,
      at: e.at,
      actor: e.actor,
      type: e.type,
      details: e.details ?? null,
    }),
  );
  await audit.append(
    {
      actor: e.actor,
      action: `contract.${e.type}`,
      subject: `contract:${e.contractId}`,
      details: e.details ?? null,
    },
    m,
  );
}
