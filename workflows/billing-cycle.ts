/**
 * The billing cycle of one postpaid billing account (`billing-<billingAccountId>`), alive as long
 * as the account: it sleeps to the end of the cycle (the account's bill cycle day, local midnight
 * in its time zone), closes it through the bill run (one bill per cycle, however often retried),
 * sends the bill, and continues as new with the next cycle. Meanwhile it chases bills that are
 * past due: a reminder, a final reminder, suspension of outgoing service, termination. A payment
 * at any point ends the chase and restores a suspended service; a disputed bill holds it. After
 * a termination the last cycle is billed and what is still owed is chased once more; the account
 * closes when nothing is owed, or the balance passes to debt collection at the final deadline.
 *
 * What an account owes is read from its ledger (db/billing-ledger.ts) at every step, so a payment
 * whose signal was lost is still seen before the next step is taken.
 */
import {
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  log,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { BillRunActivities, IssuedBill } from '../activities/billing/types';
import type { PlanChangeRequest } from '../activities/billing/cycle';
import type { DunningStage } from '../activities/notifications/templates';
import type { CollectionState } from '../domain/billing/collection-state';
import { addDays, cycleContaining, nextCycle, startOfDateIn, type BillCycle } from '../domain/billing/cycle';
import { money, sum } from '../domain/money';
import type { ServiceToProvision } from '../domain/provisioning/commands';
import { calendarDateIn } from '../domain/time-zone';
import { zonedTimeToUtc } from '../domain/workforce/slots';

/** Days after a bill's due date at which each dunning step is taken. */
export interface DunningTimings {
  reminderDays: number;
  finalReminderDays: number;
  suspensionDays: number;
  terminationDays: number;
}

export const DEFAULT_DUNNING_TIMINGS: DunningTimings = { reminderDays: 3, finalReminderDays: 10, suspensionDays: 15, terminationDays: 45 };

/** An overdue bill being chased. */
export interface DunningCase {
  bill: IssuedBill;
  stage: 'overdue' | 'reminded' | 'finalReminder' | 'suspended';
  /** Milliseconds the case was held by a dispute: later steps move back by as much. */
  heldMs: number;
  /** Set while a dispute of the bill holds the case (workflow time, ms). */
  heldSince?: number;
  /** The services suspended, to restore them. */
  suspendedServices?: ServiceToProvision[];
}

export interface BillingCycleInput {
  billingAccountId: string;
  /** A date (YYYY-MM-DD, account time zone) in the first cycle, e.g. the first subscription's start; default today. */
  firstCycleDate?: string;
  timings?: Partial<DunningTimings>;
  /** Carried from one cycle to the next by continueAsNew. */
  carried?: CarriedState;
}

/** Only what the next cycle needs. */
export interface CarriedState {
  /** The open cycle: the next to close. */
  cycle: BillCycle;
  /** Bills issued whose due date has not passed yet (their charges are not yet overdue). */
  notYetDue: IssuedBill[];
  dunning?: DunningCase;
  disputedBills: string[];
  lastBill?: IssuedBill;
  billsIssued: number;
  terminationRequest?: { effectiveDate?: string; reason?: string };
}

export interface BillingStatus {
  billingAccountId: string;
  state: CollectionState;
  cycle?: BillCycle;
  /** When the open cycle closes (ISO instant). */
  closesAt?: string;
  lastBill?: IssuedBill;
  billsIssued: number;
  dunning?: { billId: string; billNo: string; dueDate: string; stage: DunningCase['stage']; held: boolean; nextStep?: { stage: string; at: string } };
  disputedBills: string[];
  terminated?: { effectiveDate: string; reason: 'customerRequest' | 'nonPayment' };
}

export const billingStatusQuery = defineQuery<BillingStatus>('billingStatus');
/** A subscription of the account started (the signal of signalWithStart from the order side). */
export const subscriptionsStartedSignal = defineSignal<[{ orderId: string; startDate: string }]>('subscriptionsStarted');
/** A payment was booked on the account's ledger (the amount is informative: the ledger is read). */
export const paymentReceivedSignal = defineSignal<[{ paymentId: string; amount: string; currency: string }]>('paymentReceived');
/** The billing cycle workflow of an account: one per billing account, alive as long as it. */
export const billingCycleWorkflowId = (billingAccountId: string) => `billing-${billingAccountId}`;

/** A plan change (the next bill prorates the old and new plan around its effective date). */
export const planChangeSignal = defineSignal<[PlanChangeRequest]>('planChange');
/** The customer ends the contract: subscriptions end on `effectiveDate` (default today), the last cycle is billed. */
export const terminateAccountSignal = defineSignal<[{ effectiveDate?: string; reason?: string }]>('terminateAccount');
/** A bill is disputed: its dunning is held until the dispute is resolved. */
export const disputeBillSignal = defineSignal<[{ billId: string; reason?: string }]>('disputeBill');
/** A dispute is resolved (any adjustment is booked on the ledger first): dunning resumes if still owed. */
export const resolveDisputeSignal = defineSignal<[{ billId: string }]>('resolveDispute');

const HEARTBEAT_TIMEOUT = '10 seconds';

const act = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 20 },
});
/** The bill run: a bill must be issued for every cycle, so it is retried until it is (it is idempotent). */
const billRun = proxyActivities<BillRunActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', maximumInterval: '10 minutes' },
});
const network = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '2 seconds', maximumInterval: '5 minutes', maximumAttempts: 20 },
});
const notify = proxyActivities<Activities>({
  startToCloseTimeout: '3 minutes',
  heartbeatTimeout: HEARTBEAT_TIMEOUT,
  retry: { initialInterval: '5 seconds', maximumInterval: '1 minute', maximumAttempts: 5 },
});

/** The dunning steps in order, each with the state it leads to and the notice it sends. */
const STEPS = [
  { from: 'overdue', to: 'reminded', days: 'reminderDays', notice: 'reminder' },
  { from: 'reminded', to: 'finalReminder', days: 'finalReminderDays', notice: 'finalReminder' },
  { from: 'finalReminder', to: 'suspended', days: 'suspensionDays', notice: 'suspended' },
  { from: 'suspended', to: 'terminated', days: 'terminationDays', notice: 'terminated' },
] as const satisfies ReadonlyArray<{ from: DunningCase['stage']; to: CollectionState; days: keyof DunningTimings; notice: DunningStage }>;

/** The version of this workflow that chases a terminated account's final balance (patched()). */
const SETTLE_FINAL_BALANCE = 'settle-final-balance';
/** While a dispute holds a final balance, how often the ledger is looked at anyway. */
const HELD_RECHECK_MS = 30 * 86_400_000;

/** Lateness of a dunning step beyond which the following steps move back by as much. */
const LATE_STEP_TOLERANCE_MS = 3_600_000;

/** Dunning steps are taken at this local hour, not at midnight: nobody gets a reminder SMS at 00:00. */
export const DUNNING_HOUR = 9;

/** The instant a dunning step dated `date` is taken in the account's time zone. */
export function dunningStepTime(date: string, timeZone: string): Date {
  const [year, month, day] = date.split('-').map(Number);
  return zonedTimeToUtc({ year, month, day, hour: DUNNING_HOUR, minute: 0 }, timeZone);
}

/**
 * The cycle after `cycle`: normally the next month's. When the account's bill cycle day changed,
 * a shorter transition cycle from the end of this one to the next cycle end of the new day, so
 * no day is billed twice or skipped.
 */
export function cycleAfter(cycle: BillCycle, billCycleDay: number): BillCycle {
  const following = nextCycle(cycle, billCycleDay);
  return following.start === cycle.end ? following : { start: cycle.end, end: following.end };
}

export async function billingCycle(input: BillingCycleInput): Promise<BillingStatus> {
  const { billingAccountId } = input;
  const timings: DunningTimings = { ...DEFAULT_DUNNING_TIMINGS, ...input.timings };
  const provisioningRef = `billing-${billingAccountId}`;

  let paymentSignalled = true; // read the ledger once at the start of every run
  let disputesChanged = false;
  let terminated: BillingStatus['terminated'];
  let settled: 'inCollection' | 'closed' | undefined;
  const planChanges: PlanChangeRequest[] = [];
  const carried: Partial<CarriedState> = input.carried ?? {};
  let terminationRequest = carried.terminationRequest;
  let overdueAmount: string | undefined;
  const disputed = new Set(carried.disputedBills ?? []);
  let notYetDue: IssuedBill[] = carried.notYetDue ?? [];
  let dunning: DunningCase | undefined = carried.dunning;
  let lastBill = carried.lastBill;
  let billsIssued = carried.billsIssued ?? 0;
  let cycle: BillCycle | undefined = carried.cycle;
  let timeZone = 'UTC';

  setHandler(billingStatusQuery, () => status());
  setHandler(subscriptionsStartedSignal, ({ orderId, startDate }) => log.info('subscriptions started', { billingAccountId, orderId, startDate }));
  setHandler(paymentReceivedSignal, () => {
    paymentSignalled = true;
  });
  setHandler(planChangeSignal, (change) => void planChanges.push(change));
  setHandler(terminateAccountSignal, (request) => {
    terminationRequest ??= request;
  });
  setHandler(disputeBillSignal, ({ billId }) => {
    disputed.add(billId);
    if (dunning?.bill.billId === billId && dunning.heldSince === undefined) dunning.heldSince = Date.now();
    disputesChanged = true;
  });
  setHandler(resolveDisputeSignal, ({ billId }) => {
    disputed.delete(billId);
    if (dunning?.bill.billId === billId && dunning.heldSince !== undefined) {
      dunning.heldMs += Date.now() - dunning.heldSince;
      dunning.heldSince = undefined;
    }
    disputesChanged = true;
    paymentSignalled = true; // the resolution may have booked a credit
  });

  const profile = await act.billingAccountProfile({ billingAccountId });
  timeZone = profile.timeZone;
  const today = () => calendarDateIn(timeZone, new Date(Date.now()));
  cycle ??= cycleContaining(input.firstCycleDate ?? today(), profile.billCycleDay);
  const openCycle: BillCycle = cycle;
  await upsertSearchAttributes({ BillingAccountId: [billingAccountId] });
  const closesAt = startOfDateIn(openCycle.end, timeZone).getTime();
  await report();

  for (;;) {
    while (planChanges.length) await act.recordSubscriptionPlanChange(planChanges.shift()!);
    if (terminationRequest && !terminated) await terminate(terminationRequest.effectiveDate ?? today(), 'customerRequest');
    if (paymentSignalled || disputesChanged) {
      paymentSignalled = disputesChanged = false;
      await reassess();
    }
    const now = Date.now();
    if (now >= closesAt) break;
    const step = nextStep();
    if (step && now >= step.at) {
      await reassess(); // a payment whose signal went missing is still seen before acting
      const still = nextStep();
      if (still && still.step === step.step && Date.now() >= still.at) await takeStep(step.step);
      continue;
    }
    // Only crossings still ahead: a terminated account no longer moves bills out of notYetDue.
    const dueCrossings = notYetDue.map((b) => startOfDateIn(addDays(b.dueDate, 1), timeZone).getTime()).filter((t) => t > now);
    const wakeAt = Math.min(closesAt, step?.at ?? Infinity, ...dueCrossings);
    const woken = await condition(() => paymentSignalled || disputesChanged || planChanges.length > 0 || (!!terminationRequest && !terminated), Math.max(wakeAt - now, 1));
    if (!woken && dueCrossings.some((t) => t <= Date.now())) paymentSignalled = true; // a due date passed: see what is overdue
  }

  // The cycle is over: bill it. closeBillingCycle returns the first bill on any retry.
  const bill = await billRun.closeBillingCycle({ billingAccountId, cycle: openCycle });
  await billRun.sendBill({ billId: bill.billId });
  billsIssued++;
  lastBill = bill;
  if (!notYetDue.some((b) => b.billId === bill.billId)) notYetDue.push(bill);
  if (terminated) {
    if (patched(SETTLE_FINAL_BALANCE)) await settleFinalBalance(bill);
    await report();
    return status();
  }
  while (planChanges.length) await act.recordSubscriptionPlanChange(planChanges.shift()!);
  const next: CarriedState = {
    cycle: cycleAfter(openCycle, profile.billCycleDay),
    notYetDue,
    dunning,
    disputedBills: [...disputed],
    lastBill,
    billsIssued,
    // A request that came in while the bill was issued is taken at once by the next run.
    terminationRequest,
  };
  return continueAsNew<typeof billingCycle>({ billingAccountId, timings: input.timings, carried: next });

  // ---- steps ----

  /** Reads the ledger: closes a case that is paid, opens one for a bill whose due date passed unpaid. */
  async function reassess(): Promise<void> {
    if (terminated) return;
    const balance = money(await act.billingAccountBalance({ billingAccountId }));
    const date = today();
    const notDue = notYetDue.filter((b) => b.dueDate >= date);
    const becameDue = notYetDue.filter((b) => b.dueDate < date);
    const overdue = balance.minus(sum(notDue.map((b) => money(b.totalCharges))));
    notYetDue = notDue;
    if (dunning && overdue.lte(0)) {
      const paid = dunning;
      log.info('overdue bill paid', { billingAccountId, billId: paid.bill.billId, stage: paid.stage });
      // The state says `suspended` until the service is back on the network.
      if (paid.stage === 'suspended') await restore(paid);
      dunning = undefined;
    }
    if (!dunning && overdue.gt(0) && becameDue.length) {
      const bill = becameDue[becameDue.length - 1];
      dunning = { bill, stage: 'overdue', heldMs: 0, ...(disputed.has(bill.billId) ? { heldSince: Date.now() } : {}) };
      log.info('bill overdue', { billingAccountId, billId: bill.billId, overdue: overdue.toFixed(2) });
    }
    overdueAmount = overdue.gt(0) ? overdue.toFixed(2) : undefined;
    await report();
  }

  /** The next dunning step and when it is due, unless a dispute holds the case. */
  function nextStep(): { step: (typeof STEPS)[number]; at: number } | undefined {
    if (!dunning || dunning.heldSince !== undefined || terminated) return undefined;
    const step = STEPS.find((s) => s.from === dunning!.stage);
    if (!step) return undefined;
    return { step, at: stepAt(dunning, step.days) };
  }

  function stepAt(c: DunningCase, days: keyof DunningTimings): number {
    return dunningStepTime(addDays(c.bill.dueDate, timings[days]), timeZone).getTime() + c.heldMs;
  }

  function dateOf(instant: number): string {
    return calendarDateIn(timeZone, new Date(instant));
  }

  async function takeStep(step: (typeof STEPS)[number]): Promise<void> {
    const c = dunning!;
    // A step taken late (no worker for a while) pushes the later ones back by as much, so the
    // customer still has the time between notices that the timings promise.
    const late = Date.now() - stepAt(c, step.days);
    if (late > LATE_STEP_TOLERANCE_MS) c.heldMs += late;
    const following = STEPS.find((s) => s.from === step.to);
    const notice = {
      billingAccountId,
      billId: c.bill.billId,
      billNo: c.bill.billNo,
      amount: overdueAmount ?? '0.00',
      currency: c.bill.currency,
      dueDate: c.bill.dueDate,
      nextStepDate: following ? dateOf(stepAt(c, following.days)) : undefined,
    };
    if (step.to === 'terminated') {
      await terminate(today(), 'nonPayment', c);
      await notify.sendDunningNotice({ ...notice, stage: 'terminated', nextStepDate: undefined });
      return;
    }
    if (step.to === 'suspended') {
      const services = await act.billingAccountServices({ billingAccountId });
      c.suspendedServices = services;
      for (const service of services) await network.suspendService({ orderId: provisioningRef, service });
      await act.markAccountSuspended({ billingAccountId, suspended: true });
    }
    c.stage = step.to;
    log.info('dunning step', { billingAccountId, billId: c.bill.billId, stage: step.to });
    await report();
    await notify.sendDunningNotice({ ...notice, stage: step.notice });
  }

  async function restore(c: DunningCase): Promise<void> {
    for (const service of c.suspendedServices ?? []) await network.restoreService({ orderId: provisioningRef, service });
    await act.markAccountSuspended({ billingAccountId, suspended: false });
    await notify.sendDunningNotice({
      billingAccountId,
      stage: 'restored',
      billId: c.bill.billId,
      billNo: c.bill.billNo,
      amount: '0.00',
      currency: c.bill.currency,
      dueDate: c.bill.dueDate,
    });
  }

  /**
   * After the last bill of a terminated account: what is still owed is reminded once after the
   * final bill's due date and passed to debt collection at the final deadline (the same number of
   * days as a termination for non-payment); a dispute holds both. The account closes (TMF666
   * `Closed`) as soon as nothing is owed.
   */
  async function settleFinalBalance(finalBill: IssuedBill): Promise<void> {
    const reminderAt = dunningStepTime(addDays(finalBill.dueDate, timings.reminderDays), timeZone).getTime();
    const collectionAt = dunningStepTime(addDays(finalBill.dueDate, timings.terminationDays), timeZone).getTime();
    let reminded = false;
    for (;;) {
      paymentSignalled = disputesChanged = false;
      const owed = money(await act.billingAccountBalance({ billingAccountId }));
      if (owed.lte(0)) {
        await act.closeBillingAccount({ billingAccountId });
        settled = 'closed';
        overdueAmount = undefined;
        log.info('account closed', { billingAccountId });
        return;
      }
      overdueAmount = owed.toFixed(2);
      const notice = { billingAccountId, billId: finalBill.billId, billNo: finalBill.billNo, amount: overdueAmount, currency: finalBill.currency, dueDate: finalBill.dueDate };
      const held = disputed.size > 0;
      const now = Date.now();
      if (!held && now >= collectionAt) {
        settled = 'inCollection';
        log.info('balance passed to debt collection', { billingAccountId, owed: overdueAmount });
        await report();
        await notify.sendDunningNotice({ ...notice, stage: 'debtCollection' });
        return;
      }
      if (!held && !reminded && now >= reminderAt) {
        reminded = true;
        await report();
        await notify.sendDunningNotice({ ...notice, stage: 'finalBillReminder', nextStepDate: dateOf(collectionAt) });
      }
      const wakeAt = held ? now + HELD_RECHECK_MS : reminded ? collectionAt : reminderAt;
      await condition(() => paymentSignalled || disputesChanged, Math.max(wakeAt - now, 1));
    }
  }

  /** Ends the contract: services off the network, subscriptions and inventory terminated; the cycle is still billed. */
  async function terminate(effectiveDate: string, reason: 'customerRequest' | 'nonPayment', c?: DunningCase): Promise<void> {
    const services = c?.suspendedServices?.length ? c.suspendedServices : await act.billingAccountServices({ billingAccountId });
    for (const service of services) await network.deactivateService({ orderId: provisioningRef, service });
    await act.terminateAccountBilling({ billingAccountId, endDate: effectiveDate, serviceIds: services.map((s) => s.serviceId) });
    terminated = { effectiveDate, reason };
    dunning = undefined;
    log.info('account terminated', { billingAccountId, effectiveDate, reason });
    await report();
  }

  function state(): CollectionState {
    if (settled) return settled;
    if (terminated) return 'terminated';
    return dunning?.stage ?? 'current';
  }

  function status(): BillingStatus {
    const step = nextStep();
    return {
      billingAccountId,
      state: state(),
      cycle,
      closesAt: cycle ? new Date(startOfDateIn(cycle.end, timeZone)).toISOString() : undefined,
      lastBill,
      billsIssued,
      dunning: dunning && {
        billId: dunning.bill.billId,
        billNo: dunning.bill.billNo,
        dueDate: dunning.bill.dueDate,
        stage: dunning.stage,
        held: dunning.heldSince !== undefined,
        ...(step ? { nextStep: { stage: step.step.to, at: new Date(step.at).toISOString() } } : {}),
      },
      disputedBills: [...disputed],
      terminated,
    };
  }

  async function report(): Promise<void> {
    await act.reportDunningState({
      billingAccountId,
      state: state(),
      billId: dunning?.bill.billId,
      dueDate: dunning?.bill.dueDate,
      overdueAmount,
      disputedBills: [...disputed],
      currentCycleStart: cycle?.start,
    });
  }
}
