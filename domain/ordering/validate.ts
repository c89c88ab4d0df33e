/**
 * Order validation: completeness and correctness before any side effect. Every problem found is
 * a reason in plain words; an empty list means the order may go ahead.
 */
import { money } from '../money';
import type { OfferingView, OrderContext, OrderLine, OrderPolicy, PaymentType } from './types';

const E164 = /^\+[1-9]\d{6,14}$/;

/** The sellable offerings of a line: the offering itself, or a bundle's components. */
export function componentsOf(offering: OfferingView): OfferingView[] {
  return offering.isBundle ? offering.bundled.filter((c): c is OfferingView => c !== undefined) : [offering];
}

/** Pushes why the line's offering cannot be sold (unknown, not launched, not sellable, broken bundle); false when it does not exist. */
export function throwIfBadOffering(line: OrderLine, offering: OfferingView | undefined, reasons: string[]): offering is OfferingView {
  const at = `item ${line.itemId}`;
  if (!offering) {
    reasons.push(`${at}: product offering ${line.offeringId} does not exist`);
    return false;
  }
  if (offering.lifecycleStatus !== 'Launched') reasons.push(`${at}: ${offering.name} is ${offering.lifecycleStatus}, not launched`);
  if (!offering.isSellable) reasons.push(`${at}: ${offering.name} is not sold on its own`);
  if (offering.isBundle) {
    if (offering.bundled.length === 0) reasons.push(`${at}: bundle ${offering.name} has no components`);
    offering.bundled.forEach((component, i) => {
      if (!component) reasons.push(`${at}: component ${i + 1} of bundle ${offering.name} does not exist`);
      else if (component.lifecycleStatus !== 'Launched') reasons.push(`${at}: ${component.name} in bundle ${offering.name} is ${component.lifecycleStatus}, not launched`);
    });
  }
  return true;
}

function characteristicProblems(line: OrderLine, component: OfferingView, ctx: OrderContext, prepaid: boolean): string[] {
  const at = `item ${line.itemId}`;
  const problems: string[] = [];
  for (const [name, allowed] of Object.entries(component.choices)) {
    const value = line.characteristics[name];
    if (value !== undefined && !allowed.includes(value)) problems.push(`${at}: ${name} must be one of ${allowed.join(', ')}`);
  }
  if (component.serviceType === 'mobile') {
    const msisdn = line.characteristics.msisdn;
    if (msisdn === undefined && !ctx.reservedMsisdn) problems.push(`${at}: a mobile line needs a chosen number (characteristic msisdn, E.164, or "any")`);
    if (msisdn !== undefined && msisdn !== 'any' && !E164.test(msisdn)) problems.push(`${at}: msisdn must be a number in E.164 form (+34600000001) or "any"`);
  }
  if (component.requiresInstallation) {
    const place = line.place;
    if (!place?.postalCode || !place.street || !place.city) problems.push(`${at}: ${component.name} needs an installation address (street, city and postalCode)`);
  }
  const credit = line.characteristics.initialCredit;
  if (credit !== undefined) {
    if (!prepaid) problems.push(`${at}: initialCredit is for prepaid lines only`);
    else if (!/^\d{1,6}(\.\d{1,2})?$/.test(credit) || money(credit).lte(0)) problems.push(`${at}: initialCredit must be a positive amount with at most 2 decimals`);
  }
  return problems;
}

/** Problems of the order's customer and billing account (any order needs both in good standing), and the account's payment type. */
export function partyProblems(ctx: OrderContext): { reasons: string[]; paymentType?: PaymentType } {
  const reasons: string[] = [];
  if (!ctx.customer) reasons.push('the order names no existing customer');
  else if (ctx.customer.status !== 'Active') reasons.push(`customer ${ctx.customer.id} is ${ctx.customer.status}, not Active`);

  const account = ctx.billingAccount;
  let paymentType: PaymentType | undefined;
  if (!account) reasons.push('the order names no existing billing account');
  else {
    if (ctx.customer && account.ownerCustomerId && account.ownerCustomerId !== ctx.customer.id) reasons.push(`billing account ${account.id} belongs to another customer`);
    if (['Closed', 'Suspended'].includes(account.state)) reasons.push(`billing account ${account.id} is ${account.state}`);
    if (account.paymentType === 'prepaid' || account.paymentType === 'postpaid') paymentType = account.paymentType;
    else reasons.push(`billing account ${account.id} has no payment type (prepaid or postpaid)`);
  }
  return { reasons, paymentType };
}

/** Reasons the order cannot be fulfilled; empty when it can. */
export function validateOrder(
  lines: OrderLine[],
  offerings: ReadonlyMap<string, OfferingView | undefined>,
  ctx: OrderContext,
  policy: OrderPolicy,
): string[] {
  const { reasons, paymentType } = partyProblems(ctx);
  if (lines.length === 0) reasons.push('the order has no items');

  let newPostpaidMobile = 0;
  for (const line of lines) {
    if (line.action !== 'add') {
      // modify and delete items take the change path (change.ts); what is left here is noChange.
      reasons.push(`item ${line.itemId}: action ${line.action} changes nothing in an order that adds products`);
      continue;
    }
    const offering = offerings.get(line.offeringId);
    if (!throwIfBadOffering(line, offering, reasons)) continue;
    if (paymentType && offering.paymentType !== 'any' && offering.paymentType !== paymentType) {
      reasons.push(`item ${line.itemId}: ${offering.name} is ${offering.paymentType}, the billing account is ${paymentType}`);
    }
    for (const component of componentsOf(offering)) {
      if (paymentType && component.paymentType !== 'any' && component.paymentType !== paymentType) {
        reasons.push(`item ${line.itemId}: ${component.name} is ${component.paymentType}, the billing account is ${paymentType}`);
      }
      reasons.push(...characteristicProblems(line, component, ctx, paymentType === 'prepaid'));
      if (component.serviceType === 'mobile' && paymentType === 'postpaid') newPostpaidMobile++;
    }
  }
  const numbers = lines.map((l) => l.characteristics.msisdn).filter((m) => m && m !== 'any');
  if (new Set(numbers).size !== numbers.length) reasons.push('the same number is asked for twice');
  if (newPostpaidMobile > 0 && ctx.postpaidMobileLines + newPostpaidMobile > policy.maxPostpaidMobileLines) {
    reasons.push(
      `credit rule: at most ${policy.maxPostpaidMobileLines} postpaid mobile lines per customer; the customer has ${ctx.postpaidMobileLines} and orders ${newPostpaidMobile}`,
    );
  }
  return [...new Set(reasons)];
}
