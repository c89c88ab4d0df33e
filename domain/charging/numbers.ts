/**
 * Subscriber and destination numbers in the one form the charging engine keys and rates them by:
 * E.164 with its '+' ("+34600000001"), as the subscriber rows, offline usage and the tariffs'
 * destination prefixes have them. Network elements send international numbers without the '+'
 * (Diameter's Subscription-Id-Data of type END_USER_E164, Nchf's "msisdn-34600000001", an SMS
 * recipient's Address-Data), so every front end turns what it receives into this form: the same
 * call finds the same subscriber and costs the same whichever way it arrives.
 */

/** An international number with or without its '+' ("34600000001", "+34600000001") → "+34600000001"; undefined when it is not one (5 to 15 digits, no leading 0). */
export function internationalNumber(value: string): string | undefined {
  const match = /^\+?([1-9]\d{4,14})$/.exec(value.trim());
  return match ? `+${match[1]}` : undefined;
}

/**
 * The number a called or recipient address names: "tel:+34-612-345-678;phone-context=…",
 * "sip:+34612345678@ims.example;user=phone", "0034612345678" or "34612345678" → "+34612345678".
 * A local number whose phone-context is a country's prefix (RFC 3966: "tel:612345678;phone-
 * context=+34", an IMS node's usual form) is read in that country, its trunk 0 dropped
 * ("tel:030123456;phone-context=+49" → "+4930123456"). A short code (up to 4 digits: "112",
 * "7777") stays as it is: it is a national number, not an international one without its '+'.
 * Undefined for an address that names no number (a SIP user).
 */
export function destinationNumber(address: string): string | undefined {
  const [userPart, ...params] = address
    .trim()
    .replace(/^(tel|sips?):/i, '')
    .replace(/@.*$/, '')
    .split(';');
  const user = userPart.replace(/[\s\-.()]/g, '');
  if (/^\d{1,4}$/.test(user)) return user;
  const context = params.map((p) => /^phone-context=\+([\d\-.()]+)$/i.exec(p.trim())?.[1]).find((c) => c !== undefined);
  if (context !== undefined && /^\d+$/.test(user)) return internationalNumber(context.replace(/[-.()]/g, '') + user.replace(/^0/, ''));
  return internationalNumber(user.startsWith('00') ? user.slice(2) : user);
}
