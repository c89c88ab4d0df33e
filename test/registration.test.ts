/**
 * Customer registration end to end, on the dev server: the API takes the registration, the worker
 * runs the workflow, and the customer ends Active with everything the issue lists.
 */
import request from 'supertest';
import { startWorker, type WorkerHandle } from '../worker/main';
import { bearer, createTestApi, tokenFor, type TestApi, testTaskQueue } from './helpers/api';
import { PDF_SCAN, registrationRequest, validDni, wrongLetterDni } from './helpers/registration';

const TERMINAL = ['completed', 'rejected', 'expired', 'failed'];

describe('registration through the API', () => {
  const taskQueue = testTaskQueue('registration');
  let api: TestApi;
  let worker: WorkerHandle;
  let agent: Record<string, string>;
  let admin: Record<string, string>;

  beforeAll(async () => {
    api = await createTestApi(undefined, { taskQueue });
    worker = await startWorker({ ...process.env, TEMPORAL_TASK_QUEUE: taskQueue }, { workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! }, schedules: false });
    agent = bearer(await tokenFor('agent'));
    admin = bearer(await tokenFor('admin'));
  });

  afterAll(async () => {
    await worker.stop();
    await api.close();
  });

  function register(body: Record<string, unknown>, key?: string) {
    const req = request(api.app).post('/api/registrations').set(agent);
    if (key) void req.set('Idempotency-Key', key);
    return req.send(body);
  }

  function uploadScan(id: string) {
    return request(api.app).post(`/api/registrations/${id}/documents`).set(agent).set('Content-Type', 'application/pdf').send(PDF_SCAN);
  }

  async function settled(id: string, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await request(api.app).get(`/api/registrations/${id}`).set(agent).expect(200);
      if (TERMINAL.includes(res.body.state)) return res.body;
      if (Date.now() > deadline) throw new Error(`registration ${id} still ${res.body.state}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  type Message = { channel: string; subject: string; body: string };

  /** Waits until the recipient has a message that `matches` (delivery follows the state change). */
  async function received(recipient: string, matches: (m: Message) => boolean, timeoutMs = 30_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const messages = (await request(api.app).get('/api/dev/outbox').query({ recipient }).set(admin).expect(200)).body as Message[];
      const found = messages.find(matches);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching message for ${recipient} in ${JSON.stringify(messages)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  it('takes a self-registration to an active customer with account, card token, number, interaction and welcome', async () => {
    const body = registrationRequest();
    const key = `portal-${Date.now()}`;
    const accepted = await register(body, key).expect(202);
    const id = accepted.body.id as string;
    expect(accepted.headers.location).toBe(`/api/registrations/${id}`);
    expect(accepted.body).toMatchObject({ state: 'collecting', channel: 'portal' });
    expect(accepted.body.nationalIdentity.number).toBe(`******${body.nationalIdentity.number.slice(-3)}`);

    // The same submission again (same Idempotency-Key) is the same registration.
    const again = await register(body, key).expect(202);
    expect(again.body.id).toBe(id);

    const scan = await uploadScan(id).expect(201);
    expect(scan.body).toMatchObject({ mimeType: 'application/pdf', size: PDF_SCAN.length });

    const done = await settled(id);
    expect(done).toMatchObject({ state: 'completed', reasons: [] });
    const { customerId, billingAccountId, msisdn } = done;
    expect(msisdn).toMatch(/^\+34\d{9}$/);

    const customer = await request(api.app).get(`/tmf-api/customerManagement/v4/customer/${customerId}`).set(agent).expect(200);
    expect(customer.body).toMatchObject({ status: 'Active', name: 'Lucía García Pérez' });
    const individualId = customer.body.engagedParty.id;
    const individual = await request(api.app).get(`/tmf-api/party/v4/individual/${individualId}`).set(agent).expect(200);
    expect(individual.body.individualIdentification[0].identificationId).toBe(`******${body.nationalIdentity.number.slice(-3)}`);

    const account = await request(api.app).get(`/tmf-api/accountManagement/v4/billingAccount/${billingAccountId}`).set(agent).expect(200);
    expect(account.body).toMatchObject({ state: 'Active', billStructure: { billCycleDay: 1, currency: 'EUR', paymentType: 'postpaid' } });
    expect(account.body.defaultPaymentMethod.name).toBe('visa ****1111');

    const [method] = await api.knex('crm_payment_method').where({ customer_id: customerId });
    expect(method).toMatchObject({ type: 'card', brand: 'visa', last4: '1111', expiry_month: 12, expiry_year: 2030 });
    expect(method.gateway_token).toMatch(/^tok_sim_/);

    const number = await api.knex('inventory_msisdn').where({ msisdn }).first();
    expect(number).toMatchObject({ status: 'reserved', reserved_for: id, customer_id: customerId });

    const interactions = await request(api.app)
      .get('/tmf-api/partyInteraction/v4/partyInteraction')
      .query({ reason: 'registration', id })
      .set(agent)
      .expect(200);
    expect(interactions.body).toHaveLength(1);
    expect(interactions.body[0]).toMatchObject({ direction: 'inbound', status: 'completed', channel: [{ id: 'portal' }] });

    // The customer's own token sees the customer and the registration.
    const own = bearer(await tokenFor('customer', { customerId }));
    await request(api.app).get(`/tmf-api/customerManagement/v4/customer/${customerId}`).set(own).expect(200);
    await request(api.app).get(`/api/registrations/${id}`).set(own).expect(200);
    await request(api.app).get(`/api/registrations/${id}`).set(bearer(await tokenFor('customer', { customerId: 'someone-else' }))).expect(404);

    // The welcome, by e-mail and SMS, in the customer's language.
    const mail = await received(body.contact.email, (m) => m.channel === 'email');
    expect(mail.subject).toMatch(/Bienvenid/i);
    expect(mail.body).toContain(msisdn);
    const sms = await received(body.contact.mobile, (m) => m.channel === 'sms');
    expect(sms.body).toContain(msisdn);

    // Personal data at rest: no national id or card number in clear in any row we wrote.
    const dump = JSON.stringify(
      await Promise.all(
        ['crm_registration', 'crm_party_individual', 'crm_party_identification', 'crm_payment_method', 'crm_customer', 'event_outbox'].map((t) =>
          api.knex.raw(`SELECT * FROM ${t}`).then((r) => r.rows),
        ),
      ),
    );
    expect(dump).not.toContain(body.nationalIdentity.number);
    expect(dump).not.toContain('4111111111111111');
  });

  it('rejects a document that already belongs to a customer', async () => {
    const dni = validDni();
    const first = await register(registrationRequest({ nationalIdentity: { type: 'nationalIdCard', number: dni, issuingCountry: 'ES' } })).expect(202);
    await uploadScan(first.body.id).expect(201);
    expect((await settled(first.body.id)).state).toBe('completed');

    const second = await register(registrationRequest({ nationalIdentity: { type: 'nationalIdCard', number: dni, issuingCountry: 'ES' } })).expect(202);
    await uploadScan(second.body.id).expect(201);
    const outcome = await settled(second.body.id);
    expect(outcome.state).toBe('rejected');
    expect(outcome.reasons.join(' ')).toMatch(/already/i);
    expect(outcome.customerId).toBeUndefined();
  });

  it('rejects a wrong check letter, and tells the applicant', async () => {
    const body = registrationRequest({ nationalIdentity: { type: 'nationalIdCard', number: wrongLetterDni(), issuingCountry: 'ES' } });
    const res = await register(body).expect(202);
    await uploadScan(res.body.id).expect(201);
    const outcome = await settled(res.body.id);
    expect(outcome.state).toBe('rejected');
    expect(outcome.reasons.join(' ')).toMatch(/letter/i);
    const mail = await received(body.contact.email, (m) => m.channel === 'email');
    expect(mail.body).toMatch(/letter|letra/i);
  });

  it('refuses a minor and bad fields with 400 naming each field, writing nothing', async () => {
    // Counted by what the refused requests carry: other test files register beside this one.
    const minorBody = registrationRequest({ birthDate: '2012-01-01' });
    const refusedRows = () =>
      api
        .knex('crm_registration')
        .whereRaw(`applicant->>'email' in (?, 'not-an-email') or applicant->>'givenName' = 'Only'`, [minorBody.contact.email])
        .count({ n: '*' });
    const before = await refusedRows();
    const minor = await register(minorBody).expect(400);
    expect(minor.body).toMatchObject({ code: '400', status: '400' });
    expect(minor.body.message).toMatch(/birthDate: the customer must be 18 or older/);

    const bad = registrationRequest();
    const res = await register({
      ...bad,
      channel: 'fax',
      contact: { ...bad.contact, email: 'not-an-email', mobile: '12', address: { ...bad.contact.address, postalCode: '99999' } },
      paymentMethod: { ...bad.paymentMethod, number: '4111 1111 1111 1112' },
    }).expect(400);
    for (const field of ['channel', 'contact.email', 'contact.mobile', 'contact.address.postalCode', 'paymentMethod.number']) {
      expect(res.body.message).toContain(field);
    }
    await register({ givenName: 'Only' }).expect(400);
    expect(await refusedRows()).toEqual(before);
  });

  it('answers 422 for a declined card and stores nothing', async () => {
    const body = registrationRequest();
    const holderName = `Declined ${body.contact.mobile}`;
    const stored = async () => ({
      paymentMethods: await api.knex('crm_payment_method').where({ holder_name: holderName }).count({ n: '*' }),
      registrations: await api.knex('crm_registration').whereRaw(`applicant->>'email' = ?`, [body.contact.email]).count({ n: '*' }),
    });
    const before = await stored();
    const res = await register({ ...body, paymentMethod: { type: 'card', number: '4000000000000002', expiryMonth: 1, expiryYear: 2031, holderName } }).expect(422);
    expect(res.body.message).toMatch(/declined/);
    expect(await stored()).toEqual(before);
  });

  it('refuses a scan that is not a pdf, png or jpeg', async () => {
    const res = await register(registrationRequest()).expect(202);
    await request(api.app)
      .post(`/api/registrations/${res.body.id}/documents`)
      .set(agent)
      .set('Content-Type', 'application/pdf')
      .send(Buffer.from('MZ\x90\x00 not a pdf at all'))
      .expect(415);
    const row = await api.knex('crm_registration').where({ id: res.body.id }).first();
    expect(row.document_id).toBeNull();
  });

  it('gives 50 registrations started at once 50 different numbers', async () => {
    const bodies = Array.from({ length: 50 }, () => registrationRequest({ account: { paymentType: 'prepaid' }, paymentMethod: undefined }));
    const accepted = await Promise.all(bodies.map((b) => register(b).expect(202)));
    await Promise.all(accepted.map((a) => uploadScan(a.body.id).expect(201)));
    // Generous: on a loaded 2-core machine 50 registrations (each with mail and SMS) take a while.
    const outcomes = await Promise.all(accepted.map((a) => settled(a.body.id, 240_000)));
    expect(outcomes.map((o) => o.state)).toEqual(Array(50).fill('completed'));
    const numbers = outcomes.map((o) => o.msisdn);
    expect(new Set(numbers).size).toBe(50);
  }, 300_000);
});
