/**
 * TMF632 Party Management v4: individuals and organizations as clients write them, and the party
 * data types the other CRM APIs share (RelatedParty, ContactMedium, Characteristic).
 *
 * `individualIdentification[].identificationId` is personal data: it is accepted here in clear,
 * then moved to encrypted storage by the API before anything is stored (see api/tmf632-party.ts);
 * documents and events only ever carry its masked form (`******78Z`).
 */
import { z } from 'zod';
import { dateTime, entityRef, timePeriod, tmfBase } from './common';

/** A date (`1980-05-17`) or a date-time: TMF says date-time, people write dates of birth. */
export const dateOrDateTime = z.union([z.iso.date(), dateTime]);

/** TMF RelatedParty: a party or party role, with the `role` it plays here (e.g. `customer`). */
export const relatedParty = z
  .object({
    id: z.string().min(1),
    href: z.string().optional(),
    name: z.string().optional(),
    role: z.string().optional(),
    '@referredType': z.string().optional(),
    '@type': z.string().optional(),
    '@baseType': z.string().optional(),
  })
  .loose();

/** TMF RelatedEntity: any entity, by reference, and the role it plays here. */
export const relatedEntity = relatedParty;

/** A name/value pair (TMF Characteristic). */
export const characteristic = z
  .object({ id: z.string().optional(), name: z.string().min(1), valueType: z.string().optional(), value: z.unknown(), ...tmfBase })
  .loose();

export const mediumCharacteristic = z
  .object({
    contactType: z.string().optional(),
    emailAddress: z.string().optional(),
    phoneNumber: z.string().optional(),
    faxNumber: z.string().optional(),
    socialNetworkId: z.string().optional(),
    street1: z.string().optional(),
    street2: z.string().optional(),
    postCode: z.string().optional(),
    city: z.string().optional(),
    stateOrProvince: z.string().optional(),
    country: z.string().optional(),
    ...tmfBase,
  })
  .loose();

/** How to reach a party: `mediumType` such as email, mobile, phone, postalAddress. */
export const contactMedium = z
  .object({
    mediumType: z.string().min(1),
    preferred: z.boolean().optional(),
    characteristic: mediumCharacteristic,
    validFor: timePeriod.optional(),
    ...tmfBase,
  })
  .loose();

/** TMF AttachmentRefOrValue. */
export const attachmentRefOrValue = z
  .object({
    id: z.string().optional(),
    href: z.string().optional(),
    attachmentType: z.string().optional(),
    description: z.string().optional(),
    mimeType: z.string().optional(),
    name: z.string().optional(),
    url: z.string().optional(),
    size: z.object({ amount: z.number().optional(), units: z.string().optional() }).loose().optional(),
    validFor: timePeriod.optional(),
    '@referredType': z.string().optional(),
    ...tmfBase,
  })
  .loose();

const partyCreditProfile = z
  .object({
    creditAgencyName: z.string().optional(),
    creditAgencyType: z.string().optional(),
    ratingReference: z.string().optional(),
    ratingScore: z.number().int().optional(),
    validFor: timePeriod.optional(),
    ...tmfBase,
  })
  .loose();

const externalReference = z.object({ externalReferenceType: z.string().optional(), name: z.string().optional(), ...tmfBase }).loose();
const looseItem = z.object({ ...tmfBase }).loose();

/** Common to individuals and organizations. */
const party = {
  ...tmfBase,
  contactMedium: z.array(contactMedium).optional(),
  creditRating: z.array(partyCreditProfile).optional(),
  externalReference: z.array(externalReference).optional(),
  partyCharacteristic: z.array(characteristic).optional(),
  relatedParty: z.array(relatedParty).optional(),
  taxExemptionCertificate: z.array(looseItem).optional(),
};

/**
 * The states of an individual. TMF632 v4 spells the last one `deceaded` (a typo of the spec), which
 * is accepted too so that clients written against the spec are not refused.
 */
export const INDIVIDUAL_STATUSES = ['initialized', 'validated', 'deceased', 'deceaded'] as const;
export const ORGANIZATION_STATUSES = ['initialized', 'validated', 'closed'] as const;

/** Proof of identity (national id card, passport, residence permit...). */
export const individualIdentification = z
  .object({
    identificationType: z.string().trim().min(1).optional(),
    /** In clear on the way in (or the masked value already stored, which keeps it); masked when stored. */
    identificationId: z.string().trim().min(1).optional(),
    issuingAuthority: z.string().optional(),
    issuingDate: dateOrDateTime.optional(),
    validFor: timePeriod.optional(),
    attachment: attachmentRefOrValue.optional(),
    ...tmfBase,
  })
  .loose()
  .refine((i) => i.identificationId === undefined || i.identificationType !== undefined, {
    path: ['identificationType'],
    message: 'required with an identificationId (e.g. DNI, NIE, passport)',
  });

export const languageAbility = z
  .object({
    languageCode: z.string().optional(),
    languageName: z.string().optional(),
    isFavouriteLanguage: z.boolean().optional(),
    listeningProficiency: z.string().optional(),
    readingProficiency: z.string().optional(),
    speakingProficiency: z.string().optional(),
    writingProficiency: z.string().optional(),
    validFor: timePeriod.optional(),
    ...tmfBase,
  })
  .loose();

export const individualSchema = z.object({
  ...party,
  givenName: z.string().min(1),
  familyName: z.string().min(1),
  middleName: z.string().optional(),
  familyNamePrefix: z.string().optional(),
  preferredGivenName: z.string().optional(),
  formattedName: z.string().optional(),
  fullName: z.string().optional(),
  legalName: z.string().optional(),
  aristocraticTitle: z.string().optional(),
  title: z.string().optional(),
  generation: z.string().optional(),
  gender: z.string().optional(),
  maritalStatus: z.string().optional(),
  birthDate: dateOrDateTime.optional(),
  deathDate: dateOrDateTime.optional(),
  countryOfBirth: z.string().optional(),
  placeOfBirth: z.string().optional(),
  nationality: z.string().optional(),
  location: z.string().optional(),
  status: z.enum(INDIVIDUAL_STATUSES).optional(),
  individualIdentification: z.array(individualIdentification).optional(),
  languageAbility: z.array(languageAbility).optional(),
  otherName: z.array(looseItem).optional(),
  disability: z.array(looseItem).optional(),
  skill: z.array(looseItem).optional(),
});

const organizationIdentification = z
  .object({
    identificationType: z.string().optional(),
    identificationId: z.string().optional(),
    issuingAuthority: z.string().optional(),
    issuingDate: dateOrDateTime.optional(),
    validFor: timePeriod.optional(),
    attachment: attachmentRefOrValue.optional(),
    ...tmfBase,
  })
  .loose();

export const organizationSchema = z.object({
  ...party,
  tradingName: z.string().min(1),
  name: z.string().optional(),
  nameType: z.string().optional(),
  organizationType: z.string().optional(),
  isHeadOffice: z.boolean().optional(),
  isLegalEntity: z.boolean().optional(),
  existsDuring: timePeriod.optional(),
  status: z.enum(ORGANIZATION_STATUSES).optional(),
  organizationIdentification: z.array(organizationIdentification).optional(),
  organizationChildRelationship: z.array(z.object({ organization: entityRef.optional(), ...tmfBase }).loose()).optional(),
  organizationParentRelationship: z.object({ organization: entityRef.optional(), ...tmfBase }).loose().optional(),
  otherName: z.array(looseItem).optional(),
});
