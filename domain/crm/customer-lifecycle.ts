/** The customer lifecycle: Initialized → Approved → Active ⇄ Suspended, and Closed from anywhere. */
export const CUSTOMER_STATUSES = ['Initialized', 'Approved', 'Active', 'Suspended', 'Closed'] as const;
export type CustomerStatus = (typeof CUSTOMER_STATUSES)[number];

/**
 * Where a customer may go from each status: checked on every update (any status on create). A new
 * customer is Initialized; once its checks pass it is Approved, and Active with its first service.
 * Closed is final.
 */
export const CUSTOMER_STATUS_TRANSITIONS: Record<CustomerStatus, readonly CustomerStatus[]> = {
  Initialized: ['Approved', 'Closed'],
  Approved: ['Active', 'Closed'],
  Active: ['Suspended', 'Closed'],
  Suspended: ['Active', 'Closed'],
  Closed: [],
};

/** Why a customer may not go from one status to another, or undefined when it may. */
export function customerStatusChangeProblem(from: CustomerStatus | undefined, to: CustomerStatus | undefined): string | undefined {
  if (from === undefined || from === to) return undefined;
  if (to !== undefined && CUSTOMER_STATUS_TRANSITIONS[from].includes(to)) return undefined;
  const allowed = CUSTOMER_STATUS_TRANSITIONS[from];
  return `status: a customer cannot go from ${from} to ${to ?? '(none)'}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`;
}
