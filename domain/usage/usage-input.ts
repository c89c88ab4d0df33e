/**
 * One usage record as it arrives (a CSV line, a TMF635 Usage) and its validation: every field a
 * string, checked here once, so a bad line becomes a rejection with a reason instead of a crash.
 */
import type { UsageType } from '../rating';

/** A usage record before validation: strings only, as read. */
export interface RawUsage {
  source?: string;
  recordId?: string;
  msisdn?: string;
  usageType?: string;
  startTime?: string;
  quantity?: string;
  destination?: string;
}

/** A valid usage record: the quantity an exact decimal string (seconds, events or octets). */
export interface UsageInput {
  source: string;
  recordId: string;
  msisdn: string;
  usageType: UsageType;
  startTime: Date;
  quantity: string;
  destination?: string;
}

export type ParsedUsage = { ok: true; usage: UsageInput } | { ok: false; reason: string };

const USAGE_TYPES: ReadonlySet<string> = new Set(['voice', 'sms', 'data']);
const DECIMAL = /^-?\d+(\.\d+)?$/;
// An instant with its offset: a local time without one would rate differently per server.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const MSISDN = /^\+?\d{5,15}$/;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days in a month of the Gregorian calendar (month 1 to 12); no Date made per record. */
function daysInMonth(year: number, month: number): number {
  return month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : DAYS_IN_MONTH[month - 1];
}

function parseInstant(text: string): Date | undefined {
  const m = INSTANT.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Date.parse rolls 31 April over to 1 May; a calendar day that does not exist is an error.
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** Normalises a number to E.164 with a leading '+'. */
export function normaliseMsisdn(msisdn: string): string {
  return msisdn.startsWith('+') ? msisdn : `+${msisdn}`;
}

/** Validates a raw record; the first fault found is the reason. */
export function parseUsage(raw: RawUsage, defaultSource: string): ParsedUsage {
  const recordId = raw.recordId?.trim() ?? '';
  const msisdn = raw.msisdn?.trim() ?? '';
  const usageType = raw.usageType?.trim() ?? '';
  const startTime = raw.startTime?.trim() ?? '';
  const quantity = raw.quantity?.trim() ?? '';
  if (!recordId) return { ok: false, reason: 'missing record id' };
  if (!msisdn) return { ok: false, reason: 'missing msisdn' };
  if (!MSISDN.test(msisdn)) return { ok: false, reason: `bad msisdn: ${msisdn}` };
  if (!USAGE_TYPES.has(usageType)) return { ok: false, reason: `unknown usage type: ${usageType}` };
  const instant = parseInstant(startTime);
  if (!instant) return { ok: false, reason: `bad start time: ${startTime}` };
  if (!DECIMAL.test(quantity)) return { ok: false, reason: `bad quantity: ${quantity}` };
  if (quantity.startsWith('-')) return { ok: false, reason: `negative quantity: ${quantity}` };
  const destination = raw.destination?.trim() || undefined;
  if (destination !== undefined && !MSISDN.test(destination)) return { ok: false, reason: `bad destination: ${destination}` };
  return {
    ok: true,
    usage: {
      source: raw.source?.trim() || defaultSource,
      recordId,
      msisdn: normaliseMsisdn(msisdn),
      usageType: usageType as UsageType,
      startTime: instant,
      quantity,
      destination: destination && normaliseMsisdn(destination),
    },
  };
}
