import { createHash } from 'node:crypto';

/** Pure hash-chain rules of the audit log (no framework imports). */
export const GENESIS_HASH = '0'.repeat(64);

export interface AuditRecord {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  subject: string | null;
  details: Record<string, unknown> | null;
  prevHash: string;
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function hashAuditRecord(r: AuditRecord): string {
  const canonical = canonicalJson({
    seq: r.seq,
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    subject: r.subject,
    details: r.details,
    prevHash: r.prevHash,
  });
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

export type ChainBreak =
  | { kind: 'modified'; seq: number }
  | { kind: 'missing'; expectedSeq: number; foundSeq: number }
  | { kind: 'relinked'; seq: number }
  | { kind: 'truncated'; lastSeq: number; headSeq: number };

/**
 * Walks entries in seq order and returns the first broken link, or undefined when the chain holds.
 * `head` is the recorded head; entries removed from the end are caught by comparing with it.
 */
export class AuditChainVerifier {
  private expectedSeq = 1;
  private prevHash = GENESIS_HASH;
  private broken: ChainBreak | undefined;
  checked = 0;

  push(entry: AuditRecord & { hash: string }): ChainBreak | undefined {
    if (this.broken) return this.broken;
    this.checked++;
    if (entry.seq !== this.expectedSeq) {
      return (this.broken = { kind: 'missing', expectedSeq: this.expectedSeq, foundSeq: entry.seq });
    }
    if (entry.prevHash !== this.prevHash) return (this.broken = { kind: 'relinked', seq: entry.seq });
    if (hashAuditRecord(entry) !== entry.hash) return (this.broken = { kind: 'modified', seq: entry.seq });
    this.prevHash = entry.hash;
    this.expectedSeq++;
    return undefined;
  }

  finish(head: { lastSeq: number; lastHash: string } | null): ChainBreak | undefined {
    if (this.broken) return this.broken;
    const lastSeq = this.expectedSeq - 1;
    if (head && (head.lastSeq !== lastSeq || head.lastHash !== this.prevHash)) {
      return (this.broken = { kind: 'truncated', lastSeq, headSeq: head.lastSeq });
    }
    return undefined;
  }
}
