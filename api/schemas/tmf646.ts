/**
 * TMF646 Appointment Management v4: the appointment and the time-slot search as clients write
 * them. The place is `relatedPlace` with its `postcode` (TMF673 GeographicAddress attributes), by
 * which the technicians of the area are found; `durationMinutes` (our extension, default 120) is
 * the length of the slots a search returns.
 */
import { z } from 'zod';
import { APPOINTMENT_STATUSES } from '../../domain/workforce/lifecycle';
import { dateTime, tmfBase } from './common';
import { contactMedium, relatedEntity, relatedParty } from './tmf632';

const period = z.object({ startDateTime: dateTime, endDateTime: dateTime });

export const relatedPlace = z
  .object({
    id: z.string().optional(),
    href: z.string().optional(),
    name: z.string().optional(),
    role: z.string().min(1),
    postcode: z.string().min(1).optional(),
    ...tmfBase,
    '@referredType': z.string().optional(),
  })
  .loose();

export const note = z.object({ id: z.string().optional(), author: z.string().optional(), date: dateTime.optional(), text: z.string().optional(), ...tmfBase }).loose();

const timeSlot = z
  .object({ id: z.string().optional(), href: z.string().optional(), validFor: period, relatedParty: relatedParty.optional(), ...tmfBase })
  .loose();

export const appointmentSchema = z.object({
  ...tmfBase,
  category: z.string().optional(),
  description: z.string().optional(),
  externalId: z.string().optional(),
  status: z.enum(APPOINTMENT_STATUSES).optional(),
  validFor: period,
  relatedParty: z.array(relatedParty).optional(),
  relatedEntity: z.array(relatedEntity).optional(),
  relatedPlace: relatedPlace.optional(),
  contactMedium: z.array(contactMedium).optional(),
  note: z.array(note).optional(),
  attachment: z.array(z.object({}).loose()).optional(),
  calendarEvent: z.object({}).loose().optional(),
});

export const searchTimeSlotSchema = z.object({
  ...tmfBase,
  relatedParty: relatedParty.optional(),
  relatedEntity: z.array(relatedEntity).optional(),
  relatedPlace,
  requestedTimeSlot: z.array(timeSlot).optional(),
  durationMinutes: z.number().int().min(1).max(1440).optional(),
});
