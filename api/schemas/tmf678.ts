/** TMF678 Customer Bill Management v4: customerBill, appliedCustomerBillingRate, customerBillOnDemand. */
import { z } from 'zod';
import { BILL_STATES } from '../../domain/billing/bill-states';
import { dateTime, entityRef, money, timePeriod, tmfBase } from './common';
import { relatedParty } from './tmf632';

const taxItem = z.object({ taxCategory: z.string().optional(), taxRate: z.number().optional(), taxAmount: money.optional(), ...tmfBase }).loose();

const attachment = z
  .object({ id: z.string().optional(), href: z.string().optional(), attachmentType: z.string().optional(), mimeType: z.string().optional(), name: z.string().optional(), url: z.string().optional(), ...tmfBase })
  .loose();

export const customerBillSchema = z.object({
  ...tmfBase,
  billNo: z.string().optional(),
  billDate: dateTime.optional(),
  category: z.string().optional(),
  lastUpdate: dateTime.optional(),
  nextBillDate: dateTime.optional(),
  paymentDueDate: dateTime.optional(),
  runType: z.string().optional(),
  state: z.enum(BILL_STATES).optional(),
  amountDue: money.optional(),
  remainingAmount: money.optional(),
  taxExcludedAmount: money.optional(),
  taxIncludedAmount: money.optional(),
  taxItem: z.array(taxItem).optional(),
  appliedPayment: z.array(z.object({}).loose()).optional(),
  billDocument: z.array(attachment).optional(),
  billingAccount: entityRef.optional(),
  billingPeriod: timePeriod.optional(),
  relatedParty: z.array(relatedParty).optional(),
});

export const appliedCustomerBillingRateSchema = z.object({
  ...tmfBase,
  name: z.string().optional(),
  description: z.string().optional(),
  type: z.string().optional(),
  date: dateTime.optional(),
  isBilled: z.boolean().optional(),
  bill: entityRef.optional(),
  billingAccount: entityRef.optional(),
  periodCoverage: timePeriod.optional(),
  product: entityRef.optional(),
  taxExcludedAmount: money.optional(),
  taxIncludedAmount: money.optional(),
  appliedTax: z.array(taxItem).optional(),
  characteristic: z.array(z.object({ name: z.string().min(1), value: z.unknown() }).loose()).optional(),
});

export const customerBillOnDemandSchema = z.object({
  ...tmfBase,
  name: z.string().optional(),
  description: z.string().optional(),
  billingAccount: entityRef,
  /** One party in this resource (RelatedPartyRef), not a list. */
  relatedParty: relatedParty.optional(),
});
