/**
 * A year of history for the embedded default, so that reports show something: customers who
 * registered month after month on the three channels across Spain (some of them leaving again),
 * their orders (most completed within hours or days, some rejected or failed with the reasons
 * order validation gives), their queries (answered within or beyond their resolution time) and
 * the contacts recorded with them. Written through the same models and store functions the
 * system uses (TMF documents, lifecycle hooks, events), with the clock moved to each moment.
 * Random but reproducible: the same seed gives the same history.
 */
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { ManualClock } from '../../domain/clock';
import { RESOLUTION_TIME_MS, type Severity, type TicketType } from '../../domain/tickets/ticket';
import { billingAccountModel, customerModel, partyInteractionModel } from '../crm-models';
import { customerPartyRef, productOrderModel } from '../order-models';
import { troubleTicketModel } from '../ticket-models';
import { createTmfResourceOnce, patchTmfResource } from '../tmf-store';
import { mulberry32 } from '../../domain/seeded-random';

export interface HistoryOptions {
  customers: number;
  months: number;
  /** The history ends here (now, for the embedded default). */
  end: Date;
  seed?: number;
  publicUrl: string;
  /**
   * Called for each completed order once its customer's history is written (committed), to add
   * what the order set going: billing or charging, usage, bills, payments, top-ups.
   */
  afterOrder?: (order: CompletedOrder) => Promise<void>;
}

/** A completed first order of the history, as the money written after it needs it. */
export interface CompletedOrder {
  /** A seed of the order's own: its money does not shift the rest of the history. */
  seed: number;
  customerId: string;
  billingAccountId: string;
  orderId: string;
  offeringId: string;
  paymentType: 'prepaid' | 'postpaid';
  completedAt: Date;
  /** When the customer left, if before the history's end. */
  leftAt?: Date;
  /** The history's end. */
  end: Date;
}

export interface HistorySummary {
  customers: number;
  churned: number;
  orders: number;
  queries: number;
  interactions: number;
}

const MARKER = { name: 'generatedHistory', value: 'true' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Seeded random helpers, so that a history can be generated again identically. */
export function seeded(seed: number) {
  const next = mulberry32(seed);
  const pick = <T>(weighted: Array<[T, number]>): T => {
    let r = next() * weighted.reduce((n, [, w]) => n + w, 0);
    for (const [value, w] of weighted) if ((r -= w) < 0) return value;
    return weighted[weighted.length - 1][0];
  };
  return { next, pick, chance: (p: number) => next() < p, between: (lo: number, hi: number) => lo + next() * (hi - lo) };
}

const CHANNELS: Array<[string, number]> = [['portal', 50], ['store', 30], ['callCentre', 20]];
const POSTCODES: Array<[string, number]> = [
  ['28013', 22], ['28045', 10], ['08001', 18], ['08028', 8], ['46002', 9], ['41001', 7], ['29001', 5], ['48001', 5], ['50001', 4], ['15001', 3], ['33001', 3], ['35001', 3], ['07001', 3],
];
const GIVEN = ['Lucía', 'Hugo', 'Martina', 'Mateo', 'Sofía', 'Leo', 'Julia', 'Daniel', 'Paula', 'Pablo', 'Valeria', 'Álvaro', 'Carmen', 'Javier', 'Elena', 'Diego'];
const FAMILY = ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Pérez', 'Gómez', 'Martín', 'Jiménez', 'Ruiz', 'Hernández', 'Díaz', 'Moreno', 'Muñoz'];
const OFFERINGS: Array<[{ id: string; paymentType: 'prepaid' | 'postpaid' }, number]> = [
  [{ id: '0ffe0000-0000-4000-8000-000000000001', paymentType: 'prepaid' }, 25],
  [{ id: '0ffe0000-0000-4000-8000-000000000002', paymentType: 'prepaid' }, 15],
  [{ id: '0ffe0000-0000-4000-8000-000000000003', paymentType: 'postpaid' }, 12],
  [{ id: '0ffe0000-0000-4000-8000-000000000004', paymentType: 'postpaid' }, 20],
  [{ id: '0ffe0000-0000-4000-8000-000000000005', paymentType: 'postpaid' }, 15],
  [{ id: '0ffe0000-0000-4000-8000-000000000007', paymentType: 'postpaid' }, 13],
];
const FIBRE = new Set(['0ffe0000-0000-4000-8000-000000000005', '0ffe0000-0000-4000-8000-000000000007']);
const FALLOUT: Array<[string, number]> = [
  ['installationAddress: no fibre coverage at this address', 5],
  ['customer: the postpaid line limit of 5 is reached', 2],
  ['payment: the card was declined and not replaced in time', 3],
  ['network: activation refused by the HLR', 1],
];
const QUERY_TYPES: Array<[TicketType, number]> = [['billing', 45], ['technical', 35], ['sales', 12], ['marketing', 8]];
const SEVERITIES: Array<[Severity, number]> = [['critical', 5], ['major', 25], ['minor', 50], ['low', 20]];
const QUERY_CHANNELS: Array<[string, number]> = [['email', 35], ['phone', 30], ['web', 25], ['sms', 10]];
const QUERY_TEXTS: Record<TicketType, string[]> = {
  billing: ['My bill is higher than usual', 'I was charged twice', 'I do not understand a line of my bill'],
  technical: ['No data since this morning', 'My fibre drops every evening', 'Calls cut after a minute'],
  sales: ['Can I add a second line?', 'Is fibre available at my new address?'],
  marketing: ['Please stop the promotional SMS', 'Question about the summer offer'],
};

/** How many generated customers this database holds (a generation cut short is resumed from there). */
export async function generatedCustomers(knex: Knex): Promise<number> {
  const [{ count }] = await knex('crm_customer').whereRaw(`body->'characteristic' @> ?::jsonb`, [JSON.stringify([MARKER])]).count<{ count: string }[]>('* as count');
  return Number(count);
}

/** Writes the history; returns what it wrote. */
export async function generateHistory(knex: Knex, opts: HistoryOptions, onCustomer?: (done: number) => void): Promise<HistorySummary> {
  const rnd = seeded(opts.seed ?? 20261126);
  const clock = new ManualClock(opts.end);
  const ctx = () => ({ now: clock.now(), publicUrl: opts.publicUrl });
  const tickets = troubleTicketModel(clock);
  const interactions = partyInteractionModel(clock);
  const summary: HistorySummary = { customers: 0, churned: 0, orders: 0, queries: 0, interactions: 0 };
  const span = opts.months * 30 * DAY;
  const start = opts.end.getTime() - span;
  const at = (t: number) => {
    clock.set(new Date(Math.min(t, opts.end.getTime() - 1000)));
    return clock.now();
  };

  const baseSeed = opts.seed ?? 20261126;
  for (let i = 0; i < opts.customers; i++) {
    let completed: CompletedOrder | undefined;
    // The base grows: later months see more customers join.
    const joined = start + Math.sqrt(rnd.next()) * span;
    const name = `${rnd.pick(GIVEN.map((g) => [g, 1]))} ${rnd.pick(FAMILY.map((f) => [f, 1]))}`;
    const channel = rnd.pick(CHANNELS);
    const offering = rnd.pick(OFFERINGS);
    const customerId = randomUUID();
    const accountId = randomUUID();
    const party = [customerPartyRef(customerId)];
    await knex.transaction(async (trx) => {
      at(joined);
      await createTmfResourceOnce(trx, customerModel, customerId, {
        name,
        contactMedium: [
          { mediumType: 'email', preferred: true, characteristic: { contactType: 'email', emailAddress: `customer${i}@example.com` } },
          { mediumType: 'postalAddress', characteristic: { contactType: 'postalAddress', postCode: rnd.pick(POSTCODES), country: 'ES' } },
        ],
        characteristic: [{ name: 'acquisitionChannel', value: channel }, { name: 'preferredLanguage', value: rnd.chance(0.7) ? 'es' : 'en' }, MARKER],
      }, ctx());
      await createTmfResourceOnce(trx, billingAccountModel, accountId, {
        name: `${name} (${offering.paymentType})`,
        accountType: offering.paymentType,
        relatedParty: party,
        billStructure: { billCycleDay: 1, currency: 'EUR', timeZone: 'Europe/Madrid', paymentType: offering.paymentType },
      }, ctx());
      at(joined + rnd.between(1, 30) * 60_000);
      await patchTmfResource(trx, customerModel, customerId, { status: 'Approved' }, clock.now());

      // The first order: most complete, some fall out with a reason.
      const orderId = randomUUID();
      const orderedAt = joined + rnd.between(5, 60) * 60_000;
      at(orderedAt);
      await createTmfResourceOnce(trx, productOrderModel, orderId, {
        channel: [{ id: channel, name: channel }],
        relatedParty: party,
        billingAccount: { id: accountId },
        productOrderItem: [{ id: '1', action: 'add', state: 'acknowledged', productOffering: { id: offering.id } }],
      }, ctx());
      summary.orders++;
      const fallsOut = rnd.chance(0.08);
      if (fallsOut) {
        const reason = rnd.pick(FALLOUT);
        const rejected = reason.startsWith('installationAddress') || reason.startsWith('customer');
        if (!rejected) await patchTmfResource(trx, productOrderModel, orderId, { state: 'inProgress' }, at(orderedAt + rnd.between(1, 10) * 60_000));
        const state = rejected ? 'rejected' : 'failed';
        at(orderedAt + (rejected ? rnd.between(1, 5) * 60_000 : rnd.between(2, 72) * HOUR));
        await patchTmfResource(trx, productOrderModel, orderId, {
          state,
          completionDate: clock.now().toISOString(),
          note: [{ id: '1', author: 'order fulfilment', date: clock.now().toISOString(), text: `${state}: ${reason}` }],
        }, clock.now());
        at(clock.now().getTime() + 60_000);
        await patchTmfResource(trx, customerModel, customerId, { status: 'Closed' }, clock.now());
        return;
      }
      await patchTmfResource(trx, productOrderModel, orderId, { state: 'inProgress' }, at(orderedAt + rnd.between(1, 10) * 60_000));
      // Fibre waits for the installation visit; mobile lines are active within the hour.
      const leadTime = FIBRE.has(offering.id) ? rnd.between(2, 9) * DAY : rnd.between(0.1, 1.5) * HOUR;
      const completedAt = at(orderedAt + leadTime);
      await patchTmfResource(trx, productOrderModel, orderId, { state: 'completed', completionDate: completedAt.toISOString() }, completedAt);
      await patchTmfResource(trx, customerModel, customerId, { status: 'Active' }, completedAt);
      summary.customers++;
      for (const event of ['orderAcknowledged', 'orderCompleted']) {
        await createTmfResourceOnce(trx, interactions, randomUUID(), {
          description: `Order ${orderId}: ${event}`,
          reason: 'order',
          direction: 'outbound',
          channel: [{ id: rnd.chance(0.6) ? 'email' : 'sms', role: 'interaction channel' }],
          status: 'completed',
          interactionDate: { startDateTime: (event === 'orderAcknowledged' ? new Date(orderedAt) : completedAt).toISOString() },
          relatedParty: party,
          relatedEntity: [{ id: orderId, role: 'productOrder', '@referredType': 'ProductOrder' }],
        }, ctx());
        summary.interactions++;
      }

      // About 1.5 % leave each month.
      const leaves = completedAt.getTime() + (-Math.log(1 - rnd.next()) / 0.015) * 30 * DAY;
      const until = Math.min(leaves, opts.end.getTime());

      // Queries while a customer: about one a year each, answered mostly within their resolution time.
      let t = completedAt.getTime();
      for (;;) {
        t += rnd.between(20, 400) * DAY;
        if (t >= until) break;
        const type = rnd.pick(QUERY_TYPES);
        const severity = rnd.pick(SEVERITIES);
        const ticketId = randomUUID();
        at(t);
        const due = new Date(t + RESOLUTION_TIME_MS[severity]).toISOString();
        await createTmfResourceOnce(trx, tickets, ticketId, {
          description: rnd.pick(QUERY_TEXTS[type].map((d) => [d, 1])),
          ticketType: type,
          severity,
          channel: { name: rnd.pick(QUERY_CHANNELS) },
          relatedParty: party,
          expectedResolutionDate: due,
        }, ctx());
        summary.queries++;
        const resolvedAt = t + RESOLUTION_TIME_MS[severity] * rnd.between(0.1, rnd.chance(0.85) ? 0.95 : 2.5);
        if (resolvedAt < until) {
          await patchTmfResource(trx, tickets, ticketId, { status: 'inProgress' }, at(t + 0.05 * RESOLUTION_TIME_MS[severity]));
          await patchTmfResource(trx, tickets, ticketId, { status: 'resolved', statusChangeReason: 'Answered by our team.' }, at(resolvedAt));
          await createTmfResourceOnce(trx, interactions, randomUUID(), {
            description: `Answer to query ${ticketId}`,
            reason: 'troubleTicket',
            direction: 'outbound',
            channel: [{ id: rnd.chance(0.7) ? 'email' : 'sms', role: 'interaction channel' }],
            status: 'completed',
            interactionDate: { startDateTime: new Date(resolvedAt).toISOString() },
            relatedParty: party,
            relatedEntity: [{ id: ticketId, role: 'troubleTicket', '@referredType': 'TroubleTicket' }],
          }, ctx());
          summary.interactions++;
        }
      }

      if (leaves < opts.end.getTime()) {
        await patchTmfResource(trx, customerModel, customerId, { status: 'Closed' }, at(leaves));
        summary.churned++;
      }
      completed = {
        seed: (Math.imul(baseSeed, 31) + i) >>> 0,
        customerId,
        billingAccountId: accountId,
        orderId,
        offeringId: offering.id,
        paymentType: offering.paymentType,
        completedAt,
        ...(leaves < opts.end.getTime() ? { leftAt: new Date(leaves) } : {}),
        end: opts.end,
      };
    });
    if (completed && opts.afterOrder) await opts.afterOrder(completed);
    onCustomer?.(i + 1);
  }
  return summary;
}
