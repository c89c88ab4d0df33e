/**
 * A customer query (`ticket-<id>`): routed to the queue of experts for its kind and assigned;
 * its resolution time runs while it is worked and stops while it waits on the customer
 * (`pending`); the assignee is reminded at three quarters of it and the queue's supervisor told
 * when it passes. The expert's answer (resolved or rejected) goes to the customer on the channel
 * the query came from; a resolved query may be reopened within the reopening window (its clock
 * starts again), after which it is closed. Status changes arrive as signals from the TMF621 API.
 * A billing query about a bill holds that bill's dunning (the bill goes onHold and its account's
 * billing workflow is told of the dispute) until the query is answered.
 */
import { condition, defineQuery, defineSignal, getExternalWorkflowHandle, log, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { HeldBill } from '../activities/tickets';
import { clockRuns, FINAL_STATUSES, nextSlaStep, TICKET_STATUSES, type TicketStatus } from '../domain/tickets/ticket';
import { billingCycleWorkflowId, disputeBillSignal, resolveDisputeSignal } from './billing-cycle';
import { toMs } from './common';

export interface TroubleTicketInput {
  ticketId: string;
  /** How long a resolved query may be reopened, e.g. '7 days'. */
  reopenWindow?: string;
}

export interface TicketProgress {
  status: TicketStatus;
  queue?: string;
  assigneeId?: string;
  /** Working time used in the current round, in milliseconds. */
  usedMs: number;
  reminded: boolean;
  escalated: boolean;
  /** 1 for the first handling, +1 for each reopening. */
  round: number;
}

export const DEFAULT_REOPEN_WINDOW = '7 days';

export const ticketWorkflowId = (ticketId: string) => `ticket-${ticketId}`;
export const ticketStatusChangedSignal = defineSignal<[{ status: string }]>('ticketStatusChanged');
export const ticketProgressQuery = defineQuery<TicketProgress>('ticketProgress');

const act = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** Notifications retry deliveries themselves: more time. */
const notify = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

const isAnswered = (s: TicketStatus) => s === 'resolved' || FINAL_STATUSES.includes(s);

/** Tells a bill's billing workflow (`billing-<accountId>`) of a dispute or its end; an account without one has nobody to tell. */
async function tellBilling(bill: HeldBill, signal: 'disputeBill' | 'resolveDispute', ticketId: string): Promise<void> {
  try {
    const handle = getExternalWorkflowHandle(billingCycleWorkflowId(bill.billingAccountId));
    await (signal === 'disputeBill' ? handle.signal(disputeBillSignal, { billId: bill.billId, reason: `customer query ${ticketId}` }) : handle.signal(resolveDisputeSignal, { billId: bill.billId }));
  } catch (err) {
    log.warn('billing workflow not told of the dispute', { billId: bill.billId, signal, error: String(err) });
  }
}

export async function troubleTicket(input: TroubleTicketInput): Promise<TicketProgress> {
  const { ticketId } = input;
  const progress: TicketProgress = { status: 'acknowledged', usedMs: 0, reminded: false, escalated: false, round: 1 };
  let signalled = false;
  setHandler(ticketStatusChangedSignal, ({ status }) => {
    if (!(TICKET_STATUSES as readonly string[]).includes(status)) return;
    progress.status = status as TicketStatus;
    signalled = true;
  });
  setHandler(ticketProgressQuery, () => progress);

  const routed = await act.routeTicket({ ticketId });
  if (!signalled) progress.status = routed.status;
  Object.assign(progress, { queue: routed.queue, assigneeId: routed.assignee.id });
  if (routed.customerId) upsertSearchAttributes({ CustomerId: [routed.customerId] });

  const deadlineFromNow = () => new Date(Date.now() + routed.resolutionMs - progress.usedMs).toISOString();
  for (;;) {
    const heldBills = await act.holdQueriedBills({ ticketId });
    for (const bill of heldBills) await tellBilling(bill, 'disputeBill', ticketId);
    await act.setExpectedResolution({ ticketId, expectedResolutionDate: deadlineFromNow() });
    while (!isAnswered(progress.status)) {
      if (!clockRuns(progress.status)) {
        await condition(() => clockRuns(progress.status) || isAnswered(progress.status));
        if (clockRuns(progress.status)) await act.setExpectedResolution({ ticketId, expectedResolutionDate: deadlineFromNow() });
        continue;
      }
      const step = nextSlaStep(routed.resolutionMs, progress.usedMs, progress);
      const since = Date.now();
      const stopped = () => !clockRuns(progress.status);
      const interrupted = step ? await condition(stopped, step.inMs) : (await condition(stopped), true);
      progress.usedMs += Date.now() - since;
      if (interrupted || !step) continue;
      const deadline = deadlineFromNow();
      if (step.step === 'reminder') {
        await notify.remindTicketAssignee({ ticketId, round: progress.round, deadline });
        progress.reminded = true;
      } else {
        await notify.escalateTicket({ ticketId, round: progress.round, deadline });
        progress.escalated = true;
      }
    }

    if (heldBills.length) {
      await act.releaseQueriedBills({ bills: heldBills });
      for (const bill of heldBills) await tellBilling(bill, 'resolveDispute', ticketId);
    }
    if (progress.status !== 'resolved') {
      // Rejected: the customer hears why. Cancelled or closed by staff: nothing to answer.
      if (progress.status === 'rejected') await notify.answerTicketCustomer({ ticketId, round: progress.round });
      return progress;
    }
    const windowMs = toMs(input.reopenWindow ?? DEFAULT_REOPEN_WINDOW);
    await notify.answerTicketCustomer({ ticketId, round: progress.round, reopenUntil: new Date(Date.now() + windowMs).toISOString() });
    const reopened = await condition(() => progress.status !== 'resolved', windowMs);
    if (!reopened) {
      await act.closeTicket({ ticketId });
      progress.status = 'closed';
      return progress;
    }
    if (FINAL_STATUSES.includes(progress.status)) return progress;
    await act.reopenTicket({ ticketId });
    Object.assign(progress, { usedMs: 0, reminded: false, escalated: false, round: progress.round + 1 });
  }
}
