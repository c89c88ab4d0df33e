/**
 * SMS text and the GSM 03.38 alphabet: one SMS holds 160 GSM characters (the extension
 * characters `^{}\[~]|€` and form feed take two), or 70 UTF-16 units in UCS-2. Longer texts are
 * sent as concatenated parts of 153 / 67, each carrying a user data header (UDH) the handset
 * uses to join them.
 */

/** The GSM 7-bit default alphabet, in septet order (0x1B, the escape, left out). */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Characters of the extension table: each is sent as escape + one septet. */
const GSM_EXTENDED = '\f^{}\\[~]|€';

const BASIC = new Set(GSM_BASIC);
const EXTENDED = new Set(GSM_EXTENDED);

export const SMS_SINGLE_GSM = 160;
export const SMS_PART_GSM = 153;
export const SMS_SINGLE_UCS2 = 70;
export const SMS_PART_UCS2 = 67;
/** An 8-bit concatenation reference numbers at most 255 parts. */
export const SMS_MAX_PARTS = 255;

/** SMPP data_coding: 0x00 = the SMSC default alphabet (GSM 03.38), 0x08 = UCS-2. */
export type SmsDataCoding = 0x00 | 0x08;

const gsmWidth = (ch: string): number => (BASIC.has(ch) ? 1 : EXTENDED.has(ch) ? 2 : Number.NaN);

/** True when every character is in the GSM 03.38 alphabet (basic or extension table). */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!BASIC.has(ch) && !EXTENDED.has(ch)) return false;
  return true;
}

/** Length in GSM septets (extension characters count two); NaN when the text is not GSM. */
export function gsmLength(text: string): number {
  let n = 0;
  for (const ch of text) n += gsmWidth(ch);
  return n;
}

/** Letters people write that GSM lacks, by the closest letter GSM has. */
const TRANSLITERATIONS: Record<string, string> = {
  ç: 'Ç',
  '‘': "'",
  '’': "'",
  '‚': "'",
  '´': "'",
  '`': "'",
  '“': '"',
  '”': '"',
  '„': '"',
  '«': '"',
  '»': '"',
  '–': '-',
  '—': '-',
  '‐': '-',
  '…': '...',
  '\u00a0': ' ',
  '\t': ' ',
};

/**
 * The text in the GSM alphabet where it can be written so without losing words: accented letters
 * GSM lacks lose their accent (á → a, Í → I, ç → Ç), typographic quotes and dashes become plain
 * ones. A text with characters that have no GSM form (another script, emoji) comes back
 * unchanged, because it goes out in UCS-2, which carries every accent anyway.
 */
export function toGsm7(text: string): string {
  let out = '';
  for (const ch of text) {
    if (BASIC.has(ch) || EXTENDED.has(ch)) {
      out += ch;
      continue;
    }
    const mapped = TRANSLITERATIONS[ch] ?? ch.normalize('NFD').replace(/\p{M}/gu, '');
    if (!isGsm7(mapped) || mapped === '') return text;
    out += mapped;
  }
  return out;
}

/** The text as it goes out: its encoding and the parts it is sent in (one part when it fits one SMS). */
export interface SmsPlan {
  dataCoding: SmsDataCoding;
  parts: string[];
}

function splitBy(text: string, width: (ch: string) => number, size: number): string[] {
  const parts: string[] = [];
  let part = '';
  let used = 0;
  for (const ch of text) {
    const w = width(ch);
    if (used + w > size) {
      parts.push(part);
      part = '';
      used = 0;
    }
    part += ch;
    used += w;
  }
  if (part !== '' || parts.length === 0) parts.push(part);
  return parts;
}

/**
 * How a text is sent: GSM when every character is GSM, else UCS-2; one part when it fits,
 * else parts of 153 septets / 67 UTF-16 units (an escape pair or a surrogate pair is never cut).
 * Throws when it would take more than 255 parts.
 */
export function planSms(text: string): SmsPlan {
  const gsm = isGsm7(text);
  const width = gsm ? gsmWidth : (ch: string) => ch.length;
  const [single, part] = gsm ? [SMS_SINGLE_GSM, SMS_PART_GSM] : [SMS_SINGLE_UCS2, SMS_PART_UCS2];
  let total = 0;
  for (const ch of text) total += width(ch);
  const parts = total <= single ? [text] : splitBy(text, width, part);
  if (parts.length > SMS_MAX_PARTS) throw new Error(`SMS text needs ${parts.length} parts; at most ${SMS_MAX_PARTS} can be joined`);
  return { dataCoding: gsm ? 0x00 : 0x08, parts };
}

/** The concatenation header of one part: IEI 0x00 (8-bit reference), length 3, reference, total, sequence (1-based). */
export function concatenationUdh(reference: number, total: number, sequence: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, reference & 0xff, total, sequence]);
}

/** Reads a concatenation header (8- or 16-bit reference); undefined when the UDH has none. */
export function parseConcatenationUdh(udh: Buffer): { reference: number; total: number; sequence: number } | undefined {
  let i = 1; // udh[0] is the header length
  while (i + 1 < udh.length) {
    const iei = udh[i];
    const len = udh[i + 1];
    const data = udh.subarray(i + 2, i + 2 + len);
    if (iei === 0x00 && len === 3) return { reference: data[0], total: data[1], sequence: data[2] };
    if (iei === 0x08 && len === 4) return { reference: data.readUInt16BE(0), total: data[2], sequence: data[3] };
    i += 2 + len;
  }
  return undefined;
}
