/**
 * The durable sender of TMF hub events. Deliveries live in PostgreSQL (written with the change
 * that caused them), so a crash loses nothing: a claimed delivery whose sender died is claimed
 * again when its lease runs out. Failed deliveries are retried with exponential backoff.
 */
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { claimDueDeliveries, markAttemptFailed, markDelivered, type DueDelivery } from '../db/events';

export interface EventSenderOptions {
  batchSize?: number;
  idlePollMs?: number;
  requestTimeoutMs?: number;
  maxAttempts?: number;
  /** Backoff before retry n (1-based): base · 2^(n-1), capped. */
  backoffBaseSeconds?: number;
  backoffCapSeconds?: number;
}

const DEFAULTS: Required<EventSenderOptions> = {
  batchSize: 20,
  idlePollMs: 500,
  requestTimeoutMs: 5000,
  maxAttempts: 15,
  backoffBaseSeconds: 1,
  backoffCapSeconds: 3600,
};

/** Seconds to wait after the given failed attempt, or null once attempts are exhausted. */
export function retryDelaySeconds(attempt: number, opts: Pick<Required<EventSenderOptions>, 'maxAttempts' | 'backoffBaseSeconds' | 'backoffCapSeconds'>): number | null {
  if (attempt >= opts.maxAttempts) return null;
  return Math.min(opts.backoffBaseSeconds * 2 ** (attempt - 1), opts.backoffCapSeconds);
}

export class EventSender {
  private readonly opts: Required<EventSenderOptions>;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly knex: Knex,
    private readonly logger: Logger,
    options: EventSenderOptions = {},
  ) {
    this.opts = { ...DEFAULTS, ...options };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let sent = 0;
      try {
        sent = await this.sendBatch();
      } catch (err) {
        this.logger.error({ err }, 'event sender: batch failed');
      }
      if (sent === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.opts.idlePollMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }

  /** Claims and sends one batch; returns how many deliveries it worked on. */
  async sendBatch(): Promise<number> {
    const leaseSeconds = Math.ceil((this.opts.requestTimeoutMs * 2) / 1000);
    const due = await claimDueDeliveries(this.knex, this.opts.batchSize, leaseSeconds);
    // One callback gets its events one after another, in the order they were claimed; callbacks in parallel.
    const byCallback = new Map<string, DueDelivery[]>();
    for (const d of due) byCallback.set(d.callback, [...(byCallback.get(d.callback) ?? []), d]);
    await Promise.all(
      [...byCallback.values()].map(async (queue) => {
        for (const d of queue) await this.deliver(d);
      }),
    );
    return due.length;
  }

  private async deliver(d: DueDelivery): Promise<void> {
    try {
      const response = await fetch(d.callback, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(d.payload),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs),
      });
      if (!response.ok) throw new Error(`listener answered ${response.status}`);
      await markDelivered(this.knex, d.eventId, d.listenerId);
    } catch (err) {
      const delay = retryDelaySeconds(d.attempts, this.opts);
      const message = (err as Error).message;
      await markAttemptFailed(this.knex, d.eventId, d.listenerId, message, delay);
      this.logger.warn({ eventId: d.eventId, callback: d.callback, attempt: d.attempts, retryInSeconds: delay, error: message }, 'event delivery failed');
    }
  }
}
