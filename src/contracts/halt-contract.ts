import { EntityManager } from 'typeorm';
import { AuditLog } from '../platform/audit/audit-log';
import { ContractEntity } from './contract.entity';
import { recordContractEvent } from './contract-history';
import type { DocumentValidation } from './contract-signing.gateway';
import { ContractRepository } from './contract.repository';

/**
 * EC-08 (seed 000 §12(4)): the bank confirms every signature is valid. When it is not, the
 * workflow stops (halted), nobody else is invited, and staff are alerted by the caller.
 */
export async function haltForFailedValidation(
  m: EntityManager,
  repo: ContractRepository,
  audit: AuditLog,
  c: ContractEntity,
  validation: DocumentValidation,
  now: Date,
): Promise<void> {
  c.status = 'halted';
  c.currentSignerOrder = null;
  c.haltReason = `signature validation: ${validation.indication}`;
  await repo.saveContract(m, c, now);
  await recordContractEvent(m, audit, {
    contractId: c.id,
    actor: 'system',
    type: 'validation_failed',
    at: now,
    details: { version: c.currentVersion, indication: validation.indication },
  });
}
