/**
 * Payment-card checks for the billing step: catch typos and expired cards before the payment
 * provider is asked, so the customer gets an answer in the form rather than a declined token.
 * Only brand and last 4 digits leave this module; the full number is never echoed in a reason.
 */
import { toCalendarDate, type DateInput } from '../identity/calendar';

export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'other';

export interface CardInput {
  number: string;
  expiryMonth: number;
  /** Four digits, or two (26 = 2026) as printed on the card. */
  expiryYear: number;
  today: DateInput;
}

export type CardResult = { valid: true; brand: CardBrand; last4: string } | { valid: false; reasons: string[] };

/** Digits only: people type and paste card numbers in groups of four. */
export function normalizePan(pan: string): string {
  return pan.replace(/[\s-]/g, '');
}

/** The Luhn (mod 10) check of ISO/IEC 7812; false for anything but digits (spaces and dashes ignored). */
export function luhnValid(pan: string): boolean {
  const digits = normalizePan(pan);
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // Every second digit from the right is doubled; a two-digit product counts as its digit sum.
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function prefixIn(digits: string, length: number, from: number, to: number): boolean {
  const prefix = Number(digits.slice(0, length));
  return digits.length >= length && prefix >= from && prefix <= to;
}

/** The network by issuer prefix (IIN): Mastercard includes its 2221–2720 range, Discover its UnionPay co-brand range. */
export function cardBrand(pan: string): CardBrand {
  const digits = normalizePan(pan);
  if (!/^\d+$/.test(digits)) return 'other';
  if (prefixIn(digits, 2, 34, 34) || prefixIn(digits, 2, 37, 37)) return 'amex';
  if (digits.startsWith('4')) return 'visa';
  if (prefixIn(digits, 2, 51, 55) || prefixIn(digits, 4, 2221, 2720)) return 'mastercard';
  if (digits.startsWith('6011') || prefixIn(digits, 3, 644, 649) || digits.startsWith('65') || prefixIn(digits, 6, 622126, 622925)) {
    return 'discover';
  }
  return 'other';
}

// Lengths each network issues; 'other' gets the ISO/IEC 7812 range.
const LENGTHS: Record<CardBrand, readonly number[]> = {
  visa: [13, 16, 19],
  mastercard: [16],
  amex: [15],
  discover: [16, 17, 18, 19],
  other: [12, 13, 14, 15, 16, 17, 18, 19],
};

function describeLengths(lengths: readonly number[]): string {
  if (lengths.length === 1) return String(lengths[0]);
  const consecutive = lengths.every((n, i) => i === 0 || n === lengths[i - 1] + 1);
  if (consecutive) return `${lengths[0]} to ${lengths[lengths.length - 1]}`;
  return `${lengths.slice(0, -1).join(', ')} or ${lengths[lengths.length - 1]}`;
}

/** Checks a card before tokenisation (digits, length for the brand, Luhn, expiry), reporting every problem. */
export function validateCard(input: CardInput): CardResult {
  const now = toCalendarDate(input.today);
  const reasons: string[] = [];
  const digits = normalizePan(input.number);
  let brand: CardBrand = 'other';

  if (!/^\d+$/.test(digits)) {
    reasons.push('card number may contain only digits and spaces');
  } else {
    brand = cardBrand(digits);
    const lengths = LENGTHS[brand];
    if (!lengths.includes(digits.length)) {
      reasons.push(`${brand === 'other' ? 'card' : brand} numbers have ${describeLengths(lengths)} digits`);
    }
    if (!luhnValid(digits)) reasons.push('card number is mistyped (Luhn check failed)');
  }

  const month = input.expiryMonth;
  const year = input.expiryYear >= 0 && input.expiryYear <= 99 ? 2000 + input.expiryYear : input.expiryYear;
  const monthOk = Number.isInteger(month) && month >= 1 && month <= 12;
  const yearOk = Number.isInteger(year) && year >= 2000 && year <= 2099;
  if (!monthOk) reasons.push('expiry month must be 1 to 12');
  if (!yearOk) reasons.push('expiry year is not a valid year');
  // A card is good through the last day of its expiry month: expired once today is a later month.
  if (monthOk && yearOk && (now.year > year || (now.year === year && now.month > month))) {
    reasons.push(`card expired at the end of ${String(month).padStart(2, '0')}/${year}`);
  }

  if (reasons.length > 0) return { valid: false, reasons };
  return { valid: true, brand, last4: digits.slice(-4) };
}
