import { AuditEvent } from '../../platform/audit/audit-log';
import { AuditPendingEntity } from '../../platform/audit/audit-entry.entity';
import { Write } from '../../database/sql';
import { UnitOfWork } from './unit-of-work';

/**
 * An audit event as one write of a hot-path batch (UnitOfWork.execute / write), so on PostgreSQL
 * it travels in the same statement as the change it records instead of a round trip of its own.
 *
 * It inserts exactly the row AuditLog.append inserts (the `audit_pending` entity, its columns
 * converted by the driver; the time truncated to the millisecond), in the same transaction as the
 * change, so the record commits or rolls back with it; AuditLog's sealer links pending rows into
 * the hash chain (every second, and before any list or verification) whoever inserted them.
 * Details are built in this module from fixed keys, never from secrets (the confirmation code
 * is not an audit detail).
 */
export function auditWrite(uow: UnitOfWork, event: AuditEvent, now: Date): Write {
  const row = {
    at: new Date(Math.floor(now.getTime())),
    actor: event.actor,
    action: event.action,
    subject: event.subject ?? null,
    details: event.details ?? null,
  } as AuditPendingEntity;
  return { sql: uow.table(AuditPendingEntity).insert([row]), rows: 1, what: `audit ${event.action}` };
}
