/** TMF notification hub of one API: `POST /hub` registers a listener, `DELETE /hub/{id}` removes it. */
import type { Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { deleteHubListener, findHubListener, insertHubListener } from '../../db/events';
import { requireRole } from '../auth';
import { badRequest, describeZodError, notFound } from './errors';

/** The body of `POST /hub`. */
export const hubSubscriptionSchema = z.object({
  callback: z.url({ protocol: /^https?$/ }).describe('URL the events are POSTed to'),
  query: z.string().optional().describe('e.g. eventType=ProductOfferingCreateEvent'),
});

/** Who may register listeners: integrations act with an admin-issued token. */
const hubAccess = requireRole('admin');

function view(l: { id: string; callback: string; query: string | null }) {
  return { id: l.id, callback: l.callback, query: l.query ?? undefined };
}

export function addHubRoutes(router: Router, apiName: string, knex: Knex): void {
  router.post('/hub', hubAccess, async (req, res) => {
    const parsed = hubSubscriptionSchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(describeZodError(parsed.error));
    const listener = await insertHubListener(knex, { apiName, callback: parsed.data.callback, query: parsed.data.query ?? null });
    res.status(201).location(`${req.baseUrl}/hub/${listener.id}`).json(view(listener));
  });
  router.get('/hub/:id', hubAccess, async (req, res) => {
    const listener = await findHubListener(knex, apiName, String(req.params.id));
    if (!listener) throw notFound(`hub listener ${req.params.id}`);
    res.json(view(listener));
  });
  router.delete('/hub/:id', hubAccess, async (req, res) => {
    if (!(await deleteHubListener(knex, apiName, String(req.params.id)))) throw notFound(`hub listener ${req.params.id}`);
    res.status(204).end();
  });
}
