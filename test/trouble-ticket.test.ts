/**
 * TMF621 customer queries through the API with a worker: validation, who may write what, routing
 * to the queue of experts and assignment by load, the expert's answer reaching the customer on
 * the channel the query came from (and recorded), reopening, and the lifecycle's refusals.
 */
import request from 'supertest';
import { startWorker, type WorkerHandle } from '../worker/main';
import { TICKET_EXPERTS } from '../db/seeds/ticket-experts';
import { bearer, createTestApi, testTaskQueue, tokenFor, type TestApi } from './helpers/api';
import { createActiveCustomer, type TestCustomer } from './helpers/customers';

const TICKETS = '/tmf-api/troubleTicket/v4/troubleTicket';

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('TMF621 trouble tickets', () => {
  const taskQueue = testTaskQueue('tickets');
  let api: TestApi;
  let worker: WorkerHandle;
  let agent: Record<string, string>;
  let admin: Record<string, string>;
  let customer: TestCustomer;
  let asCustomer: Record<string, string>;

  beforeAll(async () => {
    api = await createTestApi(undefined, { taskQueue, answerTickets: true });
    worker = await startWorker({ ...process.env, TEMPORAL_TASK_QUEUE: taskQueue }, { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, schedules: false });
    agent = bearer(await tokenFor('agent'));
    admin = bearer(await tokenFor('admin'));
    customer = await createActiveCustomer(api.knex, { paymentType: 'postpaid', cardLast4: null });
    asCustomer = bearer(await tokenFor('customer', { customerId: customer.customerId }));
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
  });

  const customerRef = (id: string) => [{ id, role: 'customer', '@referredType': 'Customer' }];
  const query = (over: Record<string, unknown> = {}) => ({
    description: 'I was charged twice for November',
    severity: 'major',
    ticketType: 'billing',
    channel: { name: 'email' },
    relatedParty: customerRef(customer.customerId),
    ...over,
  });
  const outbox = (recipient: string, subjectLike: string) =>
    api.knex('dev_outbox').where({ recipient }).andWhere('subject', 'like', `%${subjectLike}%`).select('channel', 'subject', 'body');
  const assigneeOf = (ticket: { relatedParty?: Array<{ id: string; role: string }> }) => ticket.relatedParty?.find((p) => p.role === 'assignee');

  it.each([
    ['no description', { description: undefined }, 'description'],
    ['an empty description', { description: '  ' }, 'description'],
    ['no severity', { severity: undefined }, 'severity'],
    ['an unknown severity', { severity: 'apocalyptic' }, 'severity'],
    ['no ticket type', { ticketType: undefined }, 'ticketType'],
    ['an unknown ticket type', { ticketType: 'gossip' }, 'ticketType'],
    ['a status other than acknowledged', { status: 'resolved' }, 'status'],
    ['no customer', { relatedParty: [] }, 'relatedParty'],
  ])('refuses a query with %s (400), storing nothing', async (_, over, field) => {
    // This file's customer's tickets, and one with no customer that says what this file's do: other
    // test files write tickets into the same table meanwhile.
    const ours = () =>
      api
        .knex('crm_trouble_ticket')
        .where({ customer_id: customer.customerId })
        .orWhere((q) => q.whereNull('customer_id').andWhereRaw(`body->>'description' = ?`, [query().description]))
        .count<{ count: string }[]>('* as count');
    const before = await ours();
    const res = await request(api.app).post(TICKETS).set(agent).send(query(over)).expect(400);
    expect(res.body).toMatchObject({ code: '400', status: '400' });
    expect(res.body.message).toContain(field);
    expect(await ours()).toEqual(before);
  });

  it('routes a billing query to a billing agent, tells them, and answers the customer by email', async () => {
    const created = await request(api.app).post(TICKETS).set(asCustomer).send(query()).expect(201);
    expect(created.body).toMatchObject({ status: 'acknowledged', ticketType: 'billing', severity: 'major' });
    expect(created.headers.location).toBe(created.body.href);
    const id = created.body.id as string;

    const routed = await eventually(async () => {
      const res = await request(api.app).get(`${TICKETS}/${id}`).set(agent).expect(200);
      return assigneeOf(res.body) && res.body.expectedResolutionDate ? res.body : undefined;
    }, 'assignment');
    const expert = TICKET_EXPERTS.find((e) => e.id === assigneeOf(routed)!.id)!;
    expect(expert).toMatchObject({ queue: 'billing', supervisor: false });
    // Major: 24 hours of working time from now.
    const due = Date.parse(routed.expectedResolutionDate) - Date.parse(routed.creationDate);
    expect(due).toBeGreaterThan(23.9 * 3_600_000);
    expect(due).toBeLessThanOrEqual(24 * 3_600_000 + 60_000);
    await eventually(async () => ((await outbox(expert.email, id)).length ? true : undefined), 'the assignee notice');

    await request(api.app).patch(`${TICKETS}/${id}`).set(agent).send({ status: 'inProgress' }).expect(200);
    const unanswered = await request(api.app).patch(`${TICKETS}/${id}`).set(agent).send({ status: 'resolved' }).expect(400);
    expect(unanswered.body.message).toContain('statusChangeReason');
    const resolved = await request(api.app)
      .patch(`${TICKETS}/${id}`)
      .set(agent)
      .send({ status: 'resolved', statusChangeReason: 'The second charge of 25.00 EUR has been refunded to your card.' })
      .expect(200);
    expect(resolved.body.resolutionDate).toBeDefined();
    expect(resolved.body.statusChange.map((c: { status: string }) => c.status)).toEqual(['acknowledged', 'inProgress', 'resolved']);

    const [answer] = await eventually(async () => {
      const mails = await outbox(customer.email, id);
      return mails.length ? mails : undefined;
    }, 'the answer');
    expect(answer.channel).toBe('email');
    expect(answer.body).toContain('The second charge of 25.00 EUR has been refunded to your card.');
    expect(await api.knex('dev_outbox').where({ channel: 'sms' }).andWhere('body', 'like', `%${id}%`)).toEqual([]);
    const interactions = await eventually(async () => {
      const rows = await api.knex('crm_party_interaction').whereRaw(`body->'relatedEntity' @> ?::jsonb`, [JSON.stringify([{ id }])]);
      return rows.length ? rows : undefined;
    }, 'the recorded answer');
    expect(interactions[0].body).toMatchObject({ direction: 'outbound', reason: 'troubleTicket', channel: [{ id: 'email' }] });

    // The customer may reopen; nothing else.
    const refused = await request(api.app).patch(`${TICKETS}/${id}`).set(asCustomer).send({ severity: 'critical' }).expect(403);
    expect(refused.body.message).toContain('severity');
    await request(api.app).patch(`${TICKETS}/${id}`).set(asCustomer).send({ status: 'closed' }).expect(403);
    const reopened = await request(api.app).patch(`${TICKETS}/${id}`).set(asCustomer).send({ status: 'inProgress', note: [{ text: 'I still see two charges.' }] }).expect(200);
    expect(reopened.body.note).toEqual([expect.objectContaining({ text: 'I still see two charges.', id: expect.any(String), date: expect.any(String) })]);
  });

  it('answers a query that came by SMS with an SMS', async () => {
    const created = await request(api.app).post(TICKETS).set(agent).send(query({ ticketType: 'technical', severity: 'minor', channel: { name: 'sms' }, description: 'No data since this morning' })).expect(201);
    const id = created.body.id as string;
    await eventually(async () => {
      const res = await request(api.app).get(`${TICKETS}/${id}`).set(agent);
      return assigneeOf(res.body) ? true : undefined;
    }, 'assignment');
    await request(api.app).patch(`${TICKETS}/${id}`).set(agent).send({ status: 'resolved', statusChangeReason: 'Restart your phone: the data profile was refreshed.' }).expect(200);
    const sms = await eventually(async () => {
      const rows = await api.knex('dev_outbox').where({ channel: 'sms' }).andWhere('body', 'like', `%${id}%`);
      return rows.length ? rows : undefined;
    }, 'the SMS answer');
    expect(sms[0].body).toContain('Restart your phone');
    expect(await outbox(customer.email, id)).toEqual([]);
  });

  it('gives simultaneous queries of one queue to different experts', async () => {
    const ids = await Promise.all(
      [1, 2].map(async (n) => (await request(api.app).post(TICKETS).set(agent).send(query({ ticketType: 'sales', severity: 'low', description: `Offer question ${n}` })).expect(201)).body.id as string),
    );
    const assignees = await Promise.all(
      ids.map((id) =>
        eventually(async () => {
          const res = await request(api.app).get(`${TICKETS}/${id}`).set(agent);
          return assigneeOf(res.body)?.id;
        }, 'assignment'),
      ),
    );
    expect(new Set(assignees).size).toBe(2);
    for (const a of assignees) expect(TICKET_EXPERTS.find((e) => e.id === a)).toMatchObject({ queue: 'sales-marketing', supervisor: false });
  });

  it('keeps customers to their own queries and the lifecycle to its steps', async () => {
    const other = await createActiveCustomer(api.knex, { paymentType: 'prepaid', cardLast4: null });
    await request(api.app).post(TICKETS).set(asCustomer).send(query({ relatedParty: customerRef(other.customerId) })).expect(403);
    const created = await request(api.app).post(TICKETS).set(agent).send(query({ relatedParty: customerRef(other.customerId) })).expect(201);
    await request(api.app).get(`${TICKETS}/${created.body.id}`).set(asCustomer).expect(404);
    const mine = await request(api.app).get(TICKETS).set(asCustomer).expect(200);
    expect(mine.body.every((t: { relatedParty: Array<{ id: string }> }) => t.relatedParty[0].id === customer.customerId)).toBe(true);

    await request(api.app).patch(`${TICKETS}/${created.body.id}`).set(agent).send({ status: 'rejected', statusChangeReason: 'Not a query for us: please contact your bank.' }).expect(200);
    const conflict = await request(api.app).patch(`${TICKETS}/${created.body.id}`).set(agent).send({ status: 'inProgress' }).expect(409);
    expect(conflict.body.message).toBe('a trouble ticket cannot go from rejected to inProgress (rejected is final)');
    await request(api.app).delete(`${TICKETS}/${created.body.id}`).set(agent).expect(403);
    await request(api.app).delete(`${TICKETS}/${created.body.id}`).set(admin).expect(204);
  });
});
