/**
 * Local sinks for outgoing notifications, for development and tests: an SMTP server and an SMPP
 * server on loopback that store every message they receive in `dev_outbox`, where
 * `GET /api/dev/outbox` (admin) shows what a customer would have received. Not for production:
 * they accept any sender and any credentials.
 */
import type { Knex } from 'knex';
import { insertDevOutboxMessages } from '../../db/notifications';
import { startSmppSink, type SmppSink } from './smpp-sink';
import { startSmtpSink } from './smtp-sink';

export interface NotificationSinks {
  smtpPort: number;
  smppPort: number;
  /** Stops both servers (open sessions are closed) once the messages being stored are stored. */
  stop(): Promise<void>;
}

export async function startNotificationSinks(opts: {
  knex: Knex;
  /** 0 picks a free port; the one used is returned. */
  smtpPort: number;
  smppPort: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
}): Promise<NotificationSinks> {
  const host = opts.host ?? '127.0.0.1';
  const storing = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    storing.add(p);
    void p.finally(() => storing.delete(p)).catch(() => undefined);
    return p;
  };

  const smtp = await startSmtpSink({
    host,
    port: opts.smtpPort,
    onMail: (mails) => track(insertDevOutboxMessages(opts.knex, mails.map((m) => ({ channel: 'email' as const, ...m }))).then(() => undefined)),
  });
  let smpp: SmppSink;
  try {
    smpp = await startSmppSink({
      host,
      port: opts.smppPort,
      onSms: (sms) => track(insertDevOutboxMessages(opts.knex, [{ channel: 'sms', subject: null, ...sms }]).then(() => undefined)),
    });
  } catch (err) {
    await smtp.stop();
    throw err;
  }

  return {
    smtpPort: smtp.port,
    smppPort: smpp.port,
    stop: async () => {
      await Promise.all([smtp.stop(), smpp.stop()]);
      await Promise.allSettled([...storing]);
    },
  };
}
