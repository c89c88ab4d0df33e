/**
 * TMF640 Service Activation and Configuration v4: the service (the same shape as a TMF638
 * service), the monitor of each network request, and the `serviceCharacteristic` a service needs
 * for the network to act on it.
 *
 * Characteristics (`{ "name": …, "value": … }`; booleans and numbers may also be written as
 * strings):
 *
 * | name | kinds | value |
 * |---|---|---|
 * | `serviceKind` | all | `mobile`, `ftth` or `content` (required) |
 * | `networkServiceId` | all | the id the network knows the service by (default: this service's id; give the TMF638 service id to act on a service an order activated) |
 * | `msisdn` | mobile | E.164 with `+`, e.g. `+34600000001` |
 * | `imsi` | mobile | 15 digits |
 * | `iccid` | mobile | 19 or 20 digits starting 89, Luhn check digit |
 * | `paymentType` | mobile | `prepaid` or `postpaid` |
 * | `voice`, `sms`, `data` | mobile | booleans, default true |
 * | `downlinkMbps`, `uplinkMbps` | mobile (optional, default 100/50), ftth (required) | whole Mbit/s, 1 to 999999 |
 * | `accessNode` | ftth | the OLT, e.g. `OLT-MAD-01` |
 * | `port` | ftth | frame/slot/port, e.g. `1/1/7` |
 * | `subscriberId` | content | the subscriber on the content platform (e.g. the customer id) |
 * | `entitlement` | content | the product code, e.g. `VIDEO-PREMIUM` |
 */
import { z } from 'zod';
import { MONITOR_STATES } from '../../db/activation-models';
import type { ServiceToProvision } from '../../domain/provisioning/commands';
import { isValidIccid, isValidImsi } from '../../domain/inventory/sim';
import { tmfBase } from './common';
import { serviceSchema as tmf638ServiceSchema } from './tmf638';

/** The TMF640 service: the TMF638 shape (state and serviceSpecification required on create). */
export const activationServiceSchema = tmf638ServiceSchema;

const headerItem = z.object({ name: z.string(), value: z.string(), ...tmfBase }).loose();

/** TMF640 Monitor: written by the server only. */
export const monitorSchema = z.object({
  sourceHref: z.string(),
  state: z.enum(MONITOR_STATES),
  request: z.object({ body: z.string(), header: z.array(headerItem), method: z.string().optional(), to: z.string().optional(), ...tmfBase }).loose().optional(),
  response: z.object({ body: z.string(), header: z.array(headerItem), statusCode: z.string().optional(), ...tmfBase }).loose().optional(),
  ...tmfBase,
});

const SERVICE_KINDS = ['mobile', 'ftth', 'content'] as const;

/** A boolean written as one, or as "true"/"false"/"yes"/"no". */
const flag = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.toLowerCase();
  return s === 'true' || s === 'yes' ? true : s === 'false' || s === 'no' ? false : v;
}, z.boolean());

/** Whole Mbit/s, written as a number or a string of digits. */
const mbps = z.preprocess((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v), z.number().int().min(1).max(999_999));

const networkServiceId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,63}$/, 'letters, digits and ._:@+- (at most 64)').optional();

const mobile = z.object({
  serviceKind: z.literal('mobile'),
  networkServiceId,
  msisdn: z.string().regex(/^\+[1-9]\d{6,14}$/, 'E.164 with +, e.g. +34600000001'),
  imsi: z.string().refine(isValidImsi, '15 digits'),
  iccid: z.string().refine(isValidIccid, '19 or 20 digits starting 89 with a valid Luhn check digit'),
  paymentType: z.enum(['prepaid', 'postpaid']),
  voice: flag.default(true),
  sms: flag.default(true),
  data: flag.default(true),
  downlinkMbps: mbps.optional(),
  uplinkMbps: mbps.optional(),
});

const ftth = z.object({
  serviceKind: z.literal('ftth'),
  networkServiceId,
  accessNode: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$/, 'an access node name, e.g. OLT-MAD-01'),
  port: z.string().regex(/^\d{1,3}(\/\d{1,3}){1,3}$/, 'frame/slot/port, e.g. 1/1/7'),
  downlinkMbps: mbps,
  uplinkMbps: mbps,
});

const content = z.object({
  serviceKind: z.literal('content'),
  networkServiceId,
  subscriberId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,63}$/, 'letters, digits and ._:@+- (at most 64)'),
  entitlement: z.string().regex(/^[A-Z0-9][A-Z0-9_-]{0,63}$/, 'upper-case letters, digits, _ and -, e.g. VIDEO-PREMIUM'),
});

const BY_KIND = { mobile, ftth, content } as const;

/**
 * The service as the provisioning activities take it, from the TMF640 service's characteristics,
 * or every problem, each naming its field (`serviceCharacteristic.imsi: 15 digits`).
 */
export function serviceToProvision(serviceId: string, characteristics: unknown): { service: ServiceToProvision } | { problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const c of Array.isArray(characteristics) ? characteristics : []) {
    const { name, value } = (c ?? {}) as { name?: unknown; value?: unknown };
    if (typeof name !== 'string') continue;
    if (name in values) problems.push(`serviceCharacteristic.${name}: given more than once`);
    values[name] = value;
  }
  const kind = values.serviceKind;
  if (!SERVICE_KINDS.includes(kind as (typeof SERVICE_KINDS)[number])) {
    return { problems: [...problems, `serviceCharacteristic.serviceKind: one of ${SERVICE_KINDS.join(', ')} is needed for the network to act on the service`] };
  }
  const parsed = BY_KIND[kind as keyof typeof BY_KIND].safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.join('.');
      const message = issue.code === 'invalid_type' && values[field] === undefined ? `required for a ${String(kind)} service` : issue.message;
      problems.push(`serviceCharacteristic.${field}: ${message}`);
    }
  }
  if (problems.length || !parsed.success) return { problems };
  const { serviceKind, networkServiceId: id, ...rest } = parsed.data;
  return { service: { kind: serviceKind, serviceId: id ?? serviceId, ...rest } as ServiceToProvision };
}
