/**
 * The money of a generated prepaid order: its products, the charging account, number and buckets
 * the order opens (the order's charging activity), a card on file, top-ups as TMF654 takes them
 * (by card through the top-up workflow's steps, by voucher at once) whenever the balance runs
 * low, and the line's calls, messages and data sessions charged by the OCS charging engine at
 * the moment they happen, so that balances and the ledger are the engine's own and reconcile.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Principal } from '../../api/auth';
import { createTopup } from '../../api/prepay-topup';
import { DEFAULT_LOW_BALANCE_THRESHOLD } from '../../activities/prepay';
import { moneyBalanceOfAccount } from '../../db/prepay-balance';
import { disarmLowBalance } from '../../db/prepay-housekeeping';
import { insertVoucher } from '../../db/prepay-vouchers';
import { insertPaymentMethod } from '../../db/registrations';
import type { CompletedOrder } from '../../db/seeds/history';
import { money } from '../../domain/money';
import { RESULT, type ChargingRequest } from '../../ocs/engine';
import type { MoneyContext } from './context';
import { createActiveProducts } from './plan';
import { destination, instantsBetween, whole, type Random } from './random';
import { addMoney } from './summary';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MB = 1_048_576;
const RATING_GROUP = { voice: 100, sms: 200, data: 300 } as const;
/** Top-ups are made by the operator's own channel: staff rights, any account. */
const OPERATOR: Principal = { subject: 'generated-history', roles: ['admin'] };
/** A balance below this is topped up at the next look. */
const LOW_BALANCE = money('6');
const TOPUP_AMOUNTS: Array<[string, number]> = [['10', 35], ['15', 20], ['20', 25], ['25', 8], ['30', 7], ['50', 5]];
const VOUCHER_VALUES: Array<[string, number]> = [['5', 20], ['10', 40], ['15', 15], ['20', 20], ['25', 5]];

type Usage = { at: number; kind: 'voice' | 'sms' | 'data' | 'look' };

/** Tops the account up by card (charge, then credit, as prepaidTopUp does) or by a voucher bought for the purpose. */
async function topUp(ctx: MoneyContext, order: CompletedOrder, cardId: string, rnd: Random): Promise<void> {
  const { clock, summary } = ctx;
  const now = clock.now();
  const partyAccount = { id: order.billingAccountId };
  if (rnd.chance(0.7)) {
    const amount = rnd.pick(TOPUP_AMOUNTS);
    const { cardTopUp } = await createTopup(ctx.prepay, OPERATOR, { partyAccount, amount: { amount, units: 'EUR' }, paymentMethod: { id: cardId } }, now);
    if (!cardTopUp) throw new Error(`top-up of ${order.billingAccountId} found no money bucket`);
    const charge = await ctx.topUps.chargeTopUpCard(cardTopUp);
    if (charge.status !== 'captured') throw new Error(`top-up card of ${order.customerId} declined: ${charge.reason}`);
    await ctx.topUps.creditTopUp(cardTopUp);
    summary.cardTopups++;
    addMoney(summary, 'toppedUp', amount);
  } else {
    const value = rnd.pick(VOUCHER_VALUES);
    const code = randomBytes(8).toString('hex').toUpperCase();
    await insertVoucher(ctx.knex, { code, serial: `H-${randomUUID()}`, value, currency: 'EUR', expiresAt: new Date(now.getTime() + 365 * DAY), now });
    const { doc } = await createTopup(ctx.prepay, OPERATOR, { partyAccount, voucher: code }, now);
    if (doc.status !== 'completed') throw new Error(`voucher top-up of ${order.billingAccountId} is ${String(doc.status)}`);
    summary.voucherTopups++;
    addMoney(summary, 'toppedUp', value);
  }
  summary.topups++;
}

/** Charges one use of the line: a call or a data session (initial, then termination with what was used), or an SMS (an event). */
async function use(ctx: MoneyContext, msisdn: string, session: string, u: Usage & { kind: 'voice' | 'sms' | 'data' }, until: number, rnd: Random): Promise<void> {
  const { clock, engine, summary } = ctx;
  const ratingGroup = RATING_GROUP[u.kind];
  const base = { sessionId: session, subscriber: { msisdn } };
  const charge = async (request: ChargingRequest) => {
    clock.set(request.eventTime);
    summary.chargingRequests++;
    const answer = await engine.charge(request);
    const unit = answer.units[0];
    if (answer.resultCode !== RESULT.SUCCESS || unit?.resultCode !== RESULT.SUCCESS) {
      summary.refusedRequests++;
      return undefined;
    }
    return unit;
  };
  const at = new Date(u.at);
  if (u.kind === 'sms') {
    await charge({ ...base, requestNumber: 0, type: 'event', eventTime: at, destination: destination(rnd, 0.08), units: [{ ratingGroup, requested: { quantity: '1' } }] });
    return;
  }
  const wanted = u.kind === 'voice' ? whole(rnd, 15, 540) : whole(rnd, 10, 600) * MB;
  const to = u.kind === 'voice' ? destination(rnd, 0.04) : undefined;
  const granted = await charge({ ...base, requestNumber: 0, type: 'initial', eventTime: at, ...(to ? { destination: to } : {}), units: [{ ratingGroup, requested: { quantity: String(wanted) } }] });
  if (!granted?.granted) return;
  // The line stops at what was granted (the last units the balance pays for).
  const used = Math.min(wanted, Number(granted.granted.quantity));
  // Within the grant's validity (10 minutes), and before the line's history ends.
  const seconds = u.kind === 'voice' ? used : whole(rnd, 30, 540);
  await charge({ ...base, requestNumber: 1, type: 'termination', eventTime: new Date(Math.min(u.at + seconds * 1000, until - 1)), ...(to ? { destination: to } : {}), units: [{ ratingGroup, used: { quantity: String(used) } }] });
}

/** Writes the prepaid money of a completed order. */
export async function writePrepaidMoney(ctx: MoneyContext, order: CompletedOrder, rnd: Random): Promise<void> {
  const { knex, clock, summary } = ctx;
  const until = order.leftAt?.getTime() ?? order.end.getTime();
  clock.set(order.completedAt);
  // Plans with a fee start with the credit the customer chose; pay-as-you-go with the default.
  const characteristics = rnd.chance(0.5) ? { initialCredit: rnd.pick([['5', 1], ['10', 2], ['20', 1]]) } : undefined;
  const plan = await ctx.planOrder(order.offeringId, 'prepaid', characteristics);
  const productIds = await createActiveProducts(knex, { orderId: order.orderId, customerId: order.customerId, plan, now: order.completedAt, publicUrl: ctx.publicUrl });
  const service = plan.services.find((s) => s.kind === 'mobile')!;
  const line = ctx.nextLine();
  const credit = plan.prepaidCredit[service.key] ?? '5.00';
  const { chargingAccountId } = await ctx.charging.openPrepaidCharging({
    orderId: order.orderId,
    customerId: order.customerId,
    billingAccountId: order.billingAccountId,
    currency: 'EUR',
    lines: [{ serviceKey: service.key, msisdn: line.msisdn, imsi: line.imsi, productId: productIds[service.key], credit, allowances: plan.prepaidAllowances[service.key] ?? {} }],
  });
  summary.prepaidAccounts++;
  addMoney(summary, 'initialCredit', credit);
  const cardId = randomUUID();
  const last4 = String(whole(rnd, 1000, 9999));
  await insertPaymentMethod(knex, {
    id: cardId,
    type: 'card',
    holderName: `Customer ${order.customerId.slice(0, 8)}`,
    gatewayToken: `tok_sim_${last4}_${randomBytes(12).toString('hex')}`,
    brand: 'visa',
    last4,
    expiryMonth: whole(rnd, 1, 12),
    expiryYear: 2029,
  }, { customerId: order.customerId });

  // Month by month: a look at the balance (topped up when low) now and then, and the line's use.
  const heavy = rnd.between(0.5, 1.6);
  let sessions = 0;
  for (let from = order.completedAt.getTime() + HOUR; from < until; from += 30 * DAY) {
    const to = Math.min(from + 30 * DAY, until);
    const share = (to - from) / (30 * DAY);
    const uses: Usage[] = [
      ...instantsBetween(rnd, 2, from, to).map((at) => ({ at, kind: 'look' as const })),
      ...instantsBetween(rnd, Math.round(share * heavy * whole(rnd, 2, 6)), from, to).map((at) => ({ at, kind: 'voice' as const })),
      ...instantsBetween(rnd, Math.round(share * heavy * whole(rnd, 1, 5)), from, to).map((at) => ({ at, kind: 'sms' as const })),
      ...instantsBetween(rnd, Math.round(share * heavy * whole(rnd, 1, 3)), from, to).map((at) => ({ at, kind: 'data' as const })),
    ].sort((a, b) => a.at - b.at);
    for (const u of uses) {
      if (u.kind === 'look') {
        clock.set(new Date(u.at));
        if (money(await moneyBalanceOfAccount(knex, chargingAccountId, clock.now())).lt(LOW_BALANCE)) await topUp(ctx, order, cardId, rnd);
      } else {
        await use(ctx, line.msisdn, `history:${chargingAccountId}:${sessions++}`, u as Usage & { kind: 'voice' | 'sms' | 'data' }, until, rnd);
      }
    }
  }
  const balance = await moneyBalanceOfAccount(knex, chargingAccountId, order.end);
  addMoney(summary, 'prepaidBalance', balance);
  // A balance that ends below the low-balance threshold crossed it in the past: the notice counts
  // as given then, so that prepay housekeeping does not tell a made-up customer about it now.
  if (money(balance).lt(DEFAULT_LOW_BALANCE_THRESHOLD)) await disarmLowBalance(knex, chargingAccountId, 0, balance, order.end, DEFAULT_LOW_BALANCE_THRESHOLD);
}
