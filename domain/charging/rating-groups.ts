/**
 * The rating groups this operator uses (Rating-Group AVP, Nchf `ratingGroup`) and what each
 * charges: the charging engine rates by them and the traffic generator sends them.
 */

/** What a rating group charges; the unit is seconds for voice, octets for data, events for SMS. */
export type ServiceType = 'voice' | 'data' | 'sms';

export const SERVICE_OF_RATING_GROUP: Readonly<Record<number, ServiceType>> = { 100: 'voice', 200: 'sms', 300: 'data' };
