/** What the money of a generated history adds up to: the figures its reports must show. */
import { formatAmount, money } from '../../domain/money';

export interface MoneySummary {
  /** Postpaid accounts billed (subscriptions started). */
  postpaidAccounts: number;
  bills: number;
  /** Total charges of the bills (gross), as booked on the account ledger. */
  billed: string;
  /** Card payments booked, and what they collected. */
  payments: number;
  collected: string;
  /** Payment attempts the card refused (nothing booked). */
  declinedPayments: number;
  /** Accounts that owe money at the end (bills not yet due, paid late or never). */
  owingAccounts: number;
  /** Accounts of customers who left and paid their last bill: closed. */
  closedAccounts: number;
  /** What postpaid accounts owe at the end (accounts in credit count nothing). */
  outstanding: string;
  /** Usage records rated for postpaid lines (none is rejected). */
  usageRecords: number;
  prepaidAccounts: number;
  /** Money the prepaid lines started with. */
  initialCredit: string;
  topups: number;
  cardTopups: number;
  voucherTopups: number;
  toppedUp: string;
  /** Credit-control requests to the charging engine, and those it refused (no credit). */
  chargingRequests: number;
  refusedRequests: number;
  /** Money left on prepaid accounts at the end. */
  prepaidBalance: string;
}

/** A summary with nothing in it yet. */
export function emptyMoneySummary(): MoneySummary {
  return {
    postpaidAccounts: 0, bills: 0, billed: '0.00', payments: 0, collected: '0.00', declinedPayments: 0, owingAccounts: 0, closedAccounts: 0, outstanding: '0.00', usageRecords: 0,
    prepaidAccounts: 0, initialCredit: '0.00', topups: 0, cardTopups: 0, voucherTopups: 0, toppedUp: '0.00', chargingRequests: 0, refusedRequests: 0, prepaidBalance: '0.00',
  };
}

type MoneyField = 'billed' | 'collected' | 'outstanding' | 'initialCredit' | 'toppedUp' | 'prepaidBalance';

/** Adds an amount (decimal string) to a money figure of the summary. */
export function addMoney(summary: MoneySummary, field: MoneyField, amount: string): void {
  summary[field] = formatAmount(money(summary[field]).plus(money(amount)));
}
