import type { Avp } from '../../network/diameter/codec';

/**
 * Received AVPs as plain objects, as a test builds them with `avp()`: the codec reads an AVP as a
 * range of its message's buffer, which does not compare equal to a built one field by field.
 */
export const plainAvps = (avps: readonly Avp[]): Avp[] =>
  avps.map((a) => ({ code: a.code, ...(a.vendorId !== undefined ? { vendorId: a.vendorId } : {}), mandatory: a.mandatory, ...(a.protected ? { protected: true } : {}), data: a.data }));
