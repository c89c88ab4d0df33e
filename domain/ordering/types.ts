/**
 * What order validation and decomposition work on: the order's lines and the catalog as plain
 * values (read by activities), so that the rules are pure and testable with exact values.
 */
import type { Rating, UsageType } from '../rating';

export type PaymentType = 'prepaid' | 'postpaid';
export type ServiceKind = 'mobile' | 'ftth' | 'content';

/** A price of an offering, as the catalog holds it at `version`. Amounts are decimal strings. */
export interface PriceView {
  id: string;
  version: string;
  name: string;
  priceType: 'oneTime' | 'recurring' | 'usage' | 'discount';
  /** Net amount (oneTime, recurring). */
  amount?: string;
  currency?: string;
  /** VAT and the like, in percent ("21"). */
  taxRate: string;
  period?: { type: 'day' | 'month'; length: number };
  /** Discount in percent, and the prices it applies to. */
  percentage?: string;
  discounts?: string[];
  /** Usage prices: what they rate and the tariff (domain/rating), so a sold price can be rated later. */
  usageType?: UsageType;
  rating?: Rating;
}

/** An offering with its specification and prices; bundles carry their components. */
export interface OfferingView {
  id: string;
  version: string;
  name: string;
  lifecycleStatus: string;
  isSellable: boolean;
  isBundle: boolean;
  paymentType: PaymentType | 'any';
  serviceType?: ServiceKind | 'equipment' | 'fee';
  requiresInstallation: boolean;
  specificationId?: string;
  /** The specification's product number (e.g. CNT-VIDEO): the name the network knows it by. */
  specificationCode?: string;
  /** Fixed characteristic values of the specification (e.g. dataAllowance → "10"). */
  fixedCharacteristics: Record<string, string>;
  /** Characteristics the customer chooses, with their allowed values (first is the default). */
  choices: Record<string, string[]>;
  prices: PriceView[];
  /** Components of a bundle; undefined for an offering the catalog does not have. */
  bundled: Array<OfferingView | undefined>;
}

export interface InstallationPlace {
  street?: string;
  city?: string;
  postalCode?: string;
  country?: string;
}

/** One line of a product order. */
export interface OrderLine {
  itemId: string;
  action: string;
  offeringId: string;
  /** The existing product (TMF637) a modify or delete item names. */
  productId?: string;
  characteristics: Record<string, string>;
  place?: InstallationPlace;
}

/** What validation needs to know about the customer beyond the order itself. */
export interface OrderContext {
  customer?: { id: string; status: string };
  billingAccount?: { id: string; state: string; paymentType?: string; currency?: string; ownerCustomerId?: string };
  /** Postpaid mobile lines the customer already has or has on order. */
  postpaidMobileLines: number;
  /** A number the customer reserved at registration, if any. */
  reservedMsisdn?: string;
}

/** Business limits of the credit rule. */
export interface OrderPolicy {
  maxPostpaidMobileLines: number;
  /** Credit loaded onto a new prepaid line that has no recurring fee (pay-as-you-go). */
  defaultPrepaidCredit: string;
}

export const DEFAULT_ORDER_POLICY: OrderPolicy = { maxPostpaidMobileLines: 5, defaultPrepaidCredit: '10.00' };
