/**
 * `GET /api/dev/outbox` (admin): what the local notification sinks received, newest first, so
 * developers and tests see what a customer would have been sent. Query: `recipient` (an email
 * address or MSISDN), `channel` (`email` | `sms`), `limit` (1–500, default 50).
 */
import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { listDevOutbox, type OutboxChannel } from '../db/notifications';
import { requireRole } from './auth';
import { badRequest } from './tmf/errors';

export const DEV_OUTBOX_PATH = '/api/dev/outbox';

const CHANNELS: readonly OutboxChannel[] = ['email', 'sms'];
const MAX_LIMIT = 500;

function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw badRequest(`${name}: give it once`);
  return value;
}

export function devOutboxRouter(knex: Knex): Router {
  const router = express.Router();
  router.get(DEV_OUTBOX_PATH, requireRole('admin'), async (req, res) => {
    const recipient = single(req.query.recipient, 'recipient');
    const channel = single(req.query.channel, 'channel');
    const limitText = single(req.query.limit, 'limit');
    if (channel !== undefined && !CHANNELS.includes(channel as OutboxChannel)) throw badRequest(`channel: one of ${CHANNELS.join(', ')}`);
    const limit = limitText === undefined ? 50 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw badRequest(`limit: an integer from 1 to ${MAX_LIMIT}`);
    const messages = await listDevOutbox(knex, {
      ...(recipient ? { recipient } : {}),
      ...(channel ? { channel: channel as OutboxChannel } : {}),
      limit,
    });
    res.json(messages);
  });
  return router;
}
