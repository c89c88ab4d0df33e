/**
 * Prepaid traffic over Diameter Gy: a ChargingDriver whose sessions become CCR-I/U/T (or one
 * CCR-event for an SMS) on one or more client connections, each with many requests in flight.
 * A session stays on one connection, as a charging trigger function keeps it on one peer.
 */
import { DiameterClient } from './diameter/client';
import { avp, valueOf } from './diameter/codec';
import { APPLICATION, COMMAND, DIAMETER_RESULT } from './diameter/dictionary';
import { answerTo, errorAnswer } from './diameter/message';
import type { PeerOptions } from './diameter/peer';
import { ccrBuilder, readCca, type CcrUnit } from './diameter/gy-client-messages';
import { playSession, RATING_GROUP_OF, type ChargingDriver, type ChargingStep, type SessionPlan, type StepAnswer } from './charging-traffic';

export interface GyDriverOptions {
  host: string;
  /** 3868 by default. */
  port?: number;
  /** Connections to open (sessions are spread over them); 1 by default. */
  connections?: number;
  originHost?: string;
  originRealm?: string;
  /** By default the realm the OCS told in its CEA (it refuses requests for another: 3003). */
  destinationRealm?: string;
  /** A request with no answer by then fails the session; 10 s by default. */
  requestTimeoutMs?: number;
}

const UNIT_AVP = { voice: 'CC-Time', data: 'CC-Total-Octets', sms: 'CC-Service-Specific-Units' } as const;

/** A Gy driver (name 'gy'): connects on first use; `close` disconnects with DPR. */
export function gyDriver(options: GyDriverOptions): ChargingDriver {
  const originHost = options.originHost ?? 'traffic.gy.local';
  const originRealm = options.originRealm ?? 'gy.local';
  let clients: Promise<DiameterClient[]> | undefined;
  let next = 0;
  // Each connection is its own peer, so each has its own Origin-Host (traffic-1.gy.local …).
  const hostOf = (i: number) => (i ? originHost.replace(/^([^.]+)/, `$1-${i}`) : originHost);
  // The sessions being played. A RAR (the OCS has credit for a session that waited) for one of them
  // is answered 2002 LIMITED_SUCCESS: its next CCR-U follows as it plays on. Any other is answered
  // 5002 DIAMETER_UNKNOWN_SESSION_ID (RFC 4006 §5.5): sessions are played back to back, so one
  // refused or on its final units has ended here before any credit could come.
  const playing = new Set<string>();
  const answerRequests =
    (i: number): PeerOptions['onRequest'] =>
    ({ message }, peer) => {
      const identity = { originHost: hostOf(i), originRealm };
      if (message.commandCode !== COMMAND.RE_AUTH || message.applicationId !== APPLICATION.CREDIT_CONTROL) {
        peer.send(errorAnswer(message, identity, DIAMETER_RESULT.COMMAND_UNSUPPORTED));
        return;
      }
      const sessionId = valueOf<string>(message.avps, 'Session-Id') ?? '';
      const resultCode = playing.has(sessionId) ? DIAMETER_RESULT.LIMITED_SUCCESS : DIAMETER_RESULT.UNKNOWN_SESSION_ID;
      peer.send(answerTo(message, [avp('Session-Id', sessionId), avp('Result-Code', resultCode), avp('Origin-Host', identity.originHost), avp('Origin-Realm', identity.originRealm)]));
    };
  const connect = () =>
    (clients ??= Promise.all(
      Array.from({ length: options.connections ?? 1 }, (_, i) =>
        DiameterClient.connect({ host: options.host, port: options.port ?? 3868, originHost: hostOf(i), originRealm, requestTimeoutMs: options.requestTimeoutMs ?? 10_000, onRequest: answerRequests(i) }),
      ),
    ));

  return {
    name: 'gy',
    async runSession(plan: SessionPlan) {
      const pool = await connect();
      const index = next++ % pool.length;
      const client = pool[index];
      const ccr = ccrBuilder({
        sessionId: plan.sessionId,
        originHost: hostOf(index),
        originRealm,
        destinationRealm: options.destinationRealm ?? client.remote.originRealm,
        ...plan.subscriber,
        ...(plan.destination ? { destination: plan.destination } : {}),
      });
      const send = async (step: ChargingStep): Promise<StepAnswer> => {
        // Objects of one shape each (no conditional spreads): a generator sends thousands a second.
        const unit: CcrUnit = { ratingGroup: RATING_GROUP_OF[plan.service], unit: UNIT_AVP[plan.service], requested: step.requested, used: step.used };
        const cca = readCca(await client.creditControl(ccr({ type: step.type, requestNumber: step.requestNumber, eventTime: step.eventTime, units: [unit] })));
        const mscc = cca.units[0];
        return { resultCode: cca.resultCode ?? 0, unitResultCode: mscc?.resultCode, granted: mscc?.granted, finalUnit: mscc?.finalUnitAction !== undefined };
      };
      playing.add(plan.sessionId);
      try {
        return await playSession(plan, send);
      } finally {
        playing.delete(plan.sessionId);
      }
    },
    async close() {
      if (!clients) return;
      const pool = await clients.catch(() => [] as DiameterClient[]);
      await Promise.all(pool.map((c) => c.close()));
      clients = undefined;
    },
  };
}
