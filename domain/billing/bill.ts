/**
 * The bill of one account for one closed cycle, computed from what the cycle holds: recurring
 * fees prorated by day, the bundle discount, rated usage beyond the allowances, one-time charges,
 * tax per line, and the account's previous balance, payments and adjustments. Pure and exact:
 * every line is rounded half up to the cent on its own, and totals are sums of rounded lines (the
 * tax total is the sum of the line taxes, as printed, not the tax of the summed nets).
 */
import { formatAmount, money, roundToCent, sum, taxOn, type Money } from '../money';
import type { SoldPrice } from '../ordering/plan';
import { addDays, type BillCycle } from './cycle';
import { activeSpan, proratedFee } from './proration';

/** A postpaid subscription as billing stores it (billing_subscription). */
export interface BillableSubscription {
  id: string;
  orderId: string;
  productKey: string;
  productId?: string | null;
  offeringId: string;
  /** Calendar date the subscription started (billed from this day). */
  startDate: string;
  /** First day no longer billed (exclusive); null while it runs. */
  endDate?: string | null;
  status: 'active' | 'suspended' | 'terminated' | 'voided';
  prices: SoldPrice[];
}

/** A one-time fee queued for the next bill (billing_one_time_charge, status pending). */
export interface PendingCharge {
  id: string;
  productKey: string;
  priceId: string;
  description: string;
  net: string;
  tax: string;
  taxRate: string;
  currency: string;
}

/** Rated usage summed per subscription, type, band and price, as the bill run reads it (db/usage-billing). */
export interface RatedUsage {
  subscriptionId: string | null;
  msisdn: string | null;
  usageType: 'voice' | 'sms' | 'data';
  band: string;
  priceId: string;
  records: number;
  quantity: string;
  /** 6 decimals, before tax. */
  amount: string;
  currency: string;
}

/** A ledger entry of the period (payments, refunds, adjustments; bills are ignored). */
export interface PeriodEntry {
  kind: 'bill' | 'payment' | 'refund' | 'adjustment';
  /** Signed: positive adds to what the account owes. */
  amount: string;
}

export type BillLineKind = 'recurring' | 'discount' | 'usage' | 'oneTime';

/** One line of the bill (a TMF678 appliedCustomerBillingRate). */
export interface BillLine {
  kind: BillLineKind;
  /** Price name, or the one-time charge's description. */
  description: string;
  subscriptionId?: string;
  productId?: string;
  priceId?: string;
  /** The one-time charge this line bills. */
  oneTimeChargeId?: string;
  /** Days billed, exclusive end. */
  periodStart: string;
  periodEnd: string;
  /** Recurring and discount lines: days billed of the cycle's days. */
  days?: number;
  cycleDays?: number;
  /** Discount lines: percent off. */
  percentage?: string;
  usage?: { usageType: RatedUsage['usageType']; band: string; records: number; quantity: string; msisdn: string | null };
  net: string;
  taxRate: string;
  tax: string;
  gross: string;
}

/** Tax of the bill at one rate: the sums of the lines at that rate. */
export interface TaxAtRate {
  taxRate: string;
  net: string;
  tax: string;
}

export interface BillTotals {
  /** Charges of the period before tax. */
  net: string;
  tax: string;
  /** Charges of the period, taxes included. */
  charges: string;
  previousBalance: string;
  /** Payments less refunds of the period (negative: money received). */
  payments: string;
  adjustments: string;
  /** previous balance + payments + adjustments + charges; negative is a credit carried forward. */
  amountDue: string;
}

export interface ComputedBill {
  lines: BillLine[];
  taxes: TaxAtRate[];
  totals: BillTotals;
  dueDate: string;
}

export interface BillInput {
  cycle: BillCycle;
  currency: string;
  subscriptions: BillableSubscription[];
  oneTimeCharges: PendingCharge[];
  usage: RatedUsage[];
  previousBalance: string;
  periodEntries: PeriodEntry[];
  issueDate: string;
  /** Days from issue to the due date. */
  dueDays: number;
  /** Tax rate for usage whose price is not among the account's sold prices (percent). */
  defaultTaxRate: string;
}

/** A rate as written once, whatever its source spelled ("21", "21.000" → "21"). */
const normalRate = (rate: string | number): string => money(rate).toString();

function line(fields: Omit<BillLine, 'tax' | 'gross' | 'net' | 'taxRate'>, net: Money, taxRate: string, tax: Money = taxOn(net, taxRate)): BillLine {
  return { ...fields, net: formatAmount(net), taxRate: normalRate(taxRate), tax: formatAmount(tax), gross: formatAmount(net.plus(tax)) };
}

/** Subscriptions that count for a cycle: never voided ones; terminated ones only with an end date. */
function isBillable(s: BillableSubscription): boolean {
  if (s.status === 'voided') return false;
  if (s.status === 'terminated' && !s.endDate) return false;
  return true;
}

/** Recurring fees of one subscription, and the bundle discount its bundle grants on them. */
function recurringLines(cycle: BillCycle, sub: BillableSubscription, discounts: BundleDiscount[]): BillLine[] {
  const span = activeSpan(cycle, sub.startDate, sub.endDate);
  if (!span) return [];
  const lines: BillLine[] = [];
  for (const price of sub.prices) {
    if (price.priceType !== 'recurring' || price.amount === undefined) continue;
    const net = proratedFee(money(price.amount), price.period ?? { type: 'month', length: 1 }, span);
    const common = { subscriptionId: sub.id, ...(sub.productId ? { productId: sub.productId } : {}), periodStart: span.from, periodEnd: span.to, days: span.days, cycleDays: span.cycleDays };
    lines.push(line({ kind: 'recurring', description: price.name, priceId: price.id, ...common }, net, price.taxRate));
    for (const d of discounts) {
      if (!d.appliesTo(sub, price.id)) continue;
      // Off the line as billed (prorated and rounded), at the rate of the fee it reduces.
      const off = roundToCent(net.times(d.percentage).dividedBy(100)).negated();
      lines.push(line({ kind: 'discount', description: d.name, priceId: d.priceId, percentage: d.percentage.toString(), ...common }, off, price.taxRate));
    }
  }
  return lines;
}

interface BundleDiscount {
  name: string;
  priceId: string;
  percentage: Money;
  appliesTo(sub: BillableSubscription, priceId: string): boolean;
}

/**
 * Discounts sold with bundles: the bundle's own subscription carries the discount price, its
 * components are the subscriptions of the same order keyed `<bundle key>/<n>`.
 */
function bundleDiscounts(subs: BillableSubscription[]): BundleDiscount[] {
  return subs.flatMap((bundle) =>
    bundle.prices
      .filter((p) => p.priceType === 'discount' && p.percentage !== undefined)
      .map((p) => ({
        name: p.name,
        priceId: p.id,
        percentage: money(p.percentage!),
        appliesTo: (sub: BillableSubscription, priceId: string) =>
          sub.orderId === bundle.orderId && sub.productKey.startsWith(`${bundle.productKey}/`) && (p.discounts ?? []).includes(priceId),
      })),
  );
}

/** Usage lines, one per summed usage row; a row worth less than half a cent is not billed. */
function usageLines(cycle: BillCycle, usage: RatedUsage[], subs: BillableSubscription[], defaultTaxRate: string): BillLine[] {
  const rateOf = (u: RatedUsage): string => {
    const own = subs.find((s) => s.id === u.subscriptionId)?.prices.find((p) => p.id === u.priceId);
    const any = own ?? subs.flatMap((s) => s.prices).find((p) => p.id === u.priceId);
    return any?.taxRate ?? defaultTaxRate;
  };
  return usage
    .map((u) => {
      const sub = subs.find((s) => s.id === u.subscriptionId);
      return line(
        {
          kind: 'usage',
          description: `${u.usageType} ${u.band}`,
          ...(u.subscriptionId ? { subscriptionId: u.subscriptionId } : {}),
          ...(sub?.productId ? { productId: sub.productId } : {}),
          priceId: u.priceId,
          periodStart: cycle.start,
          periodEnd: cycle.end,
          usage: { usageType: u.usageType, band: u.band, records: u.records, quantity: u.quantity, msisdn: u.msisdn },
        },
        roundToCent(money(u.amount)),
        rateOf(u),
      );
    })
    .filter((l) => !money(l.net).isZero());
}

/** One-time charges as queued: their net and tax were fixed, per line, when they were sold. */
function oneTimeLines(cycle: BillCycle, charges: PendingCharge[], subs: BillableSubscription[]): BillLine[] {
  return charges.map((c) => {
    const sub = subs.find((s) => s.productKey === c.productKey);
    return line(
      {
        kind: 'oneTime',
        description: c.description,
        oneTimeChargeId: c.id,
        priceId: c.priceId,
        ...(sub ? { subscriptionId: sub.id } : {}),
        ...(sub?.productId ? { productId: sub.productId } : {}),
        periodStart: cycle.start,
        periodEnd: cycle.end,
      },
      money(c.net),
      c.taxRate,
      money(c.tax),
    );
  });
}

/** The tax of the bill per rate, lowest rate first. */
export function taxesByRate(lines: BillLine[]): TaxAtRate[] {
  const rates = [...new Set(lines.map((l) => l.taxRate))].sort((a, b) => money(a).comparedTo(money(b)));
  return rates.map((taxRate) => {
    const at = lines.filter((l) => l.taxRate === taxRate);
    return { taxRate, net: formatAmount(sum(at.map((l) => money(l.net)))), tax: formatAmount(sum(at.map((l) => money(l.tax)))) };
  });
}

/** Computes the bill of a closed cycle. */
export function computeBill(input: BillInput): ComputedBill {
  const subs = input.subscriptions.filter(isBillable).sort((a, b) => a.startDate.localeCompare(b.startDate) || a.productKey.localeCompare(b.productKey) || a.id.localeCompare(b.id));
  const discounts = bundleDiscounts(subs);
  const lines = [
    ...subs.flatMap((s) => recurringLines(input.cycle, s, discounts)),
    ...usageLines(input.cycle, input.usage, subs, input.defaultTaxRate),
    ...oneTimeLines(input.cycle, input.oneTimeCharges, subs),
  ];
  const net = sum(lines.map((l) => money(l.net)));
  const tax = sum(lines.map((l) => money(l.tax)));
  const charges = net.plus(tax);
  const entries = input.periodEntries;
  const payments = sum(entries.filter((e) => e.kind === 'payment' || e.kind === 'refund').map((e) => money(e.amount)));
  const adjustments = sum(entries.filter((e) => e.kind === 'adjustment').map((e) => money(e.amount)));
  const previousBalance = money(input.previousBalance);
  return {
    lines,
    taxes: taxesByRate(lines),
    totals: {
      net: formatAmount(net),
      tax: formatAmount(tax),
      charges: formatAmount(charges),
      previousBalance: formatAmount(previousBalance),
      payments: formatAmount(payments),
      adjustments: formatAmount(adjustments),
      amountDue: formatAmount(previousBalance.plus(payments).plus(adjustments).plus(charges)),
    },
    dueDate: addDays(input.issueDate, input.dueDays),
  };
}
