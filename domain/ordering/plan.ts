/**
 * Decomposition of a validated order: each line (a bundle into its components) becomes products,
 * each product the services that realise it (mobile, FTTH access, content entitlement) with the
 * resources they need, and the order's charges: what is collected before activation (prepaid
 * one-time fees, the first period of recurring fees, the first credit) and what goes to the next
 * bill (postpaid one-time fees).
 */
import { formatAmount, money, roundToCent, sum, taxOn } from '../money';
import { componentsOf } from './validate';
import type { InstallationPlace, OfferingView, OrderLine, OrderPolicy, PaymentType, PriceView, ServiceKind } from './types';

export interface PlannedService {
  /** Unique within the order: `<itemId>/<component index>`. */
  key: string;
  kind: ServiceKind;
  specificationId?: string;
  specificationCode?: string;
  requiresInstallation: boolean;
  /** The number asked for: an E.164 number, 'reserved' (the registration's reservation) or 'any'. */
  msisdn?: string;
  simType?: string;
  place?: InstallationPlace;
  /** Speeds (FTTH), entitlement (content), allowances: the specification's fixed values. */
  characteristics: Record<string, string>;
}

export interface SoldPrice {
  id: string;
  version: string;
  name: string;
  priceType: PriceView['priceType'];
  amount?: string;
  currency?: string;
  taxRate: string;
  period?: PriceView['period'];
  percentage?: string;
  discounts?: string[];
  /** Usage prices keep their tariff: offline charging rates postpaid usage with it. */
  usageType?: PriceView['usageType'];
  rating?: PriceView['rating'];
}

export interface PlannedProduct {
  key: string;
  itemId: string;
  offering: { id: string; version: string; name: string };
  /** The bundle this product was sold in, if any. */
  bundle?: { id: string; version: string; name: string };
  serviceType?: OfferingView['serviceType'];
  characteristics: Record<string, string>;
  prices: SoldPrice[];
  /** Keys of the services that realise it. */
  services: string[];
  /** A mobile plan's allowances per period (postpaid: per bill cycle), from its specification. */
  allowances?: PrepaidAllowances;
}

export interface ChargeLine {
  productKey: string;
  priceId: string;
  priceVersion: string;
  description: string;
  kind: 'oneTime' | 'firstPeriod' | 'prepaidCredit';
  net: string;
  taxRate: string;
  tax: string;
  gross: string;
  currency: string;
}

export interface PrepaidAllowances {
  /** Octets, seconds and events, as integer strings; absent = none; 'unlimited' = no cap. */
  dataOctets?: string;
  voiceSeconds?: string;
  smsEvents?: string;
  periodDays?: number;
}

export interface FulfilmentPlan {
  paymentType: PaymentType;
  products: PlannedProduct[];
  services: PlannedService[];
  /** Collected through the payment gateway before activation (prepaid). */
  upFront: ChargeLine[];
  upFrontTotal: string;
  /** Queued as one-time charges for the next bill (postpaid). */
  nextBill: ChargeLine[];
  /** The money credit each prepaid mobile service starts with, by service key. */
  prepaidCredit: Record<string, string>;
  /** Allowances each prepaid mobile service starts with, by service key. */
  prepaidAllowances: Record<string, PrepaidAllowances>;
  currency: string;
}

/** 1 GB of an allowance, in octets (binary, as handsets and most tariffs count it). */
const OCTETS_PER_GB = 1024n ** 3n;

/** A catalog price as it is sold (and kept on the product and the subscription). */
export function sold(price: PriceView): SoldPrice {
  const { id, version, name, priceType, amount, currency, taxRate, period, percentage, discounts, usageType, rating } = price;
  const usage = usageType === undefined ? {} : { usageType, rating };
  return { id, version, name, priceType, amount, currency, taxRate, period, percentage, discounts, ...usage };
}

/** One charge of a price: net, tax and gross, rounded to the cent. */
export function chargeLine(productKey: string, price: PriceView, kind: ChargeLine['kind'], currency: string): ChargeLine {
  const net = roundToCent(money(price.amount ?? '0'));
  const tax = taxOn(net, price.taxRate);
  return {
    productKey,
    priceId: price.id,
    priceVersion: price.version,
    description: price.name,
    kind,
    net: formatAmount(net),
    taxRate: price.taxRate,
    tax: formatAmount(tax),
    gross: formatAmount(net.plus(tax)),
    currency: price.currency ?? currency,
  };
}

/** A mobile specification's allowances (GB, minutes, SMS) in octets, seconds and events. */
export function allowancesOf(fixed: Record<string, string>): PrepaidAllowances {
  const amount = (name: string, factor: bigint): string | undefined => {
    const value = fixed[name];
    if (value === undefined) return undefined;
    if (value === 'unlimited') return 'unlimited';
    return (BigInt(value) * factor).toString();
  };
  return {
    dataOctets: amount('dataAllowance', OCTETS_PER_GB),
    voiceSeconds: amount('voiceAllowance', 60n),
    smsEvents: amount('smsAllowance', 1n),
    periodDays: fixed.allowancePeriod ? Number(fixed.allowancePeriod) : undefined,
  };
}

/** The plan of a valid order (run validateOrder first: this assumes its rules hold). */
export function planOrder(
  lines: OrderLine[],
  offerings: ReadonlyMap<string, OfferingView | undefined>,
  account: { paymentType: PaymentType; currency: string },
  opts: { hasReservedMsisdn: boolean; policy: OrderPolicy },
): FulfilmentPlan {
  const products: PlannedProduct[] = [];
  const services: PlannedService[] = [];
  const upFront: ChargeLine[] = [];
  const nextBill: ChargeLine[] = [];
  const prepaidCredit: Record<string, string> = {};
  const prepaidAllowances: Record<string, PrepaidAllowances> = {};
  const prepaid = account.paymentType === 'prepaid';
  let reservationUsed = !opts.hasReservedMsisdn;

  for (const line of lines) {
    const offering = offerings.get(line.offeringId)!;
    const bundle = offering.isBundle ? { id: offering.id, version: offering.version, name: offering.name } : undefined;
    if (bundle) {
      products.push({
        key: line.itemId,
        itemId: line.itemId,
        offering: bundle,
        characteristics: {},
        prices: offering.prices.map(sold),
        services: [],
      });
    }
    componentsOf(offering).forEach((component, index) => {
      const key = bundle ? `${line.itemId}/${index + 1}` : line.itemId;
      const product: PlannedProduct = {
        key,
        itemId: line.itemId,
        offering: { id: component.id, version: component.version, name: component.name },
        bundle,
        serviceType: component.serviceType,
        characteristics: { ...Object.fromEntries(Object.entries(component.choices).map(([n, values]) => [n, values[0]])), ...line.characteristics },
        prices: component.prices.map(sold),
        services: [],
      };
      products.push(product);

      const kind = component.serviceType;
      if (kind === 'mobile' || kind === 'ftth' || kind === 'content') {
        const service: PlannedService = {
          key,
          kind,
          specificationId: component.specificationId,
          specificationCode: component.specificationCode,
          requiresInstallation: component.requiresInstallation,
          characteristics: { ...component.fixedCharacteristics },
        };
        if (kind === 'mobile') {
          const asked = line.characteristics.msisdn;
          if (asked) service.msisdn = asked;
          else if (!reservationUsed) {
            service.msisdn = 'reserved';
            reservationUsed = true;
          } else service.msisdn = 'any';
          service.simType = product.characteristics.simType ?? 'physical';
        }
        if (component.requiresInstallation) service.place = line.place;
        services.push(service);
        product.services.push(key);
        if (kind === 'mobile') product.allowances = allowancesOf(component.fixedCharacteristics);
        if (prepaid && kind === 'mobile') prepaidAllowances[key] = allowancesOf(component.fixedCharacteristics);
      }

      for (const price of component.prices) {
        if (price.priceType === 'oneTime') (prepaid ? upFront : nextBill).push(chargeLine(key, price, 'oneTime', account.currency));
        if (price.priceType === 'recurring' && prepaid) upFront.push(chargeLine(key, price, 'firstPeriod', account.currency));
      }
      if (prepaid && kind === 'mobile') {
        const hasFee = component.prices.some((p) => p.priceType === 'recurring');
        const credit = line.characteristics.initialCredit ?? (hasFee ? undefined : opts.policy.defaultPrepaidCredit);
        if (credit) {
          prepaidCredit[key] = formatAmount(money(credit));
          // Credit is money the customer keeps: no tax until it is spent.
          upFront.push({ productKey: key, priceId: '', priceVersion: '', description: 'Prepaid credit', kind: 'prepaidCredit', net: formatAmount(money(credit)), taxRate: '0', tax: '0.00', gross: formatAmount(money(credit)), currency: account.currency });
        }
      }
    });
  }

  return {
    paymentType: account.paymentType,
    products,
    services,
    upFront,
    upFrontTotal: formatAmount(sum(upFront.map((c) => money(c.gross)))),
    nextBill,
    prepaidCredit,
    prepaidAllowances,
    currency: account.currency,
  };
}
