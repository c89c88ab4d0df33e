/**
 * E-mail addresses, checked pragmatically: full RFC 5322 accepts addresses no mail provider
 * issues, and the only real proof is the confirmation mail, so this only stops obvious typos.
 */

/** Max length of an address in a mail path (RFC 5321, 256 including the angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

/** One @, a non-empty local part, a domain with a dot and no empty labels, no spaces, at most 254 characters. */
export function isValidEmail(email: string): boolean {
  if (email.length > MAX_EMAIL_LENGTH || /\s/.test(email)) return false;
  const parts = email.split('@');
  if (parts.length !== 2) return false;
  const [local, domain] = parts;
  // 'a@b..c' and 'a@.b.c' have a dot but no real domain.
  return local.length > 0 && domain.includes('.') && domain.split('.').every((label) => label.length > 0);
}
