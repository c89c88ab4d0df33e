/** How to reach a customer: the email, mobile number, name and language its TMF629 record holds. */
import type { TmfDocument } from '../../db/tmf-resources';

export interface CustomerContact {
  email?: string;
  msisdn?: string;
  name: string;
  language: string;
}

/** The customer's email and mobile contact media, name and preferred language (`en` when unset). */
export function contactOf(customer: TmfDocument): CustomerContact {
  const media = (customer.contactMedium as Array<{ mediumType: string; characteristic: Record<string, string> }> | undefined) ?? [];
  const language = (customer.characteristic as Array<{ name: string; value: string }> | undefined)?.find((c) => c.name === 'preferredLanguage')?.value;
  return {
    email: media.find((m) => m.mediumType === 'email')?.characteristic.emailAddress,
    msisdn: media.find((m) => m.mediumType === 'mobile')?.characteristic.phoneNumber,
    name: String(customer.name ?? ''),
    language: language ?? 'en',
  };
}
