import { AuditEvent, auditPendingRow } from '../../platform/audit/audit-log';
import { AuditPendingEntity } from '../../platform/audit/audit-entry.entity';
import { Write } from '../../database/sql';
import { UnitOfWork } from './unit-of-work';

/**
 * An audit event as one write of a hot-path batch (UnitOfWork.execute / write), so on PostgreSQL
 * it travels in the same statement as the change it records instead of a round trip of its own.
 *
 * It inserts exactly the row AuditLog.append inserts (auditPendingRow: the time truncated to the
 * millisecond, details checked for secrets; columns converted by the driver), in the same transaction as the
 * change, so the record commits or rolls back with it; AuditLog's sealer links pending rows into
 * the hash chain (every second, and before any list or verification) whoever inserted them.
 * Details are built in this module from fixed keys, never from secrets (the confirmation code
 * is not an audit detail).
 */
export function auditWrite(uow: UnitOfWork, event: AuditEvent, now: Date): Write {
  const row = auditPendingRow(event, now) as AuditPendingEntity;
  return { sql: uow.table(AuditPendingEntity).insert([row]), rows: 1, what: `audit ${event.action}` };
}
