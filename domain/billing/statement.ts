/**
 * What a bill says, as stored with it and printed on its PDF: who it is for, the period, the
 * lines, the taxes and the totals. Amounts are decimal strings with 2 decimals.
 */
import type { BillCycle } from './cycle';
import type { ComputedBill } from './bill';

/** A postal address as printed. */
export interface PostalAddress {
  street?: string;
  postCode?: string;
  city?: string;
  country?: string;
}

export interface BillStatement extends ComputedBill {
  billNo: string;
  billingAccountId: string;
  customer: { id: string; name: string; address?: PostalAddress; email?: string };
  /** en or es: the language the bill is printed and mailed in. */
  language: string;
  currency: string;
  timeZone: string;
  cycle: BillCycle;
  issueDate: string;
}
