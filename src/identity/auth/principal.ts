/**
 * Who is calling. Every module that authenticates imports these names (contract shared with the
 * PKI, banking and contract modules): keep them stable.
 */
export enum StaffRole {
  /** Manages staff accounts. */
  ADMIN = 'admin',
  /** Registration authority (EC-02): registers, suspends, restricts, deletes subscribers; revokes certificates. */
  RA_OFFICER = 'ra_officer',
  /** Creates contracts. */
  LOAN_OFFICER = 'loan_officer',
  /** Head-office staff signing as the branch manager's messenger (使者, EC-06). */
  BANK_SIGNER = 'bank_signer',
  /** Read-only access to originals, reports and the audit log. */
  AUDITOR = 'auditor',
  /** Back-office staff of the banking modules. */
  OPERATIONS = 'operations',
}

export const STAFF_ROLES: readonly StaffRole[] = Object.values(StaffRole);

export type SubscriberKind = 'individual' | 'sole_proprietor' | 'corporate';
export const SUBSCRIBER_KINDS: readonly SubscriberKind[] = ['individual', 'sole_proprietor', 'corporate'];

/** `restricted` = EC-18 (反社会的勢力の排除): may log in, but pending work is not processed. */
export type SubscriberStatus = 'active' | 'suspended' | 'restricted' | 'deleted';

export type Principal =
  | {
      kind: 'staff';
      id: string;
      loginId: string;
      name: string;
      email: string;
      roles: StaffRole[];
      sessionId: string;
    }
  | {
      kind: 'subscriber';
      id: string;
      loginId: string;
      name: string;
      email: string;
      subscriberKind: SubscriberKind;
      status: SubscriberStatus;
      sessionId: string;
    };

/** The audit-log actor string of a principal (`staff:<id>`, `subscriber:<id>`). */
export function actorOf(p: Principal): string {
  return `${p.kind}:${p.id}`;
}
