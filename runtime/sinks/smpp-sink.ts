/**
 * A local SMSC: accepts bind_transceiver / bind_transmitter with any credentials (refuses
 * bind_receiver: it delivers nothing), answers submit_sm with a message id, enquire_link and
 * unbind, and hands every message on; other requests get ESME_RINVCMDID. Concatenated
 * parts (UDH) are joined before they are handed on; message_payload is read as well.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as smpp from 'smpp';
import { parseConcatenationUdh } from '../../activities/notifications/sms-encoding';

export interface ReceivedSms {
  sender: string | null;
  recipient: string;
  body: string;
}

export interface SmppSink {
  port: number;
  stop(): Promise<void>;
}

interface PartialMessage {
  parts: Array<string | undefined>;
  received: number;
  startedAt: number;
}

const HANDLED = new Set(['bind_transceiver', 'bind_transmitter', 'bind_receiver', 'enquire_link', 'unbind', 'submit_sm']);

/** Parts of a message that never completes are forgotten after this long. */
const PARTIAL_TTL_MS = 10 * 60 * 1000;

function messageText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('latin1');
  const message = (value as smpp.DecodedMessage).message;
  return Buffer.isBuffer(message) ? message.toString('latin1') : (message ?? '');
}

function concatenation(value: unknown): ReturnType<typeof parseConcatenationUdh> {
  const udh = (value as smpp.DecodedMessage | undefined)?.udh;
  if (!Array.isArray(udh) || udh.length === 0) return undefined;
  const ies = Buffer.concat(udh);
  return parseConcatenationUdh(Buffer.concat([Buffer.from([ies.length]), ies]));
}

export async function startSmppSink(opts: { host: string; port: number; onSms: (sms: ReceivedSms) => Promise<void> }): Promise<SmppSink> {
  const partials = new Map<string, PartialMessage>();

  /** The whole text once every part is in; undefined while parts are missing. */
  function join(key: string, total: number, sequence: number, text: string): string | undefined {
    const now = Date.now();
    for (const [k, p] of partials) if (now - p.startedAt > PARTIAL_TTL_MS) partials.delete(k);
    let partial = partials.get(key);
    if (!partial) {
      partial = { parts: new Array<string | undefined>(total).fill(undefined), received: 0, startedAt: now };
      partials.set(key, partial);
    }
    if (sequence >= 1 && sequence <= total && partial.parts[sequence - 1] === undefined) {
      partial.parts[sequence - 1] = text;
      partial.received++;
    }
    if (partial.received < total) return undefined;
    partials.delete(key);
    return partial.parts.join('');
  }

  const server = smpp.createServer({}, (session) => {
    let systemId: string | undefined;
    session.on('error', () => undefined); // a client that hangs up is not an error of the sink

    const bind = (pdu: smpp.PDU) => {
      systemId = String(pdu.system_id ?? '');
      session.send(pdu.response({ system_id: 'BSS-SINK' }));
    };
    session.on('bind_transceiver', bind);
    session.on('bind_transmitter', bind);
    session.on('enquire_link', (pdu: smpp.PDU) => void session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('bind_receiver', (pdu: smpp.PDU) => void session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL })));
    // Any other request: not supported (generic_nack for commands the library does not know).
    session.on('pdu', (pdu: smpp.PDU) => {
      if (!pdu.isResponse() && !HANDLED.has(pdu.command)) session.send(pdu.response({ command_status: smpp.ESME_RINVCMDID }));
    });

    session.on('submit_sm', (pdu: smpp.PDU) => {
      if (systemId === undefined) {
        session.send(pdu.response({ command_status: smpp.ESME_RINVBNDSTS }));
        return;
      }
      const sender = String(pdu.source_addr ?? '') || null;
      const recipient = String(pdu.destination_addr ?? '');
      const payload = messageText(pdu.message_payload);
      const short = messageText(pdu.short_message);
      const part = concatenation(pdu.short_message);
      const body = payload !== '' ? payload : part ? join(`${systemId}|${sender}|${recipient}|${part.reference}|${part.total}`, part.total, part.sequence, short) : short;
      const messageId = randomUUID();
      if (body === undefined) {
        session.send(pdu.response({ message_id: messageId }));
        return;
      }
      // Answer once stored, so that a sender that got its message id finds the message.
      opts.onSms({ sender, recipient, body }).then(
        () => session.send(pdu.response({ message_id: messageId })),
        () => session.send(pdu.response({ command_status: smpp.ESME_RSYSERR })),
      );
    });
  });
  server.on('error', () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const session of [...server.sessions]) session.close();
      }),
  };
}
