/**
 * Change orders: TMF622 items that `modify` (a plan change) or `delete` (a termination) a product
 * the customer already has (TMF637, named by `product.id`). Pure: the order's lines, the products
 * and the catalog come in as plain values; out come the reasons to reject, or the plan to fulfil.
 *
 * Rules (see README, "Changing and ending products"):
 * - An order either adds products or changes existing ones: mixing `add` with `modify`/`delete`
 *   is rejected (the two have different fulfilment and compensation); `noChange` items are ignored.
 * - The product must exist, belong to the order's customer and billing account, and be active
 *   (a suspended one is in dunning, which owns it until it is paid or terminated). Each product at most once per order, and in
 *   no other open change order.
 * - A plan change moves a mobile line to another launched, sellable, non-bundle mobile offering
 *   of the account's payment type. Bundles and their components are changed as a whole, which is
 *   not offered yet: such items are rejected.
 * - Prepaid: the new plan's recurring fee for its first period is collected up front (as a new
 *   line's is); the old plan's allowances end at the change, the money balance stays.
 */
import { formatAmount, money, sum } from '../money';
import { allowancesOf, chargeLine, sold, type ChargeLine, type PrepaidAllowances, type SoldPrice } from './plan';
import type { OfferingView, OrderContext, OrderLine, PaymentType } from './types';
import { partyProblems, throwIfBadOffering } from './validate';

/** A product in the inventory as a change order needs to know it. */
export interface ExistingProduct {
  id: string;
  status: string;
  customerId?: string;
  /** The billing account of the order that created it. */
  billingAccountId?: string;
  offering: { id: string; version: string; name: string };
  /** A bundle, or a component sold in one. */
  bundled: boolean;
  /** Another order still open that modifies or deletes it. */
  openChangeOrderId?: string;
}

/** A plan change of one product. */
export interface ModifyItem {
  action: 'modify';
  itemId: string;
  productId: string;
  from: { id: string; version: string; name: string };
  to: { id: string; version: string; name: string };
  prices: SoldPrice[];
  /** The new plan's fixed characteristics (speeds, allowances) for the network and the product. */
  characteristics: Record<string, string>;
  /** The new plan's allowances (per bill cycle postpaid, per period prepaid). */
  allowances: PrepaidAllowances;
}

/** The termination of one product. */
export interface DeleteItem {
  action: 'delete';
  itemId: string;
  productId: string;
  offering: { id: string; version: string; name: string };
}

export type ChangeItem = ModifyItem | DeleteItem;

export interface ChangePlan {
  paymentType: PaymentType;
  currency: string;
  items: ChangeItem[];
  /** Collected before the change (prepaid: the new plan's first period). */
  upFront: ChargeLine[];
  upFrontTotal: string;
}

/** Actions that change an existing product. */
export const CHANGE_ACTIONS = ['modify', 'delete'] as const;

/** True when the order's items change existing products (the change path), false when they add. */
export const isChangeOrder = (lines: OrderLine[]) => lines.some((l) => (CHANGE_ACTIONS as readonly string[]).includes(l.action));

/** Reasons a change order cannot be fulfilled; empty when it can. */
export function validateChangeOrder(
  lines: OrderLine[],
  products: ReadonlyMap<string, ExistingProduct | undefined>,
  offerings: ReadonlyMap<string, OfferingView | undefined>,
  ctx: OrderContext,
): string[] {
  const { reasons, paymentType } = partyProblems(ctx);
  const adds = lines.filter((l) => l.action === 'add').map((l) => l.itemId);
  if (adds.length) {
    reasons.push(`an order either adds products or changes existing ones: item${adds.length > 1 ? 's' : ''} ${adds.join(', ')} add${adds.length > 1 ? '' : 's'}; place them in a separate order`);
  }
  const changes = lines.filter((l) => (CHANGE_ACTIONS as readonly string[]).includes(l.action));
  const seen = new Set<string>();
  for (const line of changes) {
    const at = `item ${line.itemId}`;
    const productId = line.productId ?? '';
    if (seen.has(productId)) reasons.push(`${at}: product ${productId} is named by more than one item`);
    seen.add(productId);
    const product = products.get(productId);
    if (!product) {
      reasons.push(`${at}: product ${productId} does not exist`);
      continue;
    }
    if (ctx.customer && product.customerId !== ctx.customer.id) {
      reasons.push(`${at}: product ${productId} belongs to another customer`);
      continue;
    }
    if (ctx.billingAccount && product.billingAccountId !== ctx.billingAccount.id) reasons.push(`${at}: product ${productId} is billed to another billing account`);
    // A suspended product is in dunning: the billing cycle resumes or terminates it (and would
    // resume a line an order had removed), so an order waits until it is active again.
    if (product.status !== 'active') reasons.push(`${at}: product ${productId} is ${product.status}, not active`);
    if (product.openChangeOrderId) reasons.push(`${at}: product ${productId} is being changed by order ${product.openChangeOrderId}; wait until that order ends`);
    if (product.bundled) reasons.push(`${at}: product ${productId} (${product.offering.name}) is part of a bundle; a bundle is changed as a whole, which is not offered yet`);
    if (line.action === 'modify') reasons.push(...modifyProblems(line, product, offerings, paymentType));
  }
  return [...new Set(reasons)];
}

function modifyProblems(line: OrderLine, product: ExistingProduct, offerings: ReadonlyMap<string, OfferingView | undefined>, paymentType: PaymentType | undefined): string[] {
  const at = `item ${line.itemId}`;
  const problems: string[] = [];
  if (!line.offeringId) return [`${at}: a plan change names the new product offering`];
  const offering = offerings.get(line.offeringId);
  if (!throwIfBadOffering(line, offering, problems)) return problems;
  const current = offerings.get(product.offering.id);
  if (offering.id === product.offering.id) problems.push(`${at}: product ${product.id} is already on ${offering.name}`);
  if (offering.isBundle) problems.push(`${at}: a plan change to a bundle (${offering.name}) is not offered`);
  if (paymentType && offering.paymentType !== 'any' && offering.paymentType !== paymentType) {
    problems.push(`${at}: ${offering.name} is ${offering.paymentType}, the billing account is ${paymentType}`);
  }
  const from = current?.serviceType;
  if (from !== offering.serviceType) problems.push(`${at}: ${offering.name} is a ${offering.serviceType ?? 'different'} service, product ${product.id} is a ${from ?? 'different'} service`);
  else if (from !== 'mobile') problems.push(`${at}: plan changes are offered for mobile lines only, not ${from ?? 'this'} service`);
  return problems;
}

/** The plan of a valid change order (run validateChangeOrder first: this assumes its rules hold). */
export function planChangeOrder(
  lines: OrderLine[],
  products: ReadonlyMap<string, ExistingProduct | undefined>,
  offerings: ReadonlyMap<string, OfferingView | undefined>,
  account: { paymentType: PaymentType; currency: string },
): ChangePlan {
  const items: ChangeItem[] = [];
  const upFront: ChargeLine[] = [];
  for (const line of lines) {
    if (line.action !== 'modify' && line.action !== 'delete') continue;
    const product = products.get(line.productId!)!;
    if (line.action === 'delete') {
      items.push({ action: 'delete', itemId: line.itemId, productId: product.id, offering: product.offering });
      continue;
    }
    const offering = offerings.get(line.offeringId)!;
    items.push({
      action: 'modify',
      itemId: line.itemId,
      productId: product.id,
      from: product.offering,
      to: { id: offering.id, version: offering.version, name: offering.name },
      prices: offering.prices.map(sold),
      characteristics: { ...offering.fixedCharacteristics },
      allowances: allowancesOf(offering.fixedCharacteristics),
    });
    if (account.paymentType === 'prepaid') {
      for (const price of offering.prices) if (price.priceType === 'recurring') upFront.push(chargeLine(line.itemId, price, 'firstPeriod', account.currency));
    }
  }
  return {
    paymentType: account.paymentType,
    currency: account.currency,
    items,
    upFront,
    upFrontTotal: formatAmount(sum(upFront.map((c) => money(c.gross)))),
  };
}
