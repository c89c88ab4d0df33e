/**
 * SIM card identifiers: the ICCID (ITU-T E.118, `89` + country + issuer + serial, closed by a
 * Luhn check digit) and the IMSI (MCC + MNC + MSIN, 15 digits).
 */
import { luhnValid } from '../payment/card';

/** The Luhn check digit that completes `body` (digits only). */
export function luhnCheckDigit(body: string): string {
  if (!/^\d+$/.test(body)) throw new Error('a Luhn body is digits only');
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return String(d);
  throw new Error('unreachable: one of ten digits always completes a Luhn number');
}

/** A full ICCID: 19 or 20 digits, starting with the telecom industry prefix 89, Luhn-valid. */
export function isValidIccid(iccid: string): boolean {
  return /^89\d{17,18}$/.test(iccid) && luhnValid(iccid);
}

/** An IMSI: 15 digits. */
export function isValidImsi(imsi: string): boolean {
  return /^\d{15}$/.test(imsi);
}

/** The ICCID of serial number `serial` under an issuer prefix (e.g. `893401`), 12-digit serial plus check digit. */
export function iccidFor(issuerPrefix: string, serial: number): string {
  const body = issuerPrefix + String(serial).padStart(18 - issuerPrefix.length, '0');
  return body + luhnCheckDigit(body);
}

/** The IMSI of subscriber serial `serial` under a home network (MCC + MNC, e.g. `21401`). */
export function imsiFor(homeNetwork: string, serial: number): string {
  return homeNetwork + String(serial).padStart(15 - homeNetwork.length, '0');
}
