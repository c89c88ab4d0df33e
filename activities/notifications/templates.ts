/**
 * What each notification says, per event and language: a subject, a plain-text body, the same
 * body as HTML (every parameter escaped), and an SMS text. Pure functions: the output depends on
 * the arguments only.
 *
 * SMS texts are written in the GSM alphabet (accents GSM lacks are dropped: "número" → "numero")
 * so that one SMS holds 160 characters (a name with no GSM form makes it UCS-2: 70); when the
 * full text would not fit one SMS a shorter wording is used where the event has one.
 */
import { z } from 'zod';
import { formatAmount, money } from '../../domain/money';
import { planSms, toGsm7 } from './sms-encoding';

export const NOTIFICATION_EVENTS = [
  'welcome',
  'registrationRejected',
  'registrationExpired',
  'registrationFailed',
  'identityReviewEscalation',
  'identityReviewRequested',
  'orderAcknowledged',
  'orderInProgress',
  'orderPending',
  'orderPaymentDeclined',
  'orderCompleted',
  'orderRejected',
  'orderFailed',
  'orderCancelled',
  'appointmentRescheduled',
  'installationEscalation',
  'billDunning',
  'billIssued',
  'ticketAssigned',
  'ticketReminder',
  'ticketEscalation',
  'ticketAnswered',
  'topUpCompleted',
  'topUpFailed',
  'lowBalance',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

/** The parameters of each event. */
export interface NotificationParams {
  /** To a new customer. */
  welcome: { givenName: string; customerId: string; msisdn?: string };
  /** To the applicant: the registration was refused; `reasons` as the verification gave them. */
  registrationRejected: { givenName?: string; reasons: string[] };
  /** To the applicant: the registration was not completed in time. */
  registrationExpired: { givenName?: string; registrationId?: string };
  /** To the applicant: the registration stopped on a fault of ours. */
  registrationFailed: { givenName?: string; registrationId?: string };
  /** To a supervisor: a manual identity review has waited too long. `waitingSince` is ISO 8601. */
  identityReviewEscalation: { registrationId: string; waitingSince: string; supervisorName?: string };
  /** To the identity review queue (staff): a person has to look at a registration; `reasons` why. */
  identityReviewRequested: { registrationId: string; reasons?: string[] };
  /** To the customer: the order was received; `items` are the names of the offerings ordered. */
  orderAcknowledged: { givenName?: string; orderId: string; items: string[] };
  /** To the customer: the order is being fulfilled, with the installation visit when there is one. */
  orderInProgress: { givenName?: string; orderId: string; appointment?: Appointment };
  /** To the customer: the order waits (e.g. no network capacity in the area yet); `reason` says why. */
  orderPending: { givenName?: string; orderId: string; reason: string };
  /**
   * To the customer: the up-front payment was declined; unless paid with another method before
   * `payBefore` (ISO 8601) the order is cancelled. `amount` is a decimal string ("19.90").
   */
  orderPaymentDeclined: { givenName?: string; orderId: string; amount: string; currency: string; reason: string; payBefore: string };
  /** To the customer: the order is complete and the service active; `msisdn` when it has a number. */
  orderCompleted: { givenName?: string; orderId: string; msisdn?: string; items: string[] };
  /** To the customer: the order was refused; `reasons` as the validation gave them. */
  orderRejected: { givenName?: string; orderId: string; reasons: string[] };
  /** To the customer: the order stopped on a fault of ours; `refunded` (decimal, with `currency`) what was paid back. */
  orderFailed: { givenName?: string; orderId: string; refunded?: string; currency?: string };
  /** To the customer: the order was cancelled; `refunded` (decimal, with `currency`) what was paid back. */
  orderCancelled: { givenName?: string; orderId: string; reason?: string; refunded?: string; currency?: string };
  /** To the customer: the installation visit has a new date (ISO 8601); `missed` when the last one did not take place. */
  appointmentRescheduled: { givenName?: string; orderId: string; start: string; end: string; reason?: 'missed' | 'moved' };
  /** To a supervisor (staff): the technician visit of a work order failed `misses` times. */
  installationEscalation: { orderId: string; workOrderId: string; misses: number; area?: string };
  /** To the customer: a step of collecting an overdue bill (reminders, suspension, restoration, termination). */
  billDunning: { givenName?: string; stage: DunningStage; billNo: string; amount: string; currency: string; dueDate: string; nextStepDate?: string };
  /**
   * To the customer: a bill was issued (its PDF attached). Dates are calendar dates; `periodEnd`
   * is the last day billed; `amountDue` is signed ("-5.00": a credit in the customer's favour).
   */
  billIssued: { givenName?: string; billNo: string; periodStart: string; periodEnd: string; amountDue: string; currency: string; dueDate: string };
  /** To an expert (staff): a customer query was given to them. */
  ticketAssigned: { ticketId: string; ticketType: string; severity: string; description: string; assigneeName?: string };
  /** To the assignee: the query's resolution time is running out; `deadline` is ISO 8601. */
  ticketReminder: { ticketId: string; deadline: string; assigneeName?: string };
  /** To a queue's supervisor: a query is past its resolution time. */
  ticketEscalation: { ticketId: string; queue: string; deadline: string; severity: string; assigneeName?: string; supervisorName?: string };
  /**
   * To the customer: the expert's answer to their query; `status` resolved or rejected; a resolved
   * query may be reopened until `reopenUntil` (ISO 8601).
   */
  ticketAnswered: { givenName?: string; ticketId: string; answer: string; status: string; reopenUntil?: string };
  /** To the customer: a top-up was credited; `amount` and `balance` (the money balance after it) are decimal strings. */
  topUpCompleted: { givenName?: string; topupId: string; amount: string; currency: string; balance: string };
  /** To the customer: a top-up failed (`reason`); nothing was credited, and `refunded` says what was paid back. */
  topUpFailed: { givenName?: string; topupId: string; amount: string; currency: string; reason: string; refunded?: string };
  /** To the customer: the money balance fell below `threshold`. */
  lowBalance: { givenName?: string; balance: string; currency: string; threshold: string };
}

/** The steps of collecting an overdue bill that the customer hears of. */
export const DUNNING_STAGES = ['reminder', 'finalReminder', 'suspended', 'restored', 'terminated', 'finalBillReminder', 'debtCollection'] as const;
export type DunningStage = (typeof DUNNING_STAGES)[number];

/** An installation visit: the time window (ISO 8601) and where, when known. */
export interface Appointment {
  start: string;
  end: string;
  address?: string;
}

/** Absent, null and '' all mean "not given". */
const optionalText = z
  .string()
  .nullish()
  .transform((v) => v || undefined);
const requiredText = z.string().min(1);
const reasonList = z
  .array(z.string())
  .nullish()
  .transform((v) => v ?? []);
/** At least one name, none empty. */
const itemList = z.array(requiredText).min(1);
/** An instant with its offset: `2026-12-01T09:00:00Z`, `2026-12-01T10:00:00+01:00`. */
const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date and time with an offset, e.g. 2026-12-01T09:00:00Z' });
/** A non-negative decimal amount as it crosses JSON ("19.90"). */
const amount = z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal amount such as 19.90');
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code such as EUR');
/** Start before end, both instants: the path of an error names the field. */
const timeWindow = <T extends { start: string; end: string }>(value: T, ctx: z.RefinementCtx): void => {
  if (Date.parse(value.end) <= Date.parse(value.start)) ctx.addIssue({ code: 'custom', path: ['end'], message: 'must be after start' });
};
/** A refund needs its currency. */
const refundWithCurrency = (value: { refunded?: string; currency?: string }, ctx: z.RefinementCtx): void => {
  if (value.refunded !== undefined && value.currency === undefined) {
    ctx.addIssue({ code: 'custom', path: ['currency'], message: 'required when refunded is given' });
  }
};
/** A calendar date, YYYY-MM-DD. */
const calendarDate = z.iso.date({ message: 'must be a calendar date such as 2026-12-01' });
const appointment = z.object({ start: instant, end: instant, address: optionalText }).superRefine(timeWindow);

/** What each event's parameters must be at run time (they arrive as JSON); other keys are dropped. */
const PARAM_SCHEMAS = {
  welcome: z.object({ givenName: requiredText, customerId: requiredText, msisdn: optionalText }),
  registrationRejected: z.object({ givenName: optionalText, reasons: reasonList }),
  registrationExpired: z.object({ givenName: optionalText, registrationId: optionalText }),
  registrationFailed: z.object({ givenName: optionalText, registrationId: optionalText }),
  identityReviewEscalation: z.object({ registrationId: requiredText, waitingSince: requiredText, supervisorName: optionalText }),
  identityReviewRequested: z.object({ registrationId: requiredText, reasons: reasonList }),
  orderAcknowledged: z.object({ givenName: optionalText, orderId: requiredText, items: itemList }),
  orderInProgress: z.object({
    givenName: optionalText,
    orderId: requiredText,
    appointment: appointment.nullish().transform((v) => v ?? undefined),
  }),
  orderPending: z.object({ givenName: optionalText, orderId: requiredText, reason: requiredText }),
  orderPaymentDeclined: z.object({
    givenName: optionalText,
    orderId: requiredText,
    amount,
    currency,
    reason: requiredText,
    payBefore: instant,
  }),
  orderCompleted: z.object({ givenName: optionalText, orderId: requiredText, msisdn: optionalText, items: itemList }),
  orderRejected: z.object({ givenName: optionalText, orderId: requiredText, reasons: reasonList }),
  orderFailed: z
    .object({ givenName: optionalText, orderId: requiredText, refunded: optionalText.pipe(amount.optional()), currency: optionalText.pipe(currency.optional()) })
    .superRefine(refundWithCurrency),
  orderCancelled: z
    .object({
      givenName: optionalText,
      orderId: requiredText,
      reason: optionalText,
      refunded: optionalText.pipe(amount.optional()),
      currency: optionalText.pipe(currency.optional()),
    })
    .superRefine(refundWithCurrency),
  appointmentRescheduled: z
    .object({
      givenName: optionalText,
      orderId: requiredText,
      start: instant,
      end: instant,
      reason: z
        .enum(['missed', 'moved'])
        .nullish()
        .transform((v) => v ?? undefined),
    })
    .superRefine(timeWindow),
  installationEscalation: z.object({ orderId: requiredText, workOrderId: requiredText, misses: z.number().int().min(1), area: optionalText }),
  billDunning: z.object({
    givenName: optionalText,
    stage: z.enum(DUNNING_STAGES),
    billNo: requiredText,
    amount,
    currency,
    dueDate: z.iso.date(),
    nextStepDate: optionalText.pipe(z.iso.date().optional()),
  }),
  billIssued: z.object({
    givenName: optionalText,
    billNo: requiredText,
    periodStart: calendarDate,
    periodEnd: calendarDate,
    amountDue: z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal amount such as 19.90 or -5.00'),
    currency,
    dueDate: calendarDate,
  }),
  ticketAssigned: z.object({ ticketId: requiredText, ticketType: requiredText, severity: requiredText, description: requiredText, assigneeName: optionalText }),
  ticketReminder: z.object({ ticketId: requiredText, deadline: requiredText, assigneeName: optionalText }),
  ticketEscalation: z.object({ ticketId: requiredText, queue: requiredText, deadline: requiredText, severity: requiredText, assigneeName: optionalText, supervisorName: optionalText }),
  ticketAnswered: z.object({ givenName: optionalText, ticketId: requiredText, answer: requiredText, status: requiredText, reopenUntil: optionalText }),
  topUpCompleted: z.object({ givenName: optionalText, topupId: requiredText, amount, currency, balance: amount }),
  topUpFailed: z.object({ givenName: optionalText, topupId: requiredText, amount, currency, reason: requiredText, refunded: optionalText.pipe(amount.optional()) }),
  lowBalance: z.object({ givenName: optionalText, balance: amount, currency, threshold: amount }),
} satisfies { [E in NotificationEvent]: z.ZodType<NotificationParams[E], unknown> };

export type ParsedNotification = { [E in NotificationEvent]: { ok: true; event: E; params: NotificationParams[E] } }[NotificationEvent];

/** Checks an event name and its parameters as they arrived; the error names what is wrong. */
export function parseNotificationParams(event: string, params: unknown): ParsedNotification | { ok: false; error: string } {
  if (!Object.hasOwn(PARAM_SCHEMAS, event)) return { ok: false, error: `no template for notification event ${event}` };
  const result = PARAM_SCHEMAS[event as NotificationEvent].safeParse(params ?? {});
  if (!result.success) {
    const details = result.error.issues.map((i) => `${['params', ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
    return { ok: false, error: `invalid parameters for ${event}: ${details}` };
  }
  return { ok: true, event, params: result.data } as ParsedNotification;
}

export interface RenderedNotification {
  subject: string;
  text: string;
  html?: string;
  sms: string;
}

/** `es`, `es-ES`, `ES_es` → `es`; anything we have no templates for → `en`. */
export function resolveLanguage(language: string | undefined): Language {
  const primary = (language ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(primary) ? (primary as Language) : DEFAULT_LANGUAGE;
}

export const BRAND = 'BSS';

/** A body as blocks, rendered both as text and as HTML. */
type Block = { p: string } | { list: string[] } | { fields: Array<[label: string, value: string | undefined]> };

interface Template {
  subject: string;
  blocks: Block[];
  /** SMS wordings, longest first: the first that fits one SMS is used (else the last). */
  sms: string[];
}

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

function renderText(blocks: Block[]): string {
  return blocks
    .map((b) => {
      if ('p' in b) return b.p;
      if ('list' in b) return b.list.map((item) => `- ${item}`).join('\n');
      return b.fields.filter(([, v]) => v !== undefined).map(([label, v]) => `${label}: ${v}`).join('\n');
    })
    .filter((s) => s !== '')
    .join('\n\n');
}

function renderHtml(language: Language, blocks: Block[]): string {
  const body = blocks
    .map((b) => {
      if ('p' in b) return `<p>${escapeHtml(b.p)}</p>`;
      if ('list' in b) return b.list.length ? `<ul>${b.list.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>` : '';
      const fields = b.fields.filter(([, v]) => v !== undefined);
      return fields.length ? `<p>${fields.map(([label, v]) => `${escapeHtml(label)}: <strong>${escapeHtml(v!)}</strong>`).join('<br>')}</p>` : '';
    })
    .filter((s) => s !== '')
    .join('\n');
  return `<!doctype html>\n<html lang="${language}"><body>\n${body}\n</body></html>\n`;
}

function chooseSms(candidates: string[]): string {
  const texts = candidates.map(toGsm7);
  return texts.find((t) => planSms(t).parts.length === 1) ?? texts[texts.length - 1];
}

/** `2026-11-25T09:05:00Z` → `2026-11-25 09:05 UTC`; a value that is not a date is shown as given. */
export function formatDateTime(value: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return value;
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 16)} UTC`;
}

/** A window of time in UTC: `2026-12-01 09:00-13:00 UTC` within one day, else both ends in full. */
export function formatTimeWindow(start: string, end: string): string {
  const [from, to] = [new Date(start), new Date(end)];
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) return `${formatDateTime(start)} - ${formatDateTime(end)}`;
  const [a, b] = [from.toISOString(), to.toISOString()];
  if (a.slice(0, 10) !== b.slice(0, 10)) return `${formatDateTime(start)} - ${formatDateTime(end)}`;
  return `${a.slice(0, 10)} ${a.slice(11, 16)}-${b.slice(11, 16)} UTC`;
}

/**
 * An amount with its currency code, rounded half up to the cent: `19.9`, `EUR` → `19.90 EUR`
 * in English, `19,90 EUR` in Spanish. An amount that is not a number is shown as given.
 */
export function formatMoney(value: string, currencyCode: string, language: Language): string {
  let fixed: string;
  try {
    fixed = formatAmount(money(value));
  } catch {
    return `${value} ${currencyCode}`;
  }
  return `${language === 'es' ? fixed.replace('.', ',') : fixed} ${currencyCode}`;
}

/** A refund worth mentioning: an amount above zero, with its currency. */
function refundOf(refunded: string | undefined, currencyCode: string | undefined, language: Language): string | undefined {
  if (refunded === undefined || currencyCode === undefined) return undefined;
  try {
    if (money(refunded).isZero()) return undefined;
  } catch {
    // not a number: shown as given
  }
  return formatMoney(refunded, currencyCode, language);
}

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

const times = {
  en: (n: number) => (n === 1 ? 'once' : n === 2 ? 'twice' : `${n} times`),
  es: (n: number) => (n === 1 ? '1 vez' : `${n} veces`),
};

const greeting = {
  en: (name?: string) => (name ? `Hello ${name},` : 'Hello,'),
  es: (name?: string) => (name ? `Hola, ${name}:` : 'Hola:'),
};
const signature = { en: `The ${BRAND} team`, es: `El equipo de ${BRAND}` };

type Templates = { [E in NotificationEvent]: (params: NotificationParams[E]) => Template };

const en: Templates = {
  welcome: ({ givenName, customerId, msisdn }) => ({
    subject: `Welcome to ${BRAND}, ${givenName}`,
    blocks: [
      { p: greeting.en(givenName) },
      { p: `Welcome to ${BRAND}! Your customer account is ready.` },
      { fields: [['Customer number', customerId], ['Mobile number', msisdn]] },
      { p: 'Keep your customer number at hand when you contact us.' },
      { p: signature.en },
    ],
    sms: [
      `Welcome to ${BRAND}, ${givenName}! Your customer number is ${customerId}.${msisdn ? ` Your mobile number ${msisdn} is ready to use.` : ''}`,
      `Welcome to ${BRAND}! Your customer number is ${customerId}.`,
    ],
  }),
  registrationRejected: ({ givenName, reasons = [] }) => ({
    subject: `Your ${BRAND} registration could not be accepted`,
    blocks: [
      { p: greeting.en(givenName) },
      { p: reasons.length ? 'We could not accept your registration for the following reasons:' : 'We could not accept your registration.' },
      { list: reasons },
      { p: 'You can register again with the corrected details at any time.' },
      { p: signature.en },
    ],
    sms: [
      `${BRAND}: we could not accept your registration${reasons.length ? `: ${reasons.join('; ')}` : ''}. You can register again with corrected details.`,
      `${BRAND}: we could not accept your registration. Please check your details and register again.`,
    ],
  }),
  registrationExpired: ({ givenName, registrationId }) => ({
    subject: `Your ${BRAND} registration has expired`,
    blocks: [
      { p: greeting.en(givenName) },
      { p: 'Your registration was not completed in time and has expired. You can start a new registration whenever you like.' },
      { fields: [['Reference', registrationId]] },
      { p: signature.en },
    ],
    sms: [`${BRAND}: your registration has expired because it was not completed in time. You can start a new one whenever you like.`],
  }),
  registrationFailed: ({ givenName, registrationId }) => ({
    subject: `We could not complete your ${BRAND} registration`,
    blocks: [
      { p: greeting.en(givenName) },
      { p: 'Something went wrong on our side and we could not complete your registration. We are sorry.' },
      { p: 'Please try again later, or contact us and quote the reference below.' },
      { fields: [['Reference', registrationId]] },
      { p: signature.en },
    ],
    sms: [
      `${BRAND}: we could not complete your registration because of a problem on our side. Please try again later.${registrationId ? ` Ref: ${registrationId}` : ''}`,
      `${BRAND}: we could not complete your registration because of a problem on our side. Please try again later.`,
    ],
  }),
  identityReviewEscalation: ({ registrationId, waitingSince, supervisorName }) => ({
    subject: `Identity review overdue: registration ${registrationId}`,
    blocks: [
      { p: greeting.en(supervisorName) },
      { p: `Registration ${registrationId} has been waiting for a manual identity review since ${formatDateTime(waitingSince)}.` },
      { p: 'Please assign it to a reviewer or review it yourself.' },
      { p: BRAND },
    ],
    sms: [
      `${BRAND}: registration ${registrationId} has waited for identity review since ${formatDateTime(waitingSince)}. Please assign a reviewer.`,
      `${BRAND}: a registration has waited too long for identity review. Please assign a reviewer.`,
    ],
  }),
  identityReviewRequested: ({ registrationId, reasons = [] }) => ({
    subject: `Identity review needed: registration ${registrationId}`,
    blocks: [
      { p: greeting.en() },
      { p: `Registration ${registrationId} needs a manual identity review before the customer account can be opened.` },
      ...(reasons.length ? [{ p: 'Reasons:' }, { list: reasons }] : []),
      { p: 'Please review it in the identity review queue.' },
      { p: BRAND },
    ],
    sms: [
      `${BRAND}: registration ${registrationId} needs a manual identity review${reasons.length ? `: ${reasons.join('; ')}` : ''}.`,
      `${BRAND}: registration ${registrationId} needs a manual identity review.`,
    ],
  }),
  orderAcknowledged: ({ givenName, orderId, items }) => ({
    subject: `We have received your ${BRAND} order ${orderId}`,
    blocks: [
      { p: greeting.en(givenName) },
      { p: 'Thank you for your order. We have received it and will start working on it shortly.' },
      { fields: [['Order number', orderId]] },
      ...(items.length ? [{ p: 'You ordered:' }, { list: items }] : []),
      { p: 'We will keep you informed of its progress.' },
      { p: signature.en },
    ],
    sms: [
      `${BRAND}: we have received your order ${orderId}${items.length ? `: ${items.join(', ')}` : ''}. We will keep you informed of its progress.`,
      `${BRAND}: we have received your order ${orderId}. We will keep you informed of its progress.`,
    ],
  }),
  orderInProgress: ({ givenName, orderId, appointment }) => {
    const visit = appointment && formatTimeWindow(appointment.start, appointment.end);
    return {
      subject: `Your ${BRAND} order ${orderId} is in progress`,
      blocks: [
        { p: greeting.en(givenName) },
        { p: 'We are working on your order.' },
        { fields: [['Order number', orderId]] },
        ...(appointment
          ? [
              { p: 'A technician will visit you to install the service:' },
              { fields: [['Visit', visit], ['Address', appointment.address]] as Array<[string, string | undefined]> },
              { p: 'Please make sure someone can let the technician in during that time.' },
            ]
          : [{ p: 'We will let you know as soon as your service is active.' }]),
        { p: signature.en },
      ],
      sms: appointment
        ? [
            `${BRAND}: we are working on your order ${orderId}. Technician visit: ${visit}${appointment.address ? ` at ${appointment.address}` : ''}.`,
            `${BRAND}: we are working on your order ${orderId}. Technician visit: ${visit}.`,
          ]
        : [`${BRAND}: we are working on your order ${orderId}. We will let you know as soon as your service is active.`],
    };
  },
  orderPending: ({ givenName, orderId, reason }) => ({
    subject: `Your ${BRAND} order ${orderId} is on hold`,
    blocks: [
      { p: greeting.en(givenName) },
      { p: 'We cannot continue with your order for now.' },
      { fields: [['Order number', orderId], ['Reason', reason]] },
      { p: 'We will continue as soon as we can and let you know. You do not need to do anything.' },
      { p: signature.en },
    ],
    sms: [
      `${BRAND}: your order ${orderId} is on hold (${reason}). We will continue as soon as we can and let you know.`,
      `${BRAND}: your order ${orderId} is on hold. We will continue as soon as we can and let you know.`,
    ],
  }),
  orderPaymentDeclined: ({ givenName, orderId, amount, currency, reason, payBefore }) => {
    const total = formatMoney(amount, currency, 'en');
    const deadline = formatDateTime(payBefore);
    return {
      subject: `Payment declined for your ${BRAND} order ${orderId}`,
      blocks: [
        { p: greeting.en(givenName) },
        { p: `The payment of ${total} for your order was declined.` },
        { fields: [['Order number', orderId], ['Amount', total], ['Reason', reason]] },
        { p: `Please pay with another payment method before ${deadline}. If we have not received the payment by then, the order will be cancelled.` },
        { p: signature.en },
      ],
      sms: [
        `${BRAND}: payment of ${total} for order ${orderId} declined (${reason}). Pay with another method by ${deadline} or the order will be cancelled.`,
        `${BRAND}: payment of ${total} for order ${orderId} declined. Pay another way by ${deadline} or the order is cancelled.`,
      ],
    };
  },
  orderCompleted: ({ givenName, orderId, msisdn, items }) => ({
    subject: `Your ${BRAND} order ${orderId} is complete`,
    blocks: [
      { p: greeting.en(givenName) },
      { p: 'Your order is complete and your service is active.' },
      { fields: [['Order number', orderId], ['Mobile number', msisdn]] },
      ...(items.length ? [{ p: 'Your order included:' }, { list: items }] : []),
      { p: `Thank you for choosing ${BRAND}.` },
      { p: signature.en },
    ],
    sms: [
      `${BRAND}: your order ${orderId} is complete${items.length ? `: ${items.join(', ')}` : ''}. Your service is active.${msisdn ? ` Your number is ${msisdn}.` : ''}`,
      `${BRAND}: your order ${orderId} is complete and your service is active.${msisdn ? ` Your number is ${msisdn}.` : ''}`,
    ],
  }),
  orderRejected: ({ givenName, orderId, reasons = [] }) => ({
    subject: `Your ${BRAND} order ${orderId} could not be accepted`,
    blocks: [
      { p: greeting.en(givenName) },
      { p: reasons.length ? 'We could not accept your order for the following reasons:' : 'We could not accept your order.' },
      { list: reasons },
      { fields: [['Order number', orderId]] },
      { p: 'If you have any questions, please contact us and quote your order number.' },
      { p: signature.en },
    ],
    sms: [
      `${BRAND}: we could not accept your order ${orderId}${reasons.length ? `: ${reasons.join('; ')}` : ''}. Please contact us if you have any questions.`,
      `${BRAND}: we could not accept your order ${orderId}. Please contact us for the details.`,
    ],
  }),
  orderFailed: ({ givenName, orderId, refunded, currency }) => {
    const refund = refundOf(refunded, currency, 'en');
    const refundText = refund ? `We have refunded ${refund} to your payment method.` : 'Anything you paid for this order will be refunded.';
    return {
      subject: `We could not complete your ${BRAND} order ${orderId}`,
      blocks: [
        { p: greeting.en(givenName) },
        { p: 'Something went wrong on our side and we could not complete your order. We are sorry.' },
        { p: refundText },
        { fields: [['Order number', orderId]] },
        { p: 'You can place the order again, or contact us and quote your order number.' },
        { p: signature.en },
      ],
      sms: [
        `${BRAND}: we could not complete your order ${orderId} because of a problem on our side. ${refundText}`,
        `${BRAND}: we could not complete your order ${orderId}. ${refund ? `We have refunded ${refund}.` : 'Anything you paid will be refunded.'}`,
      ],
    };
  },
  orderCancelled: ({ givenName, orderId, reason, refunded, currency }) => {
    const refund = refundOf(refunded, currency, 'en');
    return {
      subject: `Your ${BRAND} order ${orderId} has been cancelled`,
      blocks: [
        { p: greeting.en(givenName) },
        { p: 'Your order has been cancelled.' },
        { fields: [['Order number', orderId], ['Reason', reason]] },
        ...(refund ? [{ p: `We have refunded ${refund} to your payment method.` }] : []),
        { p: signature.en },
      ],
      sms: [
        `${BRAND}: your order ${orderId} has been cancelled${reason ? ` (${reason})` : ''}.${refund ? ` We have refunded ${refund} to your payment method.` : ''}`,
        `${BRAND}: your order ${orderId} has been cancelled.${refund ? ` We have refunded ${refund}.` : ''}`,
      ],
    };
  },
  appointmentRescheduled: ({ givenName, orderId, start, end, reason }) => {
    const visit = formatTimeWindow(start, end);
    const why =
      reason === 'missed'
        ? 'Your installation visit could not take place as planned.'
        : reason === 'moved'
          ? 'Your installation visit has been moved.'
          : 'Your installation visit has a new date.';
    return {
      subject: `New installation date for your ${BRAND} order ${orderId}`,
      blocks: [
        { p: greeting.en(givenName) },
        { p: `${why} The technician will now visit you on:` },
        { fields: [['New visit', visit], ['Order number', orderId]] },
        { p: 'Please make sure someone can let the technician in during that time.' },
        { p: signature.en },
      ],
      sms: [
        `${BRAND}: ${lowerFirst(why)} New visit for order ${orderId}: ${visit}.`,
        `${BRAND}: new installation visit for order ${orderId}: ${visit}.`,
      ],
    };
  },
  installationEscalation: ({ orderId, workOrderId, misses, area }) => ({
    subject: `Installation failed ${times.en(misses)}: order ${orderId}`,
    blocks: [
      { p: greeting.en() },
      { p: `The technician visit for order ${orderId} has failed ${times.en(misses)} and needs a supervisor.` },
      { fields: [['Order', orderId], ['Work order', workOrderId], ['Failed visits', String(misses)], ['Area', area]] },
      { p: 'Please contact the customer and arrange the next visit.' },
      { p: BRAND },
    ],
    sms: [
      `${BRAND}: the installation visit for order ${orderId} (work order ${workOrderId}${area ? `, ${area}` : ''}) has failed ${times.en(misses)}. Please arrange the next visit.`,
      `${BRAND}: the installation visit for order ${orderId} has failed ${times.en(misses)}. Please arrange the next visit.`,
    ],
  }),
  billIssued: ({ givenName, billNo, periodStart, periodEnd, amountDue, currency, dueDate }) => {
    const credit = amountDue.startsWith('-');
    const due = formatMoney(credit ? amountDue.slice(1) : amountDue, currency, 'en');
    return {
      subject: `Your ${BRAND} bill ${billNo}`,
      blocks: [
        { p: greeting.en(givenName) },
        { p: `Your bill for ${periodStart} to ${periodEnd} is ready; you will find it attached as a PDF.` },
        { fields: [['Bill number', billNo], [credit ? 'Credit in your favour' : 'Amount due', due], ['Due date', credit ? undefined : dueDate]] },
        { p: credit || money(amountDue).isZero() ? 'There is nothing to pay.' : 'Pay by card in self-care, or by bank transfer quoting the bill number (details on the bill).' },
        { p: signature.en },
      ],
      sms: [`${BRAND}: your bill ${billNo} is ready. ${credit ? `Credit: ${due}.` : `Amount due ${due} by ${dueDate}.`}`],
    };
  },
  ticketAssigned: ({ ticketId, ticketType, severity, description, assigneeName }) => ({
    subject: `New ${severity} ${ticketType} query: ${ticketId}`,
    blocks: [
      { p: greeting.en(assigneeName) },
      { p: 'A customer query has been assigned to you.' },
      { fields: [['Query', ticketId], ['Kind', ticketType], ['Severity', severity]] },
      { p: description },
      { p: BRAND },
    ],
    sms: [`${BRAND}: ${severity} ${ticketType} query ${ticketId} has been assigned to you.`],
  }),
  ticketReminder: ({ ticketId, deadline, assigneeName }) => ({
    subject: `Reminder: query ${ticketId} is due by ${formatDateTime(deadline)}`,
    blocks: [
      { p: greeting.en(assigneeName) },
      { p: `Query ${ticketId} should be resolved by ${formatDateTime(deadline)}. Please answer the customer before then.` },
      { p: BRAND },
    ],
    sms: [`${BRAND}: query ${ticketId} is due by ${formatDateTime(deadline)}.`],
  }),
  ticketEscalation: ({ ticketId, queue, deadline, severity, assigneeName, supervisorName }) => ({
    subject: `Overdue ${severity} query ${ticketId} (${queue})`,
    blocks: [
      { p: greeting.en(supervisorName) },
      { p: `Query ${ticketId} in the ${queue} queue was due by ${formatDateTime(deadline)} and is not resolved.` },
      { fields: [['Query', ticketId], ['Severity', severity], ['Assigned to', assigneeName]] },
      { p: 'Please take it over or reassign it.' },
      { p: BRAND },
    ],
    sms: [`${BRAND}: ${severity} query ${ticketId} (${queue}) is overdue since ${formatDateTime(deadline)}.`],
  }),
  ticketAnswered: ({ givenName, ticketId, answer, status, reopenUntil }) => ({
    subject: status === 'rejected' ? `About your query ${ticketId}` : `Your query ${ticketId} has been answered`,
    blocks: [
      { p: greeting.en(givenName) },
      { p: status === 'rejected' ? 'We have looked at your query and cannot take it further:' : 'We have looked at your query. Our answer:' },
      { p: answer },
      ...(reopenUntil ? [{ p: `If this does not solve it, you can reopen the query until ${formatDateTime(reopenUntil)}.` }] : []),
      { fields: [['Query', ticketId]] },
      { p: signature.en },
    ],
    sms: [`${BRAND}, query ${ticketId}: ${answer}`, `${BRAND}: we have answered your query ${ticketId}. Please see your email or self-care.`],
  }),
  topUpCompleted: ({ givenName, amount, currency, balance }) => {
    const [added, total] = [formatMoney(amount, currency, 'en'), formatMoney(balance, currency, 'en')];
    return {
      subject: `Your ${BRAND} top-up of ${added} is done`,
      blocks: [
        { p: greeting.en(givenName) },
        { p: `We have added ${added} to your balance.` },
        { fields: [['Top-up', added], ['Balance now', total]] },
        { p: signature.en },
      ],
      sms: [`${BRAND}: we have added ${added} to your balance. Your balance is now ${total}.`],
    };
  },
  topUpFailed: ({ givenName, amount, currency, reason, refunded }) => {
    const [asked, refund] = [formatMoney(amount, currency, 'en'), refundOf(refunded, currency, 'en')];
    return {
      subject: `Your ${BRAND} top-up of ${asked} did not go through`,
      blocks: [
        { p: greeting.en(givenName) },
        { p: `Your top-up of ${asked} did not go through and nothing was added to your balance.` },
        { fields: [['Reason', reason]] },
        ...(refund ? [{ p: `We have refunded ${refund} to your card.` }] : []),
        { p: 'You can try again with another card or a voucher.' },
        { p: signature.en },
      ],
      sms: [
        `${BRAND}: your top-up of ${asked} did not go through (${reason}).${refund ? ` We have refunded ${refund}.` : ''} Nothing was added to your balance.`,
        `${BRAND}: your top-up of ${asked} did not go through.${refund ? ` We have refunded ${refund}.` : ''}`,
      ],
    };
  },
  lowBalance: ({ givenName, balance, currency, threshold }) => {
    const [left, limit] = [formatMoney(balance, currency, 'en'), formatMoney(threshold, currency, 'en')];
    return {
      subject: `Your ${BRAND} balance is low: ${left}`,
      blocks: [
        { p: greeting.en(givenName) },
        { p: `Your balance is ${left}, below ${limit}. Top up to keep using your services.` },
        { p: signature.en },
      ],
      sms: [`${BRAND}: your balance is ${left}, below ${limit}. Top up to keep using your services.`],
    };
  },
  billDunning: ({ givenName, stage, billNo, amount, currency, dueDate, nextStepDate }) => {
    const total = formatMoney(amount, currency, 'en');
    const what: Record<DunningStage, { subject: string; p: string; sms: string }> = {
      reminder: {
        subject: `Reminder: your ${BRAND} bill ${billNo} is overdue`,
        p: `We have not yet received the payment of your bill ${billNo}, due on ${dueDate}.${nextStepDate ? ` Please pay by ${nextStepDate}.` : ''}`,
        sms: `${BRAND}: bill ${billNo} (${total}) was due on ${dueDate} and is unpaid. Please pay${nextStepDate ? ` by ${nextStepDate}` : ' now'}.`,
      },
      finalReminder: {
        subject: `Final reminder: your ${BRAND} bill ${billNo} is overdue`,
        p: `Your bill ${billNo}, due on ${dueDate}, is still unpaid. If we do not receive the payment${nextStepDate ? ` by ${nextStepDate}` : ''}, your outgoing service will be suspended.`,
        sms: `${BRAND}: final reminder, bill ${billNo} (${total}) is unpaid. Pay${nextStepDate ? ` by ${nextStepDate}` : ' now'} to avoid suspension of outgoing service.`,
      },
      suspended: {
        subject: `Your ${BRAND} service is suspended: bill ${billNo} unpaid`,
        p: `Because your bill ${billNo}, due on ${dueDate}, is unpaid, your outgoing service is suspended. It is restored as soon as you pay.${nextStepDate ? ` Without payment by ${nextStepDate} your contract will be terminated.` : ''}`,
        sms: `${BRAND}: outgoing service suspended, bill ${billNo} (${total}) unpaid. Pay to restore it${nextStepDate ? `; unpaid by ${nextStepDate}, the contract ends` : ''}.`,
      },
      restored: {
        subject: `Your ${BRAND} service is restored`,
        p: `Thank you for your payment. Your service is restored.`,
        sms: `${BRAND}: thank you for paying bill ${billNo}. Your service is restored.`,
      },
      terminated: {
        subject: `Your ${BRAND} contract is terminated: bill ${billNo} unpaid`,
        p: `Because your bill ${billNo}, due on ${dueDate}, remained unpaid, your contract and its services are terminated. The amount due is still owed.`,
        sms: `${BRAND}: bill ${billNo} (${total}) remained unpaid; your contract is terminated. The amount is still owed.`,
      },
      finalBillReminder: {
        subject: `Reminder: your final ${BRAND} bill ${billNo} is unpaid`,
        p: `Your contract has ended, and your final bill ${billNo}, due on ${dueDate}, is still unpaid.${nextStepDate ? ` Please pay by ${nextStepDate}; after that date the amount owed is passed to debt collection.` : ''}`,
        sms: `${BRAND}: your final bill ${billNo} (${total}) is unpaid. Please pay${nextStepDate ? ` by ${nextStepDate}; after that it goes to debt collection` : ' now'}.`,
      },
      debtCollection: {
        subject: `Your unpaid ${BRAND} balance is passed to debt collection`,
        p: `Your final bill ${billNo}, due on ${dueDate}, remained unpaid. The amount owed is now passed to debt collection.`,
        sms: `${BRAND}: the unpaid balance of ${total} (final bill ${billNo}) is passed to debt collection.`,
      },
    };
    const t = what[stage];
    return {
      subject: t.subject,
      blocks: [
        { p: greeting.en(givenName) },
        { p: t.p },
        { fields: [['Bill number', billNo], ['Amount due', stage === 'restored' ? undefined : total], ['Due date', dueDate]] },
        { p: signature.en },
      ],
      sms: [t.sms, `${BRAND}: bill ${billNo}: ${stage === 'restored' ? 'service restored' : `${total} overdue`}.`],
    };
  },
};

const es: Templates = {
  welcome: ({ givenName, customerId, msisdn }) => ({
    subject: `Te damos la bienvenida a ${BRAND}, ${givenName}`,
    blocks: [
      { p: greeting.es(givenName) },
      { p: `¡Te damos la bienvenida a ${BRAND}! Tu cuenta de cliente ya está lista.` },
      { fields: [['Número de cliente', customerId], ['Número de móvil', msisdn]] },
      { p: 'Ten a mano tu número de cliente cuando contactes con nosotros.' },
      { p: signature.es },
    ],
    sms: [
      `¡Te damos la bienvenida a ${BRAND}, ${givenName}! Tu número de cliente es ${customerId}.${msisdn ? ` Tu móvil ${msisdn} ya está activo.` : ''}`,
      `¡Te damos la bienvenida a ${BRAND}! Tu número de cliente es ${customerId}.`,
    ],
  }),
  registrationRejected: ({ givenName, reasons = [] }) => ({
    subject: `No hemos podido aceptar tu registro en ${BRAND}`,
    blocks: [
      { p: greeting.es(givenName) },
      { p: reasons.length ? 'No hemos podido aceptar tu registro por estos motivos:' : 'No hemos podido aceptar tu registro.' },
      { list: reasons },
      { p: 'Puedes registrarte de nuevo con los datos corregidos cuando quieras.' },
      { p: signature.es },
    ],
    sms: [
      `${BRAND}: no hemos podido aceptar tu registro${reasons.length ? `: ${reasons.join('; ')}` : ''}. Puedes registrarte de nuevo con los datos corregidos.`,
      `${BRAND}: no hemos podido aceptar tu registro. Revisa tus datos y regístrate de nuevo.`,
    ],
  }),
  registrationExpired: ({ givenName, registrationId }) => ({
    subject: `Tu registro en ${BRAND} ha caducado`,
    blocks: [
      { p: greeting.es(givenName) },
      { p: 'Tu registro no se completó a tiempo y ha caducado. Puedes empezar uno nuevo cuando quieras.' },
      { fields: [['Referencia', registrationId]] },
      { p: signature.es },
    ],
    sms: [`${BRAND}: tu registro ha caducado porque no se completó a tiempo. Puedes empezar uno nuevo cuando quieras.`],
  }),
  registrationFailed: ({ givenName, registrationId }) => ({
    subject: `No hemos podido completar tu registro en ${BRAND}`,
    blocks: [
      { p: greeting.es(givenName) },
      { p: 'Algo ha fallado por nuestra parte y no hemos podido completar tu registro. Lo sentimos.' },
      { p: 'Inténtalo de nuevo más tarde o contacta con nosotros indicando la referencia.' },
      { fields: [['Referencia', registrationId]] },
      { p: signature.es },
    ],
    sms: [
      `${BRAND}: no hemos podido completar tu registro por un problema nuestro. Inténtalo más tarde.${registrationId ? ` Ref: ${registrationId}` : ''}`,
      `${BRAND}: no hemos podido completar tu registro por un problema nuestro. Inténtalo más tarde.`,
    ],
  }),
  identityReviewEscalation: ({ registrationId, waitingSince, supervisorName }) => ({
    subject: `Revisión de identidad pendiente: registro ${registrationId}`,
    blocks: [
      { p: greeting.es(supervisorName) },
      { p: `El registro ${registrationId} espera una revisión manual de identidad desde ${formatDateTime(waitingSince)}.` },
      { p: 'Asígnalo a un revisor o revísalo tú.' },
      { p: BRAND },
    ],
    sms: [
      `${BRAND}: el registro ${registrationId} espera revisión de identidad desde ${formatDateTime(waitingSince)}. Asigna un revisor.`,
      `${BRAND}: un registro lleva demasiado tiempo esperando revisión de identidad. Asigna un revisor.`,
    ],
  }),
  identityReviewRequested: ({ registrationId, reasons = [] }) => ({
    subject: `Revisión de identidad necesaria: registro ${registrationId}`,
    blocks: [
      { p: greeting.es() },
      { p: `El registro ${registrationId} necesita una revisión manual de identidad antes de abrir la cuenta del cliente.` },
      ...(reasons.length ? [{ p: 'Motivos:' }, { list: reasons }] : []),
      { p: 'Revísalo en la cola de revisiones de identidad.' },
      { p: BRAND },
    ],
    sms: [
      `${BRAND}: el registro ${registrationId} necesita una revisión manual de identidad${reasons.length ? `: ${reasons.join('; ')}` : ''}.`,
      `${BRAND}: el registro ${registrationId} necesita una revisión manual de identidad.`,
    ],
  }),
  orderAcknowledged: ({ givenName, orderId, items }) => ({
    subject: `Hemos recibido tu pedido ${orderId} de ${BRAND}`,
    blocks: [
      { p: greeting.es(givenName) },
      { p: 'Gracias por tu pedido. Lo hemos recibido y empezaremos a prepararlo en breve.' },
      { fields: [['Número de pedido', orderId]] },
      ...(items.length ? [{ p: 'Has pedido:' }, { list: items }] : []),
      { p: 'Te iremos informando de cómo avanza.' },
      { p: signature.es },
    ],
    sms: [
      `${BRAND}: hemos recibido tu pedido ${orderId}${items.length ? `: ${items.join(', ')}` : ''}. Te iremos informando de cómo avanza.`,
      `${BRAND}: hemos recibido tu pedido ${orderId}. Te iremos informando de cómo avanza.`,
    ],
  }),
  orderInProgress: ({ givenName, orderId, appointment }) => {
    const visit = appointment && formatTimeWindow(appointment.start, appointment.end);
    return {
      subject: `Estamos preparando tu pedido ${orderId} de ${BRAND}`,
      blocks: [
        { p: greeting.es(givenName) },
        { p: 'Estamos trabajando en tu pedido.' },
        { fields: [['Número de pedido', orderId]] },
        ...(appointment
          ? [
              { p: 'Un técnico te visitará para instalar el servicio:' },
              { fields: [['Visita', visit], ['Dirección', appointment.address]] as Array<[string, string | undefined]> },
              { p: 'Asegúrate de que haya alguien para abrir al técnico en ese horario.' },
            ]
          : [{ p: 'Te avisaremos en cuanto tu servicio esté activo.' }]),
        { p: signature.es },
      ],
      sms: appointment
        ? [
            `${BRAND}: estamos trabajando en tu pedido ${orderId}. Visita del técnico: ${visit}${appointment.address ? ` en ${appointment.address}` : ''}.`,
            `${BRAND}: estamos trabajando en tu pedido ${orderId}. Visita del técnico: ${visit}.`,
          ]
        : [`${BRAND}: estamos trabajando en tu pedido ${orderId}. Te avisaremos en cuanto tu servicio esté activo.`],
    };
  },
  orderPending: ({ givenName, orderId, reason }) => ({
    subject: `Tu pedido ${orderId} de ${BRAND} está en espera`,
    blocks: [
      { p: greeting.es(givenName) },
      { p: 'Por ahora no podemos seguir con tu pedido.' },
      { fields: [['Número de pedido', orderId], ['Motivo', reason]] },
      { p: 'Lo retomaremos en cuanto podamos y te avisaremos. No tienes que hacer nada.' },
      { p: signature.es },
    ],
    sms: [
      `${BRAND}: tu pedido ${orderId} está en espera (${reason}). Lo retomaremos en cuanto podamos y te avisaremos.`,
      `${BRAND}: tu pedido ${orderId} está en espera. Lo retomaremos en cuanto podamos y te avisaremos.`,
    ],
  }),
  orderPaymentDeclined: ({ givenName, orderId, amount, currency, reason, payBefore }) => {
    const total = formatMoney(amount, currency, 'es');
    const deadline = formatDateTime(payBefore);
    return {
      subject: `Pago rechazado para tu pedido ${orderId} de ${BRAND}`,
      blocks: [
        { p: greeting.es(givenName) },
        { p: `Se ha rechazado el pago de ${total} de tu pedido.` },
        { fields: [['Número de pedido', orderId], ['Importe', total], ['Motivo', reason]] },
        { p: `Paga con otro medio de pago antes del ${deadline}. Si para entonces no hemos recibido el pago, el pedido se cancelará.` },
        { p: signature.es },
      ],
      sms: [
        `${BRAND}: pago de ${total} del pedido ${orderId} rechazado (${reason}). Paga con otro medio antes del ${deadline} o el pedido se cancelará.`,
        `${BRAND}: pago de ${total} del pedido ${orderId} rechazado. Paga con otro medio antes del ${deadline} o se cancelará.`,
      ],
    };
  },
  orderCompleted: ({ givenName, orderId, msisdn, items }) => ({
    subject: `Tu pedido ${orderId} de ${BRAND} está completado`,
    blocks: [
      { p: greeting.es(givenName) },
      { p: 'Tu pedido está completado y tu servicio ya está activo.' },
      { fields: [['Número de pedido', orderId], ['Número de móvil', msisdn]] },
      ...(items.length ? [{ p: 'Tu pedido incluía:' }, { list: items }] : []),
      { p: `Gracias por confiar en ${BRAND}.` },
      { p: signature.es },
    ],
    sms: [
      `${BRAND}: tu pedido ${orderId} está completado${items.length ? `: ${items.join(', ')}` : ''}. Tu servicio ya está activo.${msisdn ? ` Tu número es ${msisdn}.` : ''}`,
      `${BRAND}: tu pedido ${orderId} está completado y tu servicio ya está activo.${msisdn ? ` Tu número es ${msisdn}.` : ''}`,
    ],
  }),
  orderRejected: ({ givenName, orderId, reasons = [] }) => ({
    subject: `No hemos podido aceptar tu pedido ${orderId} de ${BRAND}`,
    blocks: [
      { p: greeting.es(givenName) },
      { p: reasons.length ? 'No hemos podido aceptar tu pedido por estos motivos:' : 'No hemos podido aceptar tu pedido.' },
      { list: reasons },
      { fields: [['Número de pedido', orderId]] },
      { p: 'Si tienes cualquier duda, contacta con nosotros indicando el número de pedido.' },
      { p: signature.es },
    ],
    sms: [
      `${BRAND}: no hemos podido aceptar tu pedido ${orderId}${reasons.length ? `: ${reasons.join('; ')}` : ''}. Si tienes dudas, contacta con nosotros.`,
      `${BRAND}: no hemos podido aceptar tu pedido ${orderId}. Contacta con nosotros para conocer los detalles.`,
    ],
  }),
  orderFailed: ({ givenName, orderId, refunded, currency }) => {
    const refund = refundOf(refunded, currency, 'es');
    const refundText = refund ? `Te hemos devuelto ${refund} a tu medio de pago.` : 'Te devolveremos lo que hayas pagado por este pedido.';
    return {
      subject: `No hemos podido completar tu pedido ${orderId} de ${BRAND}`,
      blocks: [
        { p: greeting.es(givenName) },
        { p: 'Algo ha fallado por nuestra parte y no hemos podido completar tu pedido. Lo sentimos.' },
        { p: refundText },
        { fields: [['Número de pedido', orderId]] },
        { p: 'Puedes hacer el pedido de nuevo o contactar con nosotros indicando el número de pedido.' },
        { p: signature.es },
      ],
      sms: [
        `${BRAND}: no hemos podido completar tu pedido ${orderId} por un problema nuestro. ${refundText}`,
        `${BRAND}: no hemos podido completar tu pedido ${orderId}. ${refund ? `Te hemos devuelto ${refund}.` : 'Te devolveremos lo que hayas pagado.'}`,
      ],
    };
  },
  orderCancelled: ({ givenName, orderId, reason, refunded, currency }) => {
    const refund = refundOf(refunded, currency, 'es');
    return {
      subject: `Tu pedido ${orderId} de ${BRAND} se ha cancelado`,
      blocks: [
        { p: greeting.es(givenName) },
        { p: 'Tu pedido se ha cancelado.' },
        { fields: [['Número de pedido', orderId], ['Motivo', reason]] },
        ...(refund ? [{ p: `Te hemos devuelto ${refund} a tu medio de pago.` }] : []),
        { p: signature.es },
      ],
      sms: [
        `${BRAND}: tu pedido ${orderId} se ha cancelado${reason ? ` (${reason})` : ''}.${refund ? ` Te hemos devuelto ${refund} a tu medio de pago.` : ''}`,
        `${BRAND}: tu pedido ${orderId} se ha cancelado.${refund ? ` Te hemos devuelto ${refund}.` : ''}`,
      ],
    };
  },
  appointmentRescheduled: ({ givenName, orderId, start, end, reason }) => {
    const visit = formatTimeWindow(start, end);
    const why =
      reason === 'missed'
        ? 'Tu visita de instalación no pudo hacerse como estaba previsto.'
        : reason === 'moved'
          ? 'Tu visita de instalación ha cambiado de fecha.'
          : 'Tu visita de instalación tiene una nueva fecha.';
    return {
      subject: `Nueva fecha de instalación para tu pedido ${orderId} de ${BRAND}`,
      blocks: [
        { p: greeting.es(givenName) },
        { p: `${why} El técnico te visitará en esta fecha:` },
        { fields: [['Nueva visita', visit], ['Número de pedido', orderId]] },
        { p: 'Asegúrate de que haya alguien para abrir al técnico en ese horario.' },
        { p: signature.es },
      ],
      sms: [
        `${BRAND}: ${lowerFirst(why)} Nueva visita para el pedido ${orderId}: ${visit}.`,
        `${BRAND}: nueva visita de instalación para el pedido ${orderId}: ${visit}.`,
      ],
    };
  },
  installationEscalation: ({ orderId, workOrderId, misses, area }) => ({
    subject: `Instalación fallida ${times.es(misses)}: pedido ${orderId}`,
    blocks: [
      { p: greeting.es() },
      { p: `La visita del técnico para el pedido ${orderId} ha fallado ${times.es(misses)} y necesita a un supervisor.` },
      { fields: [['Pedido', orderId], ['Orden de trabajo', workOrderId], ['Visitas fallidas', String(misses)], ['Zona', area]] },
      { p: 'Contacta con el cliente y organiza la próxima visita.' },
      { p: BRAND },
    ],
    sms: [
      `${BRAND}: la visita de instalación del pedido ${orderId} (orden de trabajo ${workOrderId}${area ? `, ${area}` : ''}) ha fallado ${times.es(misses)}. Organiza la próxima visita.`,
      `${BRAND}: la visita de instalación del pedido ${orderId} ha fallado ${times.es(misses)}. Organiza la próxima visita.`,
    ],
  }),
  billIssued: ({ givenName, billNo, periodStart, periodEnd, amountDue, currency, dueDate }) => {
    const credit = amountDue.startsWith('-');
    const due = formatMoney(credit ? amountDue.slice(1) : amountDue, currency, 'es');
    return {
      subject: `Tu factura ${billNo} de ${BRAND}`,
      blocks: [
        { p: greeting.es(givenName) },
        { p: `Tu factura del ${periodStart} al ${periodEnd} ya está disponible; la tienes adjunta en PDF.` },
        { fields: [['Número de factura', billNo], [credit ? 'Saldo a tu favor' : 'Importe a pagar', due], ['Fecha de vencimiento', credit ? undefined : dueDate]] },
        { p: credit || money(amountDue).isZero() ? 'No tienes nada que pagar.' : 'Puedes pagar con tarjeta en el área de cliente o por transferencia indicando el número de factura (datos en la factura).' },
        { p: signature.es },
      ],
      sms: [`${BRAND}: tu factura ${billNo} ya está disponible. ${credit ? `Saldo a tu favor: ${due}.` : `Importe ${due}, vence el ${dueDate}.`}`],
    };
  },
  ticketAssigned: ({ ticketId, ticketType, severity, description, assigneeName }) => ({
    subject: `Nueva consulta ${ticketType} (${severity}): ${ticketId}`,
    blocks: [
      { p: greeting.es(assigneeName) },
      { p: 'Se te ha asignado una consulta de un cliente.' },
      { fields: [['Consulta', ticketId], ['Tipo', ticketType], ['Gravedad', severity]] },
      { p: description },
      { p: BRAND },
    ],
    sms: [`${BRAND}: se te ha asignado la consulta ${ticketId} (${ticketType}, ${severity}).`],
  }),
  ticketReminder: ({ ticketId, deadline, assigneeName }) => ({
    subject: `Recordatorio: la consulta ${ticketId} vence el ${formatDateTime(deadline)}`,
    blocks: [
      { p: greeting.es(assigneeName) },
      { p: `La consulta ${ticketId} debe resolverse antes del ${formatDateTime(deadline)}. Responde al cliente antes de esa fecha.` },
      { p: BRAND },
    ],
    sms: [`${BRAND}: la consulta ${ticketId} vence el ${formatDateTime(deadline)}.`],
  }),
  ticketEscalation: ({ ticketId, queue, deadline, severity, assigneeName, supervisorName }) => ({
    subject: `Consulta ${ticketId} vencida (${severity}, ${queue})`,
    blocks: [
      { p: greeting.es(supervisorName) },
      { p: `La consulta ${ticketId} de la cola ${queue} vencía el ${formatDateTime(deadline)} y no está resuelta.` },
      { fields: [['Consulta', ticketId], ['Gravedad', severity], ['Asignada a', assigneeName]] },
      { p: 'Hazte cargo de ella o reasígnala.' },
      { p: BRAND },
    ],
    sms: [`${BRAND}: la consulta ${ticketId} (${severity}, ${queue}) está vencida desde el ${formatDateTime(deadline)}.`],
  }),
  ticketAnswered: ({ givenName, ticketId, answer, status, reopenUntil }) => ({
    subject: status === 'rejected' ? `Sobre tu consulta ${ticketId}` : `Hemos respondido a tu consulta ${ticketId}`,
    blocks: [
      { p: greeting.es(givenName) },
      { p: status === 'rejected' ? 'Hemos revisado tu consulta y no podemos darle curso:' : 'Hemos revisado tu consulta. Nuestra respuesta:' },
      { p: answer },
      ...(reopenUntil ? [{ p: `Si no queda resuelta, puedes reabrir la consulta hasta el ${formatDateTime(reopenUntil)}.` }] : []),
      { fields: [['Consulta', ticketId]] },
      { p: signature.es },
    ],
    sms: [`${BRAND}, consulta ${ticketId}: ${answer}`, `${BRAND}: hemos respondido a tu consulta ${ticketId}. Consulta tu email o el area de cliente.`],
  }),
  topUpCompleted: ({ givenName, amount, currency, balance }) => {
    const [added, total] = [formatMoney(amount, currency, 'es'), formatMoney(balance, currency, 'es')];
    return {
      subject: `Tu recarga de ${added} en ${BRAND} está hecha`,
      blocks: [
        { p: greeting.es(givenName) },
        { p: `Hemos añadido ${added} a tu saldo.` },
        { fields: [['Recarga', added], ['Saldo actual', total]] },
        { p: signature.es },
      ],
      sms: [`${BRAND}: hemos añadido ${added} a tu saldo. Tu saldo es ahora ${total}.`],
    };
  },
  topUpFailed: ({ givenName, amount, currency, reason, refunded }) => {
    const [asked, refund] = [formatMoney(amount, currency, 'es'), refundOf(refunded, currency, 'es')];
    return {
      subject: `Tu recarga de ${asked} en ${BRAND} no se ha completado`,
      blocks: [
        { p: greeting.es(givenName) },
        { p: `Tu recarga de ${asked} no se ha completado y no se ha añadido nada a tu saldo.` },
        { fields: [['Motivo', reason]] },
        ...(refund ? [{ p: `Te hemos devuelto ${refund} a tu tarjeta.` }] : []),
        { p: 'Puedes volver a intentarlo con otra tarjeta o con un cupón.' },
        { p: signature.es },
      ],
      sms: [
        `${BRAND}: tu recarga de ${asked} no se ha completado (${reason}).${refund ? ` Te hemos devuelto ${refund}.` : ''} No se ha añadido nada a tu saldo.`,
        `${BRAND}: tu recarga de ${asked} no se ha completado.${refund ? ` Te hemos devuelto ${refund}.` : ''}`,
      ],
    };
  },
  lowBalance: ({ givenName, balance, currency, threshold }) => {
    const [left, limit] = [formatMoney(balance, currency, 'es'), formatMoney(threshold, currency, 'es')];
    return {
      subject: `Tu saldo en ${BRAND} es bajo: ${left}`,
      blocks: [
        { p: greeting.es(givenName) },
        { p: `Tu saldo es de ${left}, por debajo de ${limit}. Recarga para seguir usando tus servicios.` },
        { p: signature.es },
      ],
      sms: [`${BRAND}: tu saldo es de ${left}, por debajo de ${limit}. Recarga para seguir usando tus servicios.`],
    };
  },
  billDunning: ({ givenName, stage, billNo, amount, currency, dueDate, nextStepDate }) => {
    const total = formatMoney(amount, currency, 'es');
    const what: Record<DunningStage, { subject: string; p: string; sms: string }> = {
      reminder: {
        subject: `Recordatorio: tu factura ${billNo} de ${BRAND} está vencida`,
        p: `Aún no hemos recibido el pago de tu factura ${billNo}, con vencimiento el ${dueDate}.${nextStepDate ? ` Págala antes del ${nextStepDate}.` : ''}`,
        sms: `${BRAND}: la factura ${billNo} (${total}) venció el ${dueDate} y está pendiente. Págala${nextStepDate ? ` antes del ${nextStepDate}` : ' ya'}.`,
      },
      finalReminder: {
        subject: `Último aviso: tu factura ${billNo} de ${BRAND} está vencida`,
        p: `Tu factura ${billNo}, con vencimiento el ${dueDate}, sigue pendiente. Si no recibimos el pago${nextStepDate ? ` antes del ${nextStepDate}` : ''}, suspenderemos tu servicio saliente.`,
        sms: `${BRAND}: último aviso, factura ${billNo} (${total}) pendiente. Págala${nextStepDate ? ` antes del ${nextStepDate}` : ' ya'} para evitar la suspensión.`,
      },
      suspended: {
        subject: `Tu servicio de ${BRAND} está suspendido: factura ${billNo} pendiente`,
        p: `Como tu factura ${billNo}, con vencimiento el ${dueDate}, está pendiente, tu servicio saliente está suspendido. Se restablece en cuanto pagues.${nextStepDate ? ` Sin pago antes del ${nextStepDate} daremos de baja tu contrato.` : ''}`,
        sms: `${BRAND}: servicio saliente suspendido, factura ${billNo} (${total}) pendiente. Paga para restablecerlo.`,
      },
      restored: {
        subject: `Tu servicio de ${BRAND} está restablecido`,
        p: `Gracias por tu pago. Tu servicio está restablecido.`,
        sms: `${BRAND}: gracias por pagar la factura ${billNo}. Tu servicio está restablecido.`,
      },
      terminated: {
        subject: `Tu contrato de ${BRAND} está dado de baja: factura ${billNo} pendiente`,
        p: `Como tu factura ${billNo}, con vencimiento el ${dueDate}, sigue pendiente, tu contrato y sus servicios están dados de baja. El importe sigue siendo debido.`,
        sms: `${BRAND}: la factura ${billNo} (${total}) sigue pendiente; tu contrato está dado de baja. El importe sigue siendo debido.`,
      },
      finalBillReminder: {
        subject: `Recordatorio: tu última factura ${billNo} de ${BRAND} está pendiente`,
        p: `Tu contrato ha terminado y tu última factura ${billNo}, con vencimiento el ${dueDate}, sigue pendiente.${nextStepDate ? ` Págala antes del ${nextStepDate}; después de esa fecha el importe pasará a una agencia de recobro.` : ''}`,
        sms: `${BRAND}: tu última factura ${billNo} (${total}) está pendiente. Págala${nextStepDate ? ` antes del ${nextStepDate}; después pasará a recobro` : ' ya'}.`,
      },
      debtCollection: {
        subject: `Tu saldo pendiente con ${BRAND} pasa a recobro`,
        p: `Tu última factura ${billNo}, con vencimiento el ${dueDate}, sigue pendiente. El importe debido pasa ahora a una agencia de recobro.`,
        sms: `${BRAND}: el saldo pendiente de ${total} (última factura ${billNo}) pasa a recobro.`,
      },
    };
    const t = what[stage];
    return {
      subject: t.subject,
      blocks: [
        { p: greeting.es(givenName) },
        { p: t.p },
        { fields: [['Número de factura', billNo], ['Importe pendiente', stage === 'restored' ? undefined : total], ['Fecha de vencimiento', dueDate]] },
        { p: signature.es },
      ],
      sms: [t.sms, `${BRAND}: factura ${billNo}: ${stage === 'restored' ? 'servicio restablecido' : `${total} pendiente`}.`],
    };
  },
};

const TEMPLATES: Record<Language, Templates> = { en, es };

/** Renders an event in a language (`es-ES` → es; unknown languages fall back to English). */
export function renderNotification<E extends NotificationEvent>(
  event: E,
  language: string | undefined,
  params: NotificationParams[E],
): RenderedNotification {
  const lang = resolveLanguage(language);
  if (!Object.hasOwn(TEMPLATES[lang], event)) throw new Error(`no template for notification event ${String(event)}`);
  const template = (TEMPLATES[lang][event] as (p: NotificationParams[E]) => Template)(params);
  return {
    subject: template.subject,
    text: `${renderText(template.blocks)}\n`,
    html: renderHtml(lang, template.blocks),
    sms: chooseSms(template.sms),
  };
}
