/**
 * A local SMTP server that accepts every message (no authentication, no TLS: loopback only),
 * parses it with mailparser and hands it on, one message per envelope recipient.
 */
import { simpleParser } from 'mailparser';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  sender: string | null;
  /** Envelope recipient, in lower case. */
  recipient: string;
  subject: string | null;
  body: string;
  /** What came attached: name, type, size in bytes and SHA-256 of each file. */
  attachments?: ReceivedAttachment[];
}

export interface ReceivedAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  sha256: string;
}

export interface SmtpSink {
  port: number;
  stop(): Promise<void>;
}

const MAX_SIZE = 10 * 1024 * 1024;

export async function startSmtpSink(opts: {
  host: string;
  port: number;
  onMail: (mails: ReceivedMail[]) => Promise<void>;
}): Promise<SmtpSink> {
  const server = new SMTPServer({
    logger: false,
    banner: 'BSS development mail sink',
    secure: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    hideSTARTTLS: true,
    size: MAX_SIZE,
    closeTimeout: 1000,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (parsed) => {
          const body = parsed.text ?? (typeof parsed.html === 'string' ? parsed.html : '');
          const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
          const sender = parsed.from?.text || envelopeFrom || null;
          const attachments = parsed.attachments.map((a) => ({
            filename: a.filename ?? null,
            contentType: a.contentType,
            size: a.content.length,
            sha256: createHash('sha256').update(a.content).digest('hex'),
          }));
          await opts.onMail(
            session.envelope.rcptTo.map((rcpt) => ({
              sender,
              recipient: rcpt.address.toLowerCase(),
              subject: parsed.subject ?? null,
              body,
              attachments,
            })),
          );
        })
        .then(
          () => callback(),
          (err: Error) => callback(Object.assign(new Error(`could not store the message: ${err.message}`), { responseCode: 451 })),
        );
    },
  });
  server.on('error', () => undefined); // connection-level errors (a client hanging up) are not ours to report

  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
