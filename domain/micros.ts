/**
 * Amounts as the charging engine plans with them: whole millionths in a bigint, the scale every
 * balance, reservation and ledger amount has in the database (numeric(30,6)), for money and units
 * alike. Exact like decimals, never floats. Planning a request adds, subtracts and compares a few
 * dozen amounts; a bigint operation takes a few nanoseconds where a decimal.js one takes hundreds
 * (it makes a decimal for every result), and a bigint never loses a digit (a data bucket of 100 GB
 * is 10^17 millionths, past what a double holds exactly). Rating gives its totals in millionths
 * (priceEventMicros); where it prices in decimals, amounts cross with toDecimal and fromDecimal.
 */
import type Decimal from 'decimal.js';
import { Money } from './money';

export type Micros = bigint;

/** One unit (one currency unit, second, octet or event) in millionths. */
export const ONE = 1_000_000n;
const CENT = 10_000n;

/** Millionths per unit of the last digit, by the number of decimals written. */
const SCALE = [1_000_000n, 100_000n, 10_000n, 1_000n, 100n, 10n, 1n];

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Parses a plain decimal ("12.5", "-0.000001", as PostgreSQL prints numeric and requests carry
 * quantities). Past 6 decimals it rounds half away from zero, as a numeric(30,6) column stores it.
 */
export function parseMicros(text: string): Micros {
  // Short text (most amounts and quantities) is read digit by digit into a double, exact below
  // 2^53; the rest through a pattern and BigInt.
  if (text.length <= 15) {
    let i = text.charCodeAt(0) === 45 /* - */ ? 1 : 0;
    const start = i;
    let value = 0;
    let fractionDigits = -1;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) {
        value = value * 10 + (c - 48);
        if (fractionDigits >= 0) fractionDigits++;
      } else if (c === 46 /* . */ && fractionDigits < 0 && i > start) fractionDigits = 0;
      else break;
    }
    if (i === text.length && i > start && fractionDigits !== 0 && fractionDigits <= 6) {
      const micros = BigInt(value) * SCALE[fractionDigits < 0 ? 0 : fractionDigits];
      return start === 1 ? -micros : micros;
    }
  }
  const match = DECIMAL_TEXT.exec(text);
  if (!match) throw new Error(`not a decimal amount: ${text}`);
  const [, sign, whole, fraction = ''] = match;
  let micros = BigInt(whole + (fraction.length >= 6 ? fraction.slice(0, 6) : fraction.padEnd(6, '0')));
  if (fraction.length > 6 && fraction.charCodeAt(6) >= 53 /* 5 */) micros += 1n;
  return sign === '-' ? -micros : micros;
}

/** The shortest plain decimal of an amount ("60", "0.48", "-1.5"), as decimal.js writes it. */
export function formatMicros(micros: Micros): string {
  // Below 2^53 in integers of a double (several amounts a request); past that in bigints.
  const n = Number(micros);
  if (Number.isSafeInteger(n)) {
    const abs = n < 0 ? -n : n;
    const whole = Math.floor(abs / 1_000_000);
    const fraction = abs - whole * 1_000_000;
    const sign = n < 0 ? '-' : '';
    if (fraction === 0) return `${sign}${whole}`;
    const digits = String(fraction + 1_000_000);
    let end = digits.length;
    while (digits.charCodeAt(end - 1) === 48 /* 0 */) end--;
    return `${sign}${whole}.${digits.slice(1, end)}`;
  }
  if (micros % ONE === 0n) return (micros / ONE).toString();
  const negative = micros < 0n;
  const digits = (negative ? -micros : micros).toString().padStart(7, '0');
  const fraction = digits.slice(-6).replace(/0+$/, '');
  return `${negative ? '-' : ''}${digits.slice(0, -6)}.${fraction}`;
}

/** The amount as a decimal, for rating. */
export const toDecimal = (micros: Micros): Decimal => (micros % ONE === 0n ? new Money((micros / ONE).toString()) : new Money(`${micros}e-6`));

/** A decimal rounded half up to 6 places, in millionths. */
export const fromDecimal = (amount: Decimal): Micros => parseMicros(amount.toFixed(6, Money.ROUND_HALF_UP));

/** Rounded to the cent, half away from zero (domain/money roundToCent). */
export function roundToCent(micros: Micros): Micros {
  const rest = micros % CENT;
  if (rest === 0n) return micros;
  const towardZero = micros - rest;
  const half = (rest < 0n ? -rest : rest) * 2n >= CENT;
  return half ? towardZero + (micros < 0n ? -CENT : CENT) : towardZero;
}

/** Rounded up to whole units (for amounts ≥ 0). */
export const ceilToUnit = (micros: Micros): Micros => ((micros + ONE - 1n) / ONE) * ONE;

export const min = (a: Micros, b: Micros): Micros => (a < b ? a : b);
