/**
 * Customer queries (TMF621 trouble tickets): their kinds and the expert queue each goes to, the
 * resolution time each severity promises, the status lifecycle, and the channel an answer goes
 * back on. Pure rules; the API, the activities and the `ticket-<id>` workflow apply them.
 */

/** What a query is about; each kind has its queue of experts. */
export const TICKET_TYPES = ['billing', 'technical', 'sales', 'marketing'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

/** How urgent it is; each severity has its resolution time. */
export const SEVERITIES = ['critical', 'major', 'minor', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The queues of experts: billing agents, technical support, sales and marketing representatives. */
export const QUEUES = ['billing', 'technical-support', 'sales-marketing'] as const;
export type Queue = (typeof QUEUES)[number];

export const QUEUE_OF_TYPE: Readonly<Record<TicketType, Queue>> = {
  billing: 'billing',
  technical: 'technical-support',
  sales: 'sales-marketing',
  marketing: 'sales-marketing',
};

const HOUR = 3_600_000;

/** Resolution time per severity, in working-clock milliseconds (the clock stops while pending). */
export const RESOLUTION_TIME_MS: Readonly<Record<Severity, number>> = {
  critical: 4 * HOUR,
  major: 24 * HOUR,
  minor: 72 * HOUR,
  low: 120 * HOUR,
};

/** The assignee is reminded when this share of the resolution time has gone by. */
export const REMINDER_AT = 0.75;

export const TICKET_STATUSES = ['acknowledged', 'inProgress', 'pending', 'held', 'resolved', 'closed', 'rejected', 'cancelled'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

/** Statuses after which nothing more happens. */
export const FINAL_STATUSES: readonly TicketStatus[] = ['closed', 'rejected', 'cancelled'];

const OPEN: TicketStatus[] = ['inProgress', 'pending', 'held', 'resolved', 'rejected', 'cancelled'];
const TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  acknowledged: OPEN,
  inProgress: ['pending', 'held', 'resolved', 'rejected', 'cancelled'],
  pending: ['inProgress', 'held', 'resolved', 'cancelled'],
  held: ['inProgress', 'pending', 'resolved', 'cancelled'],
  // A resolved query is closed when the reopening window ends, or reopened by the customer.
  resolved: ['closed', 'inProgress'],
  closed: [],
  rejected: [],
  cancelled: [],
};

/** Why a status change is not allowed, or undefined when it is (staying put is always allowed). */
export function ticketStatusChangeProblem(from: TicketStatus, to: TicketStatus): string | undefined {
  if (from === to) return undefined;
  if (TRANSITIONS[from].includes(to)) return undefined;
  return `a trouble ticket cannot go from ${from} to ${to}${TRANSITIONS[from].length ? ` (allowed: ${TRANSITIONS[from].join(', ')})` : ` (${from} is final)`}`;
}

/** Whether the resolution clock runs: not while the query waits on the customer. */
export const clockRuns = (status: TicketStatus): boolean => status !== 'pending' && status !== 'resolved' && !FINAL_STATUSES.includes(status);

/**
 * The channel an answer goes back on: by SMS to a query that came by SMS or phone, by email
 * otherwise (web, self-care, shop, email), each falling back to the other if the customer lacks it.
 */
export function answerChannel(channelName: string | undefined): 'email' | 'sms' {
  const name = (channelName ?? '').toLowerCase();
  return name === 'sms' || name === 'phone' ? 'sms' : 'email';
}

/** The next SLA step of a running clock: the reminder, then the escalation, then nothing. */
export function nextSlaStep(
  resolutionMs: number,
  usedMs: number,
  done: { reminded: boolean; escalated: boolean },
): { step: 'reminder' | 'escalation'; inMs: number } | undefined {
  if (!done.reminded) return { step: 'reminder', inMs: Math.max(0, resolutionMs * REMINDER_AT - usedMs) };
  if (!done.escalated) return { step: 'escalation', inMs: Math.max(0, resolutionMs - usedMs) };
  return undefined;
}
