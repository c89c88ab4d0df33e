/**
 * Email through SMTP with nodemailer. The URL carries host, port, TLS (`smtps://`) and
 * credentials (`smtp://user:pass@host:587`); add `?pool=true` to keep connections open between
 * messages. Timeouts are short: a notification that cannot be handed over soon is retried by the
 * caller, not waited for.
 */
import nodemailer from 'nodemailer';

export interface MailConfig {
  /** e.g. `smtp://127.0.0.1:2525`. */
  smtpUrl: string;
  /** The From header, e.g. `BSS <no-reply@bss.local>`. */
  from: string;
  /** Connect, greeting and socket inactivity timeout (default 10 s). */
  timeoutMs?: number;
}

export interface MailMessage {
  to: string;
  toName?: string;
  subject: string;
  text: string;
  html?: string;
  attachments?: MailAttachment[];
}

/** A file sent with a message (e.g. a bill's PDF). */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface MailSender {
  /** Hands the message to the SMTP server; resolves with its Message-ID. */
  send(message: MailMessage): Promise<{ messageId: string }>;
  close(): Promise<void>;
}

export function createSmtpMailSender(config: MailConfig): MailSender {
  const timeout = config.timeoutMs ?? 10_000;
  const transport = nodemailer.createTransport({
    url: config.smtpUrl,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send({ to, toName, subject, text, html, attachments }) {
      const info = await transport.sendMail({
        from: config.from,
        to: toName ? { name: toName, address: to } : to,
        subject,
        text,
        ...(html !== undefined ? { html } : {}),
        ...(attachments?.length ? { attachments } : {}),
      });
      if (info.rejected.length > 0) throw new Error(`SMTP server rejected ${info.rejected.map(String).join(', ')}: ${info.response}`);
      return { messageId: info.messageId };
    },
    async close() {
      transport.close();
    },
  };
}
