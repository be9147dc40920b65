/**
 * RFC 5280 §5.3.1 CRLReason. `unspecified` is never written into a CRL entry (the extension is
 * left out instead, as §5.3.1 recommends); `removeFromCRL` and `certificateHold` are not offered:
 * this CA never suspends certificates, it only revokes.
 */
export const REVOCATION_REASONS = {
  unspecified: 0,
  keyCompromise: 1,
  cACompromise: 2,
  affiliationChanged: 3,
  superseded: 4,
  cessationOfOperation: 5,
  privilegeWithdrawn: 9,
} as const;

export type RevocationReason = keyof typeof REVOCATION_REASONS;

export const REVOCATION_REASON_NAMES = Object.keys(REVOCATION_REASONS) as RevocationReason[];

/** Reasons the RA can choose (cACompromise is an incident procedure, not an RA form). */
export const RA_REVOCATION_REASONS: RevocationReason[] = [
  'unspecified',
  'keyCompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
];

export function isRevocationReason(v: unknown): v is RevocationReason {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(REVOCATION_REASONS, v);
}

/** How the revocation was reported (EC-11: form at the counter, or phone); `system` for automatic ones. */
export const REVOCATION_CHANNELS = ['counter', 'phone', 'online', 'system'] as const;
export type RevocationChannel = (typeof REVOCATION_CHANNELS)[number];
