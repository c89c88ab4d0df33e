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
import { planSms, toGsm7 } from './sms-encoding';

export const NOTIFICATION_EVENTS = [
  'welcome',
  'registrationRejected',
  'registrationExpired',
  'registrationFailed',
  'identityReviewEscalation',
  'identityReviewRequested',
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

/** What each event's parameters must be at run time (they arrive as JSON); other keys are dropped. */
const PARAM_SCHEMAS = {
  welcome: z.object({ givenName: requiredText, customerId: requiredText, msisdn: optionalText }),
  registrationRejected: z.object({ givenName: optionalText, reasons: reasonList }),
  registrationExpired: z.object({ givenName: optionalText, registrationId: optionalText }),
  registrationFailed: z.object({ givenName: optionalText, registrationId: optionalText }),
  identityReviewEscalation: z.object({ registrationId: requiredText, waitingSince: requiredText, supervisorName: optionalText }),
  identityReviewRequested: z.object({ registrationId: requiredText, reasons: reasonList }),
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
