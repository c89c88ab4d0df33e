/**
 * The Diameter wire format (RFC 6733 §3 and §4): the 20-byte header, AVPs with their flags,
 * vendor ids and 4-byte padding, grouped AVPs, and the basic and derived data types.
 *
 * Written here rather than taken from npm: the `diameter` package there is old, GPL-licensed
 * and drops messages when several arrive in one TCP read (pipelining is the normal case on Gy).
 */
import { avpDefinition, avpNamed, DIAMETER_RESULT, isEnumeratedValue, type AvpDefinition } from './dictionary';

/** Header flags (RFC 6733 §3). */
export const HEADER_FLAG = { REQUEST: 0x80, PROXIABLE: 0x40, ERROR: 0x20, RETRANSMIT: 0x10 } as const;
/** AVP flags (RFC 6733 §4.1). */
export const AVP_FLAG = { VENDOR: 0x80, MANDATORY: 0x40, PROTECTED: 0x20 } as const;

export const HEADER_LENGTH = 20;
/** Seconds between the NTP epoch (1900) of the Time type and the Unix epoch (1970). */
export const NTP_UNIX_OFFSET = 2208988800;

/** One AVP as it is on the wire; `data` is the payload without padding. */
export interface Avp {
  code: number;
  /** Present exactly when the V bit is set. */
  vendorId?: number;
  mandatory: boolean;
  protected?: boolean;
  data: Buffer;
}

/** A whole Diameter message. */
export interface DiameterMessage {
  flags: { request: boolean; proxiable: boolean; error: boolean; retransmit: boolean };
  commandCode: number;
  applicationId: number;
  hopByHop: number;
  endToEnd: number;
  avps: Avp[];
}

/** A value an AVP carries, by type: strings for text, identities and addresses, bigint for 64-bit. */
export type AvpValue = string | number | bigint | Buffer | Date | Avp[];

/**
 * An AVP that cannot be accepted: the result code to answer with and the AVP to put in Failed-AVP
 * (RFC 6733 §7.5: the offending AVP, or for a bad length its header with a zero payload).
 */
export class AvpError extends Error {
  override name = 'AvpError';
  /** For a list that could not be split: the AVPs read before the bad one (an answer echoes its Session-Id and the like). */
  readBefore?: Avp[];
  constructor(
    readonly resultCode: number,
    readonly failedAvp: Avp,
    message: string,
  ) {
    super(message);
  }
}

const padded = (n: number) => (n + 3) & ~3;

/** The bytes an AVP takes on the wire, padding included. */
const wireLength = (avp: Avp) => padded((avp.vendorId !== undefined ? 12 : 8) + avp.data.length);

/** Writes one AVP with its header and padding at `offset` of `out`; returns the offset after it. */
function writeAvp(avp: Avp, out: Buffer, offset: number): number {
  const headerLength = avp.vendorId !== undefined ? 12 : 8;
  const length = headerLength + avp.data.length;
  out.writeUInt32BE(avp.code, offset);
  const flags = (avp.vendorId !== undefined ? AVP_FLAG.VENDOR : 0) | (avp.mandatory ? AVP_FLAG.MANDATORY : 0) | (avp.protected ? AVP_FLAG.PROTECTED : 0);
  out.writeUInt32BE(((flags << 24) | length) >>> 0, offset + 4);
  if (avp.vendorId !== undefined) out.writeUInt32BE(avp.vendorId, offset + 8);
  avp.data.copy(out, offset + headerLength);
  const end = offset + padded(length);
  out.fill(0, offset + length, end);
  return end;
}

/**
 * Writes AVPs back to back into one buffer of `headerLength` more bytes (left for the caller):
 * one allocation for all of them, not one per AVP and a copy to join them. allocUnsafe takes from
 * Node's pool without zeroing; every byte after the header is written, the padding explicitly.
 */
function writeAvps(avps: readonly Avp[], headerLength: number): Buffer {
  let length = headerLength;
  for (const a of avps) length += wireLength(a);
  const out = Buffer.allocUnsafe(length);
  let offset = headerLength;
  for (const a of avps) offset = writeAvp(a, out, offset);
  return out;
}

/** Encodes one AVP with its header and padding. */
export function encodeAvp(avp: Avp): Buffer {
  return writeAvps([avp], 0);
}

/** Encodes a list of AVPs back to back (a message body or a grouped AVP's payload). */
export function encodeAvps(avps: readonly Avp[]): Buffer {
  return writeAvps(avps, 0);
}

/** Encodes a whole message, computing its length. */
export function encodeMessage(message: DiameterMessage): Buffer {
  const out = writeAvps(message.avps, HEADER_LENGTH);
  out.writeUInt32BE(((1 << 24) | out.length) >>> 0, 0);
  const f = message.flags;
  const flags = (f.request ? HEADER_FLAG.REQUEST : 0) | (f.proxiable ? HEADER_FLAG.PROXIABLE : 0) | (f.error ? HEADER_FLAG.ERROR : 0) | (f.retransmit ? HEADER_FLAG.RETRANSMIT : 0);
  out.writeUInt32BE(((flags << 24) | message.commandCode) >>> 0, 4);
  out.writeUInt32BE(message.applicationId >>> 0, 8);
  out.writeUInt32BE(message.hopByHop >>> 0, 12);
  out.writeUInt32BE(message.endToEnd >>> 0, 16);
  return out;
}

/**
 * An AVP whose length field cannot be right: its header with a zero payload of the minimum
 * length its type needs (RFC 6733 §7.1.5, DIAMETER_INVALID_AVP_LENGTH).
 */
function truncatedAvp(code: number, flags: number, vendorId: number | undefined): Avp {
  const def = avpDefinition(code, vendorId ?? 0);
  return { code, ...(vendorId !== undefined ? { vendorId } : {}), mandatory: (flags & AVP_FLAG.MANDATORY) !== 0, data: Buffer.alloc(def ? (FIXED_LENGTH[def.type] ?? 0) : 0) };
}

/**
 * An AVP as read from a message. Its payload stays a range of the message's buffer: the decoders
 * read it in place, and a view of it (`data`) is made only when something asks for one (encoding
 * it again, a Failed-AVP). A CCR has two to three dozen AVPs, and a view is an object of its own.
 */
class ReceivedAvp implements Avp {
  vendorId?: number;
  protected?: boolean;

  constructor(
    readonly code: number,
    readonly mandatory: boolean,
    readonly source: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  /** A new view each time: the hot paths read in place, and a view kept would be a field more on every AVP. */
  get data(): Buffer {
    return this.source.subarray(this.start, this.end);
  }
}

/**
 * Splits `buf` (from `start` to `end`) into AVPs. A length field below the header size or past
 * the end throws an AvpError with DIAMETER_INVALID_AVP_LENGTH (5014).
 */
export function decodeAvps(buf: Buffer, start = 0, end = buf.length): Avp[] {
  const avps: Avp[] = [];
  let offset = start;
  while (offset < end) {
    if (end - offset < 8) {
      throw lengthError(avps, { code: 0, mandatory: false, data: Buffer.alloc(0) }, `${end - offset} stray bytes after the last AVP`);
    }
    const code = buf.readUInt32BE(offset);
    const flags = buf[offset + 4];
    const length = buf.readUIntBE(offset + 5, 3);
    const hasVendor = (flags & AVP_FLAG.VENDOR) !== 0;
    const headerLength = hasVendor ? 12 : 8;
    const vendorId = hasVendor && end - offset >= 12 ? buf.readUInt32BE(offset + 8) : hasVendor ? 0 : undefined;
    if (length < headerLength || offset + length > end) {
      throw lengthError(avps, truncatedAvp(code, flags, vendorId), `AVP ${code} has length ${length}`);
    }
    const a = new ReceivedAvp(code, (flags & AVP_FLAG.MANDATORY) !== 0, buf, offset + headerLength, offset + length);
    if (vendorId !== undefined) a.vendorId = vendorId;
    if ((flags & AVP_FLAG.PROTECTED) !== 0) a.protected = true;
    avps.push(a);
    // The last AVP of a message may omit its padding in the wild; never read past the end.
    offset = Math.min(offset + padded(length), end);
  }
  return avps;
}

function lengthError(readBefore: Avp[], failedAvp: Avp, message: string): AvpError {
  const err = new AvpError(DIAMETER_RESULT.INVALID_AVP_LENGTH, failedAvp, message);
  err.readBefore = readBefore;
  return err;
}

/** The members of a grouped AVP, read in place when it came from a message. */
export function membersOf(a: Avp): Avp[] {
  return a instanceof ReceivedAvp ? decodeAvps(a.source, a.start, a.end) : decodeAvps(a.data);
}

/** A header that makes the stream unreadable: the connection must be closed (RFC 6733 §3). */
export class DiameterFramingError extends Error {
  override name = 'DiameterFramingError';
}

/** Reads the header fields of a complete message and splits its body into AVPs. */
export function decodeMessage(buf: Buffer): DiameterMessage {
  const header = decodeHeader(buf);
  if (header.length !== buf.length) throw new DiameterFramingError(`message length ${header.length} but ${buf.length} bytes`);
  return { ...header.message, avps: decodeAvps(buf, HEADER_LENGTH) };
}

/** The header of a message; its AVPs are decoded separately so that a bad AVP can still be answered. */
export function decodeHeader(buf: Buffer): { length: number; message: Omit<DiameterMessage, 'avps'> } {
  if (buf.length < HEADER_LENGTH) throw new DiameterFramingError(`a header needs ${HEADER_LENGTH} bytes, got ${buf.length}`);
  const version = buf[0];
  if (version !== 1) throw new DiameterFramingError(`unsupported Diameter version ${version}`);
  const length = buf.readUIntBE(1, 3);
  if (length < HEADER_LENGTH || length % 4 !== 0) throw new DiameterFramingError(`invalid message length ${length}`);
  const flags = buf[4];
  return {
    length,
    message: {
      flags: {
        request: (flags & HEADER_FLAG.REQUEST) !== 0,
        proxiable: (flags & HEADER_FLAG.PROXIABLE) !== 0,
        error: (flags & HEADER_FLAG.ERROR) !== 0,
        retransmit: (flags & HEADER_FLAG.RETRANSMIT) !== 0,
      },
      commandCode: buf.readUIntBE(5, 3),
      applicationId: buf.readUInt32BE(8),
      hopByHop: buf.readUInt32BE(12),
      endToEnd: buf.readUInt32BE(16),
    },
  };
}

const FIXED_LENGTH: Partial<Record<AvpDefinition['type'], number>> = {
  Integer32: 4,
  Unsigned32: 4,
  Enumerated: 4,
  Time: 4,
  Integer64: 8,
  Unsigned64: 8,
};

/** Encodes a value as the payload of an AVP of the given type. */
export function encodeValue(def: AvpDefinition, value: AvpValue): Buffer {
  switch (def.type) {
    case 'OctetString':
      return Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'utf8');
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
      return Buffer.from(String(value), 'utf8');
    case 'Address':
      return encodeAddress(String(value));
    case 'Integer32': {
      const b = Buffer.allocUnsafe(4);
      b.writeInt32BE(Number(value));
      return b;
    }
    case 'Unsigned32':
    case 'Enumerated': {
      const b = Buffer.allocUnsafe(4);
      b.writeUInt32BE(Number(value));
      return b;
    }
    case 'Integer64': {
      const b = Buffer.allocUnsafe(8);
      b.writeBigInt64BE(BigInt(value as number | bigint));
      return b;
    }
    case 'Unsigned64': {
      const b = Buffer.allocUnsafe(8);
      b.writeBigUInt64BE(BigInt(value as number | bigint));
      return b;
    }
    case 'Time': {
      const b = Buffer.allocUnsafe(4);
      const unix = Math.floor((value as Date).getTime() / 1000);
      // Time wraps in February 2036 (RFC 6733 §4.3.1): keep the low 32 bits.
      b.writeUInt32BE((unix + NTP_UNIX_OFFSET) % 2 ** 32);
      return b;
    }
    case 'Grouped':
      return encodeAvps(value as Avp[]);
  }
}

/** Builds an AVP from the dictionary by name. */
export function avp(name: string, value: AvpValue): Avp {
  const def = avpNamed(name);
  const a: Avp = { code: def.code, mandatory: def.mandatory, data: encodeValue(def, value) };
  if (def.vendorId) a.vendorId = def.vendorId;
  return a;
}

/** Values kept per AVP name by sharedAvp; past this, an AVP is built anew each time (values may come from peers). */
const SHARED_VALUES_PER_NAME = 64;
const shared = new Map<string, Map<number | string, Avp>>();

/**
 * An AVP whose value recurs (a result code, a rating group, this node's identity), built once and
 * then shared by every message that carries it: an answer is mostly such AVPs, and building each
 * anew is an object and a buffer apiece. Safe because nothing changes an AVP once it is built.
 */
export function sharedAvp(name: string, value: number | string): Avp {
  let byValue = shared.get(name);
  if (!byValue) shared.set(name, (byValue = new Map()));
  const found = byValue.get(value);
  if (found) return found;
  const built = avp(name, value);
  if (byValue.size < SHARED_VALUES_PER_NAME) byValue.set(value, built);
  return built;
}

function encodeAddress(text: string): Buffer {
  if (text.includes(':')) {
    const groups = expandIpv6(text);
    const b = Buffer.alloc(18);
    b.writeUInt16BE(2, 0);
    groups.forEach((g, i) => b.writeUInt16BE(g, 2 + 2 * i));
    return b;
  }
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IP address: ${text}`);
  return Buffer.from([0, 1, ...parts]);
}

function expandIpv6(text: string): number[] {
  const [head, tail] = text.split('::');
  const part = (s: string | undefined) => (s ? s.split(':').map((h) => parseInt(h, 16)) : []);
  const left = part(head);
  const right = part(tail);
  const groups = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  if (groups.length !== 8 || groups.some((g) => !(g >= 0 && g <= 0xffff))) throw new Error(`not an IPv6 address: ${text}`);
  return groups;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes an AVP's payload by its dictionary type. A fixed-size type with the wrong payload size
 * throws DIAMETER_INVALID_AVP_LENGTH (5014); text that is not UTF-8, an unknown address family or
 * an enumerated value outside the dictionary throws DIAMETER_INVALID_AVP_VALUE (5004).
 */
export function decodeValue(def: AvpDefinition, a: Avp): AvpValue {
  // Where the payload is: in place for an AVP read from a message, else its own buffer.
  const received = a instanceof ReceivedAvp;
  const buf = received ? a.source : a.data;
  const start = received ? a.start : 0;
  const length = received ? a.end - a.start : buf.length;
  const fixed = FIXED_LENGTH[def.type];
  if (fixed !== undefined && length !== fixed) {
    throw new AvpError(DIAMETER_RESULT.INVALID_AVP_LENGTH, a, `${def.name} needs ${fixed} bytes, got ${length}`);
  }
  switch (def.type) {
    case 'OctetString':
      return a.data;
    case 'UTF8String':
    case 'DiameterIdentity':
    case 'DiameterURI':
      return decodeText(def, a, buf, start, start + length);
    case 'Address':
      return decodeAddress(def, a);
    case 'Integer32':
      return buf.readInt32BE(start);
    case 'Unsigned32':
      return buf.readUInt32BE(start);
    case 'Enumerated': {
      const v = buf.readUInt32BE(start);
      if (!isEnumeratedValue(def, v)) throw invalidValue(def, a, `unknown value ${v}`);
      return v;
    }
    case 'Integer64':
      return buf.readBigInt64BE(start);
    case 'Unsigned64':
      return buf.readBigUInt64BE(start);
    case 'Time': {
      const ntp = buf.readUInt32BE(start);
      // Values below 2^31 are past the 2036 wrap (RFC 6733 §4.3.1, RFC 5905 era 1).
      const seconds = ntp >= 0x80000000 ? ntp - NTP_UNIX_OFFSET : ntp + 2 ** 32 - NTP_UNIX_OFFSET;
      return new Date(seconds * 1000);
    }
    case 'Grouped':
      return decodeAvps(buf, start, start + length);
  }
}

/**
 * UTF-8 text from `buf[start, end)`. ASCII (identities, session ids, numbers: nearly all text on
 * Gy) is read in place, where UTF-8 and Latin-1 agree; anything else goes through the strict decoder.
 */
function decodeText(def: AvpDefinition, a: Avp, buf: Buffer, start: number, end: number): string {
  let i = start;
  while (i < end && buf[i] < 0x80) i++;
  if (i === end) return buf.toString('latin1', start, end);
  try {
    return utf8.decode(buf.subarray(start, end));
  } catch {
    throw invalidValue(def, a, 'not UTF-8');
  }
}

function invalidValue(def: AvpDefinition, a: Avp, why: string): AvpError {
  return new AvpError(DIAMETER_RESULT.INVALID_AVP_VALUE, a, `${def.name}: ${why}`);
}

function decodeAddress(def: AvpDefinition, a: Avp): string {
  const data = a.data;
  if (data.length < 2) throw invalidValue(def, a, 'no address family');
  const family = data.readUInt16BE(0);
  if (family === 1 && data.length === 6) return [...data.subarray(2)].join('.');
  if (family === 2 && data.length === 18) {
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(data.readUInt16BE(2 + 2 * i).toString(16));
    return groups.join(':');
  }
  throw invalidValue(def, a, `address family ${family} with ${data.length - 2} bytes`);
}

/**
 * Checks every AVP of a message, groups included, against the dictionary: an unknown AVP with the
 * M bit is DIAMETER_AVP_UNSUPPORTED (5001); lengths and values as decodeValue says. Throws the
 * first problem as an AvpError.
 */
export function checkAvps(avps: readonly Avp[]): void {
  void new CheckedAvps(avps);
}

/** The deepest nesting of grouped AVPs a message may have. */
const MAX_GROUP_DEPTH = 16;

/**
 * A list of AVPs (a message's or a group's) checked as checkAvps does, with every value it decoded
 * kept beside its AVP: a reader of the message (a CCR has groups three levels deep) reads each
 * value, and each group as a checked list of its own, without decoding anything again.
 */
export class CheckedAvps {
  /** Index by index with `avps`: the decoded value, a group's checked members, undefined for an unknown optional AVP. */
  private readonly values: Array<AvpValue | CheckedAvps | undefined> = [];

  constructor(
    readonly avps: readonly Avp[],
    /** How many groups hold this list (a message's own: 0). */
    depth = 0,
  ) {
    for (const a of avps) {
      const def = avpDefinition(a.code, a.vendorId ?? 0);
      if (!def) {
        if (a.mandatory) throw new AvpError(DIAMETER_RESULT.AVP_UNSUPPORTED, a, `unknown mandatory AVP ${a.code} (vendor ${a.vendorId ?? 0})`);
        this.values.push(undefined);
        continue;
      }
      // The dictionary's groups nest a few levels (a CCR's, three); a message of groups nested
      // thousands deep would otherwise exhaust the stack rather than get its answer.
      if (def.type === 'Grouped' && depth >= MAX_GROUP_DEPTH) throw new AvpError(DIAMETER_RESULT.INVALID_AVP_VALUE, a, `${def.name}: groups nested more than ${MAX_GROUP_DEPTH} deep`);
      const value = decodeValue(def, a);
      this.values.push(def.type === 'Grouped' ? new CheckedAvps(value as Avp[], depth + 1) : value);
    }
  }

  /** Where the first AVP of that name is, or -1. */
  private indexOf(name: string, from = 0): number {
    const def = avpNamed(name);
    for (let i = from; i < this.avps.length; i++) if (this.avps[i].code === def.code && (this.avps[i].vendorId ?? 0) === def.vendorId) return i;
    return -1;
  }

  /** The first AVP of that name, or undefined. */
  find(name: string): Avp | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : this.avps[i];
  }

  /** The first AVP that repeats one of `once` (from avpKeys), or undefined: where there may be one only, what is too many. */
  repeatedOf(once: ReadonlySet<number>): Avp | undefined {
    let seen: number[] | undefined;
    for (const a of this.avps) {
      const key = avpKey(a.code, a.vendorId ?? 0);
      if (!once.has(key)) continue;
      if (seen?.includes(key)) return a;
      (seen ??= []).push(key);
    }
    return undefined;
  }

  /** The decoded value of the first AVP of that name, or undefined. */
  valueOf<T extends AvpValue>(name: string): T | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : (this.values[i] as T);
  }

  /** The members of the first grouped AVP of that name, or undefined. */
  group(name: string): CheckedAvps | undefined {
    const i = this.indexOf(name);
    return i < 0 ? undefined : (this.values[i] as CheckedAvps);
  }

  /** The members of every grouped AVP of that name, in order. */
  groups(name: string): CheckedAvps[] {
    const found: CheckedAvps[] = [];
    for (let i = this.indexOf(name); i >= 0; i = this.indexOf(name, i + 1)) found.push(this.values[i] as CheckedAvps);
    return found;
  }
}

/** One number for an AVP's code and vendor. */
const avpKey = (code: number, vendorId: number) => vendorId * 0x1_0000_0000 + code;

/** The keys of these AVPs, for CheckedAvps.repeatedOf. */
export const avpKeys = (names: readonly string[]): ReadonlySet<number> => new Set(names.map((name) => avpKey(avpNamed(name).code, avpNamed(name).vendorId)));

/** The first AVP of that name in a list, or undefined. */
export function findAvp(avps: readonly Avp[], name: string): Avp | undefined {
  const def = avpNamed(name);
  return avps.find((a) => a.code === def.code && (a.vendorId ?? 0) === def.vendorId);
}

/** Every AVP of that name in a list. */
export function findAvps(avps: readonly Avp[], name: string): Avp[] {
  const def = avpNamed(name);
  return avps.filter((a) => a.code === def.code && (a.vendorId ?? 0) === def.vendorId);
}

/** The decoded value of the first AVP of that name, or undefined when there is none. */
export function valueOf<T extends AvpValue>(avps: readonly Avp[], name: string): T | undefined {
  const a = findAvp(avps, name);
  return a ? (decodeValue(avpNamed(name), a) as T) : undefined;
}

/** A zero-filled AVP of that name: what Failed-AVP carries for a missing AVP (RFC 6733 §7.5). */
export function exampleAvp(name: string): Avp {
  const def = avpNamed(name);
  return { code: def.code, ...(def.vendorId ? { vendorId: def.vendorId } : {}), mandatory: def.mandatory, data: Buffer.alloc(FIXED_LENGTH[def.type] ?? 0) };
}
