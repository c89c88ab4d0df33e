/**
 * The parts of Nchf_ConvergedCharging (3GPP TS 32.291) ChargingDataRequest the OCS reads,
 * validated with zod; other fields are accepted and ignored, as the spec's extensibility asks.
 */
import { z } from 'zod';

const units = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** RequestedUnit / UsedUnitContainer / GrantedUnit: the three kinds of service units we use. */
export const serviceUnitSchema = z.looseObject({
  time: units.optional(),
  totalVolume: units.optional(),
  uplinkVolume: units.optional(),
  downlinkVolume: units.optional(),
  serviceSpecificUnits: units.optional(),
});

export const multipleUnitUsageSchema = z.looseObject({
  ratingGroup: z.number().int().nonnegative().max(0xffffffff),
  // The UPF the usage went through: an SMF with several UPFs on one PDU session reports a rating group once per UPF.
  uPFID: z.string().optional(),
  requestedUnit: serviceUnitSchema.optional(),
  usedUnitContainer: z.array(serviceUnitSchema.extend({ localSequenceNumber: z.number().int().optional() })).optional(),
});

/** ChargingDataRequest (the fields the engine needs). */
export const chargingDataRequestSchema = z.looseObject({
  // An MSISDN is international (TS 29.571's pattern allows a leading 0, which no E.164 number has:
  // Gy refuses such a Subscription-Id-Data 5004 alike, domain/charging/numbers.ts).
  // Optional after the Create (TS 32.291): an update or release names its session by its ref.
  subscriberIdentifier: z.string().regex(/^(msisdn-[1-9][0-9]{4,14}|imsi-[0-9]{5,15})$/, 'msisdn-<international number, no + or leading 0> or imsi-<digits>').optional(),
  nfConsumerIdentification: z.looseObject({ nodeFunctionality: z.string().optional(), nFName: z.string().optional() }),
  invocationTimeStamp: z.iso.datetime({ offset: true }),
  invocationSequenceNumber: z.number().int().nonnegative().max(0xffffffff),
  // A request sent again; a Create is recognised by its content all the same (create-ref.ts).
  retransmissionIndicator: z.boolean().optional(),
  oneTimeEvent: z.boolean().optional(),
  oneTimeEventType: z.enum(['IEC', 'PEC']).optional(),
  // The engine keeps a session's usage and reservations by rating group: one entry each, or one per
  // UPF (uPFID), which the mapping adds up into one.
  multipleUnitUsage: z
    .array(multipleUnitUsageSchema)
    .superRefine((usages, ctx) => {
      // The UPFs each rating group was reported for so far ('' for an entry naming none).
      const seen = new Map<number, Set<string>>();
      usages.forEach((u, i) => {
        const upfs = seen.get(u.ratingGroup) ?? new Set<string>();
        if (upfs.has(u.uPFID ?? '') || (upfs.size > 0 && (u.uPFID === undefined || upfs.has('')))) {
          ctx.addIssue({ code: 'custom', path: [i, 'ratingGroup'], message: `rating group ${u.ratingGroup} appears more than once (other than once per uPFID)` });
        }
        seen.set(u.ratingGroup, upfs.add(u.uPFID ?? ''));
      });
    })
    .optional(),
  iMSChargingInformation: z.looseObject({ calledPartyAddress: z.string().optional() }).optional(),
  // An SMSF's SMS: the recipient (TS 32.291 RecipientInfo), by GPSI or address.
  sMSChargingInformation: z
    .looseObject({
      recipientInfo: z
        .array(z.looseObject({ recipientGPSI: z.string().optional(), recipientOtherAddress: z.looseObject({ sMaddressData: z.string().optional() }).optional() }))
        .optional(),
    })
    .optional(),
  // Where the CHF sends its notifications (re-authorisation after a credit): the consumer's own endpoint.
  notifyUri: z.url({ protocol: /^https?$/, error: 'an http or https URI' }).max(2048).optional(),
}).superRefine((request, ctx) => {
  // A one-time event is charged by its units: without them it would pass free.
  if (request.oneTimeEvent === true && !request.multipleUnitUsage?.length) ctx.addIssue({ code: 'custom', path: ['multipleUnitUsage'], message: 'a one-time event needs the units it charges' });
});

export type ChargingDataRequest = z.infer<typeof chargingDataRequestSchema>;
export type ServiceUnit = z.infer<typeof serviceUnitSchema>;
