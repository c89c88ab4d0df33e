/**
 * Building Diameter requests and answers: the header fields an answer copies from its request,
 * the E bit of protocol errors, and the identifiers of new requests (RFC 6733 §3).
 */
import crypto from 'node:crypto';
import { avp, type Avp, type DiameterMessage } from './codec';

/**
 * An answer to a request: same command, application, hop-by-hop and end-to-end ids, and the
 * request's Proxy-Info AVPs at the end, in order (RFC 6733 §6.2: a relay needs its state back).
 */
export function answerTo(request: DiameterMessage, avps: Avp[], options: { error?: boolean } = {}): DiameterMessage {
  // An IETF AVP: without a Vendor-Id, or (V bit set all the same) with 0, as the codec reads it.
  const proxyInfo = request.avps.filter((a) => a.code === 284 && !a.vendorId);
  return {
    flags: { request: false, proxiable: request.flags.proxiable, error: options.error ?? false, retransmit: false },
    commandCode: request.commandCode,
    applicationId: request.applicationId,
    hopByHop: request.hopByHop,
    endToEnd: request.endToEnd,
    avps: proxyInfo.length ? [...avps, ...proxyInfo] : avps,
  };
}

/** The answer to a request this node cannot serve: Result-Code and, when given, Failed-AVP. */
export function errorAnswer(request: DiameterMessage, identity: { originHost: string; originRealm: string }, resultCode: number, failedAvp?: Avp, extra: Avp[] = []): DiameterMessage {
  const sessionId = request.avps.find((a) => a.code === 263 && !a.vendorId);
  const avps = [
    ...(sessionId ? [sessionId] : []),
    avp('Result-Code', resultCode),
    avp('Origin-Host', identity.originHost),
    avp('Origin-Realm', identity.originRealm),
    ...extra,
    ...(failedAvp ? [avp('Failed-AVP', [failedAvp])] : []),
  ];
  // Protocol errors (3xxx) travel with the E bit; permanent failures (5xxx) are ordinary answers.
  return answerTo(request, avps, { error: resultCode >= 3000 && resultCode < 4000 });
}

/** Hands out hop-by-hop and end-to-end identifiers for the requests of one node. */
export class IdentifierSource {
  private hopByHop = crypto.randomBytes(4).readUInt32BE(0);
  // RFC 6733 §3: the high 12 bits from the clock, the low 20 random, then incremented.
  private endToEnd = ((((Math.floor(Date.now() / 1000) & 0xfff) << 20) | (crypto.randomBytes(3).readUIntBE(0, 3) & 0xfffff)) >>> 0);

  /** The next hop-by-hop identifier (unique among this connection's requests in flight). */
  nextHopByHop(): number {
    this.hopByHop = (this.hopByHop + 1) >>> 0;
    return this.hopByHop;
  }

  /** The next end-to-end identifier (unique for a few minutes, kept across retransmissions). */
  nextEndToEnd(): number {
    this.endToEnd = (this.endToEnd + 1) >>> 0;
    return this.endToEnd;
  }
}
