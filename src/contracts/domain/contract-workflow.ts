import { AppError } from '../../common/errors/app-error';
import { addDays, tokyoInstant } from '../../common/time/tokyo-time';
import { ContractErrorCode } from '../contracts.errors';

/**
 * The e-contract state machine (seed 000 §12), as pure functions over a snapshot of the contract.
 *
 *   draft ──bank signs (EC-06)──▶ bank_signed ──first signer notified (EC-07)──▶ awaiting_signature(n)
 *   awaiting_signature(n) ──signer n signs, validated (EC-08)──▶ awaiting_signature(n+1) … ▶ completed
 *   any state before completed ──staff cancels──▶ cancelled
 *   bank_signed | awaiting_signature ──deadline passes──▶ expired
 *   bank_signed | awaiting_signature ──a signature fails validation──▶ halted (staff alerted)
 *
 * Every refusal is an AppError with a stable code, raised before anything changes.
 */
export const CONTRACT_STATUSES = [
  'draft',
  'bank_signed',
  'awaiting_signature',
  'completed',
  'cancelled',
  'expired',
  'halted',
] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

/** EC-15: the loan products the service is used for. */
export const LOAN_TYPES = ['housing', 'business', 'consumer'] as const;
export type LoanType = (typeof LOAN_TYPES)[number];

export type SignerRole = 'debtor' | 'guarantor';

/** A subscriber's standing as the identity module reports it (EC-18). */
export type SubscriberStanding = 'active' | 'suspended' | 'restricted' | 'deleted';

export interface SignerSnapshot {
  order: number;
  subscriberId: string;
  signedAt: Date | null;
}

export interface ContractSnapshot {
  status: ContractStatus;
  /** Order (1-based) of the signer whose turn it is, while awaiting_signature. */
  currentSignerOrder: number | null;
  deadline: Date | null;
  signers: SignerSnapshot[];
}

const ACTIVE: ReadonlySet<ContractStatus> = new Set(['bank_signed', 'awaiting_signature']);

/** The first party is the debtor; every later party is a guarantor (seed 000 §2). */
export function roleOf(order: number): SignerRole {
  return order === 1 ? 'debtor' : 'guarantor';
}

/** Refuses a state that no longer allows any signing, with the reason the user needs to see. */
function assertOpen(c: ContractSnapshot, now: Date): void {
  switch (c.status) {
    case 'cancelled':
      throw AppError.conflict(ContractErrorCode.CONTRACT_CANCELLED, 'この契約書は取り消されています。');
    case 'expired':
      throw AppError.conflict(
        ContractErrorCode.CONTRACT_EXPIRED,
        '署名期限を過ぎたため、この契約書には署名できません。',
      );
    case 'completed':
      throw AppError.conflict(ContractErrorCode.CONTRACT_COMPLETED, 'この契約書は締結済みです。');
    case 'halted':
      throw AppError.conflict(
        ContractErrorCode.CONTRACT_HALTED,
        'この契約書は署名の検証で問題が見つかったため停止しています。当金庫からのご連絡をお待ちください。',
      );
    case 'draft':
    case 'bank_signed':
    case 'awaiting_signature':
      break;
  }
  if (isPastDeadline(c, now)) {
    throw AppError.conflict(
      ContractErrorCode.CONTRACT_EXPIRED,
      '署名期限を過ぎたため、この契約書には署名できません。',
    );
  }
}

/** EC-06: the bank signs first, and only a draft. */
export function assertBankCanSign(c: ContractSnapshot, now: Date): void {
  assertOpen(c, now);
  if (c.status !== 'draft') {
    throw AppError.conflict(
      ContractErrorCode.CONTRACT_INVALID_STATE,
      'この契約書には既に当金庫の署名があります。',
    );
  }
}

/**
 * EC-05/EC-07/EC-18: may this subscriber sign now? Checks, in this order: is a party, the contract
 * is open, it is their turn, they are in good standing, they ticked the agreement.
 */
export function assertPartyCanSign(
  c: ContractSnapshot,
  subscriberId: string,
  standing: SubscriberStanding,
  agreed: boolean,
  now: Date,
): SignerSnapshot {
  const mine = c.signers.filter((s) => s.subscriberId === subscriberId);
  if (mine.length === 0) {
    throw AppError.forbidden(ContractErrorCode.NOT_A_PARTY, 'この契約書の署名者ではありません。');
  }
  assertOpen(c, now);
  if (c.status !== 'awaiting_signature' || c.currentSignerOrder === null) {
    throw AppError.conflict(
      ContractErrorCode.CONTRACT_INVALID_STATE,
      'この契約書はまだ署名を受け付けていません。',
    );
  }
  const current = mine.find((s) => s.order === c.currentSignerOrder);
  if (!current) {
    if (mine.every((s) => s.signedAt !== null)) {
      throw AppError.conflict(ContractErrorCode.CONTRACT_INVALID_STATE, 'この契約書には既に署名済みです。');
    }
    throw AppError.conflict(
      ContractErrorCode.NOT_YOUR_TURN,
      '署名の順番ではありません。先の署名者の署名が終わるとメールでお知らせします。',
    );
  }
  // EC-18 (seed 000 §16): a restricted party's pending request is not processed; the contract waits.
  if (standing !== 'active') {
    throw AppError.forbidden(
      ContractErrorCode.SIGNER_NOT_ELIGIBLE,
      '現在、ご利用が制限されているため署名できません。お取引店にお問い合わせください。',
    );
  }
  if (!agreed) {
    throw AppError.badRequest(
      ContractErrorCode.AGREEMENT_REQUIRED,
      '契約書の内容に同意いただく必要があります（同意欄にチェックしてください）。',
    );
  }
  return current;
}

export type AfterSignature = { kind: 'next'; order: number } | { kind: 'complete' };

/** After party `order` has signed: the next party in order, or completion. */
export function afterPartySigned(c: ContractSnapshot, order: number): AfterSignature {
  const later = c.signers
    .filter((s) => s.order > order && s.signedAt === null)
    .sort((a, b) => a.order - b.order);
  return later.length ? { kind: 'next', order: later[0].order } : { kind: 'complete' };
}

/** Staff may cancel at any time before completion (and not twice). */
export function assertCanCancel(c: ContractSnapshot): void {
  switch (c.status) {
    case 'completed':
      throw AppError.conflict(ContractErrorCode.CONTRACT_COMPLETED, '締結済みの契約書は取り消せません。');
    case 'cancelled':
      throw AppError.conflict(ContractErrorCode.CONTRACT_CANCELLED, 'この契約書は既に取り消されています。');
    case 'expired':
      throw AppError.conflict(ContractErrorCode.CONTRACT_EXPIRED, '期限切れの契約書は取り消せません。');
    case 'draft':
    case 'bank_signed':
    case 'awaiting_signature':
    case 'halted':
      return;
  }
}

export function isPastDeadline(c: Pick<ContractSnapshot, 'deadline'>, now: Date): boolean {
  return c.deadline !== null && now.getTime() >= c.deadline.getTime();
}

/** A contract that is still waiting for signatures and whose deadline has passed. */
export function shouldExpire(c: ContractSnapshot, now: Date): boolean {
  return (ACTIVE.has(c.status) || c.status === 'draft') && isPastDeadline(c, now);
}

/**
 * Reminder rule: from `daysBefore` days before the deadline, at most one reminder per
 * `intervalHours`, while the contract waits for a party.
 */
export function reminderDue(
  c: ContractSnapshot,
  lastReminderAt: Date | null,
  now: Date,
  daysBefore: number,
  intervalHours: number,
): boolean {
  if (c.status !== 'awaiting_signature' || c.deadline === null || isPastDeadline(c, now)) return false;
  const windowStart = c.deadline.getTime() - daysBefore * 86_400_000;
  if (now.getTime() < windowStart) return false;
  return lastReminderAt === null || now.getTime() - lastReminderAt.getTime() >= intervalHours * 3_600_000;
}

/** EC-10: a copy (副本) may be viewed and downloaded for `days` days after completion (0 = no limit). */
export function copyDownloadAllowed(completedAt: Date | null, now: Date, days: number): boolean {
  if (completedAt === null) return true;
  if (days === 0) return true;
  return now.getTime() < completedAt.getTime() + days * 86_400_000;
}

/**
 * The deadline as given: a Tokyo date `YYYY-MM-DD` means "until the end of that day"; an ISO
 * instant is taken as is. Undefined uses the default period in days from now (0 = no deadline).
 */
export function resolveDeadline(
  given: string | undefined | null,
  now: Date,
  defaultDays: number,
): Date | null {
  if (given === undefined || given === null || given === '') {
    if (defaultDays === 0) return null;
    return new Date(now.getTime() + defaultDays * 86_400_000);
  }
  let at: Date;
  if (/^\d{4}-\d{2}-\d{2}$/.test(given)) {
    if (!isCalendarDate(given)) throw badDeadline();
    at = tokyoInstant(addDays(given, 1));
  } else {
    at = new Date(given);
    if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}T/.test(given)) throw badDeadline();
  }
  if (at.getTime() <= now.getTime()) {
    throw AppError.badRequest(
      ContractErrorCode.DEADLINE_IN_PAST,
      '署名期限には将来の日時を指定してください。',
      {
        field: 'deadline',
      },
    );
  }
  return at;
}

function badDeadline() {
  return AppError.badRequest('VALIDATION_FAILED', '署名期限の形式が正しくありません（YYYY-MM-DD）。', {
    fields: [{ field: 'deadline', problems: ['must be YYYY-MM-DD or an ISO 8601 instant'] }],
  });
}

export function isCalendarDate(s: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** The ordered list of parties: at least one (the debtor), no duplicates, at most `max`. */
export function assertSignerList(ids: readonly string[], max: number): void {
  if (ids.length === 0) {
    throw AppError.badRequest('VALIDATION_FAILED', '署名者を1名以上指定してください。', {
      fields: [{ field: 'signerIds', problems: ['at least one signer'] }],
    });
  }
  if (ids.length > max) {
    throw AppError.badRequest(ContractErrorCode.TOO_MANY_SIGNERS, `署名者は${max}名までです。`, {
      field: 'signerIds',
    });
  }
  if (new Set(ids).size !== ids.length) {
    throw AppError.badRequest(ContractErrorCode.DUPLICATE_SIGNER, '同じ署名者が重複しています。', {
      field: 'signerIds',
    });
  }
}
