/**
 * The CRM resources through the TMF machinery: customer (TMF629), individual and organization
 * (TMF632), billing account (TMF666) and party interaction (TMF683). Server-filled attributes,
 * validation, the customer lifecycle, personal data kept out of the documents, and customer scoping.
 */
import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { loadConfig } from '../config';
import { individualModel } from '../db/crm-models';
import { findIndividualByIdentification, revealIdentifications } from '../db/crm';
import { createTmfResourceOnce } from '../db/tmf-store';
import { derivePiiKeys, maskTail } from '../domain/pii';
import { bearer, createTestApi, ManualClock, tokenFor, type TestApi } from './helpers/api';

const CUSTOMER = '/tmf-api/customerManagement/v4/customer';
const INDIVIDUAL = '/tmf-api/party/v4/individual';
const ORGANIZATION = '/tmf-api/party/v4/organization';
const BILLING_ACCOUNT = '/tmf-api/accountManagement/v4/billingAccount';
const INTERACTION = '/tmf-api/partyInteraction/v4/partyInteraction';

type Headers = Record<string, string>;
type Doc = Record<string, unknown> & { id: string };

/** A national id number nobody else in the run has (8 digits and a letter, like a DNI). */
const newDni = () => `${randomInt(10_000_000, 99_999_999)}${'TRWAGMYFPDXBNJZSQVHLCKE'[randomInt(0, 23)]}`;
const customerRef = (id: string) => ({ id, role: 'customer', '@referredType': 'Customer' });

describe('CRM resources', () => {
  let api: TestApi;
  const clock = new ManualClock('2026-11-25T10:00:00.000Z');
  const keys = derivePiiKeys(loadConfig().piiKey);
  let agent: Headers;
  let admin: Headers;

  /** Rows of a table whose text mentions the marker (other test files write the same tables). */
  const rowsMentioning = async (table: string, column: string, marker: string) =>
    Number((await api.knex(table).whereRaw(`strpos(${column}::text, ?) > 0`, [marker]).count({ n: '*' }))[0].n);

  const createCustomer = async (name = `Customer ${randomUUID()}`) =>
    (await request(api.app).post(CUSTOMER).set(agent).send({ name, engagedParty: { id: randomUUID(), '@referredType': 'Individual' } }).expect(201))
      .body as Doc;

  beforeAll(async () => {
    api = await createTestApi(clock);
    agent = bearer(await tokenFor('agent'));
    admin = bearer(await tokenFor('admin'));
  });

  afterAll(async () => {
    await api.close();
  });

  describe('TMF629 customer', () => {
    it('creates a customer with the server-filled attributes and status Initialized', async () => {
      const res = await request(api.app)
        .post(CUSTOMER)
        .set(agent)
        .send({ name: 'Moon Football Club', engagedParty: { id: '500', '@referredType': 'Organization' } })
        .expect(201);
      expect(res.body).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          href: `http://bss.test${CUSTOMER}/${res.body.id}`,
          '@type': 'Customer',
          name: 'Moon Football Club',
          status: 'Initialized',
          engagedParty: { id: '500', '@referredType': 'Organization' },
          validFor: { startDateTime: '2026-11-25T10:00:00.000Z' },
        }),
      );
      expect(res.headers.location).toBe(res.body.href);
      expect((await request(api.app).get(`${CUSTOMER}/${res.body.id}`).set(admin).expect(200)).body).toEqual(res.body);
    });

    it('requires name and engagedParty, and refuses an unknown status', async () => {
      const marker = `no party ${randomUUID()}`;
      const noParty = await request(api.app).post(CUSTOMER).set(agent).send({ name: marker }).expect(400);
      expect(noParty.body.message).toMatch(/engagedParty/);
      expect((await request(api.app).post(CUSTOMER).set(agent).send({ engagedParty: { id: '1' } }).expect(400)).body.message).toMatch(/name/);
      const badStatus = await request(api.app).post(CUSTOMER).set(agent).send({ name: marker, engagedParty: { id: '1' }, status: 'Happy' }).expect(400);
      expect(badStatus.body.message).toMatch(/status/);
      expect(await rowsMentioning('crm_customer', 'body', marker)).toBe(0);
    });

    it('follows the lifecycle Initialized → Approved → Active ⇄ Suspended → Closed', async () => {
      const customer = await createCustomer();
      const url = `${CUSTOMER}/${customer.id}`;
      const skip = await request(api.app).patch(url).set(agent).send({ status: 'Active' }).expect(409);
      expect(skip.body).toEqual(expect.objectContaining({ code: '409', message: expect.stringMatching(/Initialized to Active/) }));
      for (const status of ['Approved', 'Active', 'Suspended', 'Active', 'Closed']) {
        expect((await request(api.app).patch(url).set(agent).send({ status }).expect(200)).body.status).toBe(status);
      }
      await request(api.app).patch(url).set(agent).send({ status: 'Active' }).expect(409);
      // A change that keeps the status is fine, even when Closed.
      await request(api.app).patch(url).set(agent).send({ statusReason: 'moved abroad' }).expect(200);

      const events = await api.knex('event_outbox').where({ event_type: 'CustomerStateChangeEvent' }).whereRaw("payload->'event'->'customer'->>'id' = ?", [customer.id]);
      expect(events).toHaveLength(5);
    });

    it('keeps a customer token to its own customer, read-only', async () => {
      const mine = await createCustomer();
      const other = await createCustomer();
      const me = bearer(await tokenFor('customer', { customerId: mine.id }));
      const list = await request(api.app).get(CUSTOMER).set(me).expect(200);
      expect(list.body.map((c: Doc) => c.id)).toEqual([mine.id]);
      expect(list.headers['x-total-count']).toBe('1');
      await request(api.app).get(`${CUSTOMER}/${mine.id}`).set(me).expect(200);
      await request(api.app).get(`${CUSTOMER}/${other.id}`).set(me).expect(404);
      await request(api.app).patch(`${CUSTOMER}/${mine.id}`).set(me).send({ name: 'mine' }).expect(403);
      await request(api.app).post(CUSTOMER).set(me).send({ name: 'x', engagedParty: { id: '1' } }).expect(403);
      await request(api.app).delete(`${CUSTOMER}/${mine.id}`).set(me).expect(403);
      await request(api.app).get(CUSTOMER).set(bearer(await tokenFor('technician'))).expect(403);
    });
  });

  describe('TMF632 individual', () => {
    const createIndividual = async (body: Record<string, unknown>) => (await request(api.app).post(INDIVIDUAL).set(agent).send(body).expect(201)).body as Doc;
    const identificationRows = (individualId: string) => api.knex('crm_party_identification').where({ individual_id: individualId });

    it('creates an individual with status initialized', async () => {
      const res = await request(api.app)
        .post(INDIVIDUAL)
        .set(agent)
        .send({
          givenName: 'Lucía',
          familyName: 'García Pérez',
          birthDate: '1990-04-17',
          contactMedium: [{ mediumType: 'email', preferred: true, characteristic: { emailAddress: 'lucia@example.com' } }],
          languageAbility: [{ languageCode: 'es', isFavouriteLanguage: true }],
        })
        .expect(201);
      expect(res.body).toEqual(
        // The date of birth as the date-time TMF632 types it.
        expect.objectContaining({ id: expect.any(String), href: `http://bss.test${INDIVIDUAL}/${res.body.id}`, '@type': 'Individual', status: 'initialized', birthDate: '1990-04-17T00:00:00Z' }),
      );
      await request(api.app).post(INDIVIDUAL).set(agent).send({ givenName: 'Nobody' }).expect(400);
      await request(api.app).post(INDIVIDUAL).set(agent).send({ givenName: 'A', familyName: 'B', status: 'alive' }).expect(400);
    });

    it('never stores, returns or publishes the identification number in clear', async () => {
      const dni = newDni();
      const created = await createIndividual({
        givenName: 'Marta',
        familyName: 'Ruiz',
        individualIdentification: [{ identificationType: 'DNI', identificationId: dni, issuingAuthority: 'Policía Nacional', issuingDate: '2020-01-10' }],
      });
      const masked = maskTail(dni);
      expect(masked).toBe(`******${dni.slice(-3)}`);
      expect(created.individualIdentification).toEqual([
        { identificationType: 'DNI', identificationId: masked, issuingAuthority: 'Policía Nacional', issuingDate: '2020-01-10T00:00:00Z' },
      ]);
      const read = await request(api.app).get(`${INDIVIDUAL}/${created.id}`).set(agent).expect(200);
      expect(JSON.stringify(read.body)).not.toContain(dni);

      const { rows } = await api.knex.raw('SELECT body FROM crm_party_individual WHERE id = ?', [created.id]);
      expect(rows).toHaveLength(1);
      expect(JSON.stringify(rows[0].body)).not.toContain(dni);
      const identification = (await api.knex.raw('SELECT * FROM crm_party_identification WHERE individual_id = ?', [created.id])).rows;
      expect(identification).toHaveLength(1);
      expect(JSON.stringify(identification)).not.toContain(dni);
      expect(identification[0]).toEqual(expect.objectContaining({ identification_type: 'DNI', issuing_authority: 'Policía Nacional', masked }));
      expect(await rowsMentioning('crm_party_identification', 'crm_party_identification', dni)).toBe(0);
      expect(await rowsMentioning('crm_party_individual', 'crm_party_individual', dni)).toBe(0);
      expect(await rowsMentioning('event_outbox', 'payload', created.id)).toBeGreaterThan(0);
      expect(await rowsMentioning('event_outbox', 'payload', dni)).toBe(0);

      // The blind index finds the individual by the number, however it is written.
      expect(await findIndividualByIdentification(api.knex, keys, 'DNI', dni)).toEqual({ individualId: created.id, identificationType: 'DNI', masked });
      expect((await findIndividualByIdentification(api.knex, keys, 'dni', `${dni.slice(0, 4)} ${dni.slice(4, 8)}-${dni.slice(8).toLowerCase()}`))?.individualId).toBe(created.id);
      expect(await findIndividualByIdentification(api.knex, keys, 'passport', dni)).toBeUndefined();
      expect(await findIndividualByIdentification(api.knex, keys, 'DNI', newDni())).toBeUndefined();
      expect(await revealIdentifications(api.knex, keys, created.id)).toEqual([
        { identificationType: 'DNI', issuingAuthority: 'Policía Nacional', identificationId: dni, masked },
      ]);
    });

    it('keeps the stored number when a PATCH sends back the masked value, and re-seals a new one', async () => {
      const dni = newDni();
      const created = await createIndividual({ givenName: 'Pau', familyName: 'Serra', individualIdentification: [{ identificationType: 'DNI', identificationId: dni }] });
      const url = `${INDIVIDUAL}/${created.id}`;
      const [before] = await identificationRows(created.id);

      // What the client read, sent back with another change.
      const sentBack = await request(api.app)
        .patch(url)
        .set(agent)
        .send({ givenName: 'Pau Joan', individualIdentification: created.individualIdentification })
        .expect(200);
      expect(sentBack.body.individualIdentification).toEqual(created.individualIdentification);
      expect(await identificationRows(created.id)).toEqual([before]);
      // A PATCH that does not touch the identifications keeps them too.
      await request(api.app).patch(url).set(agent).send({ familyName: 'Serra i Puig' }).expect(200);
      expect(await identificationRows(created.id)).toEqual([before]);

      const renewed = newDni();
      const changed = await request(api.app)
        .patch(url)
        .set(agent)
        .send({ individualIdentification: [{ identificationType: 'DNI', identificationId: renewed }] })
        .expect(200);
      expect(changed.body.individualIdentification).toEqual([{ identificationType: 'DNI', identificationId: maskTail(renewed) }]);
      const rows = await identificationRows(created.id);
      expect(rows).toHaveLength(1);
      expect(rows[0].number_sealed).not.toBe(before.number_sealed);
      expect(JSON.stringify(rows)).not.toContain(renewed);
      expect((await findIndividualByIdentification(api.knex, keys, 'DNI', renewed))?.individualId).toBe(created.id);
      expect(await findIndividualByIdentification(api.knex, keys, 'DNI', dni)).toBeUndefined();
      expect((await revealIdentifications(api.knex, keys, created.id)).map((i) => i.identificationId)).toEqual([renewed]);

      // A masked value the individual does not have cannot stand for a number.
      const forged = await request(api.app)
        .patch(url)
        .set(agent)
        .send({ individualIdentification: [{ identificationType: 'DNI', identificationId: '*****999X' }] })
        .expect(400);
      expect(forged.body.message).toMatch(/individualIdentification\.0\.identificationId/);
      expect((await revealIdentifications(api.knex, keys, created.id)).map((i) => i.identificationId)).toEqual([renewed]);

      // A number needs its type; removing the identifications removes the numbers.
      await request(api.app).patch(url).set(agent).send({ individualIdentification: [{ identificationId: newDni() }] }).expect(400);
      await request(api.app).patch(url).set(agent).send({ individualIdentification: null }).expect(200);
      expect(await identificationRows(created.id)).toEqual([]);
    });

    it('seals the number the same way when an activity writes through individualModel', async () => {
      const dni = newDni();
      const id = randomUUID();
      const body = { givenName: 'Joan', familyName: 'Mas', individualIdentification: [{ identificationType: 'DNI', identificationId: dni }] };
      const write = () => api.knex.transaction((trx) => createTmfResourceOnce(trx, individualModel(keys), id, body, { now: clock.now(), publicUrl: 'http://bss.test' }));
      const doc = await write();
      expect(doc).toEqual(expect.objectContaining({ id, status: 'initialized', individualIdentification: [{ identificationType: 'DNI', identificationId: maskTail(dni) }] }));
      expect(await write()).toEqual(doc); // once only
      expect((await findIndividualByIdentification(api.knex, keys, 'DNI', dni))?.individualId).toBe(id);
      expect(await rowsMentioning('crm_party_individual', 'body', dni)).toBe(0);
    });

    it('deletes the numbers with the individual', async () => {
      const dni = newDni();
      const created = await createIndividual({ givenName: 'Ana', familyName: 'Vidal', individualIdentification: [{ identificationType: 'NIE', identificationId: dni }] });
      expect(await identificationRows(created.id)).toHaveLength(1);
      await request(api.app).delete(`${INDIVIDUAL}/${created.id}`).set(agent).expect(204);
      expect(await identificationRows(created.id)).toEqual([]);
      expect(await findIndividualByIdentification(api.knex, keys, 'NIE', dni)).toBeUndefined();
    });

    it('rolls the numbers back with a refused write', async () => {
      const dni = newDni();
      // The second entry is refused after the first was sealed: nothing of it may remain.
      await request(api.app)
        .post(INDIVIDUAL)
        .set(agent)
        .send({
          givenName: 'Rolled',
          familyName: 'Back',
          individualIdentification: [
            { identificationType: 'DNI', identificationId: dni },
            { identificationType: 'passport', identificationId: '******123' },
          ],
        })
        .expect(400);
      expect(await findIndividualByIdentification(api.knex, keys, 'DNI', dni)).toBeUndefined();
    });
  });

  describe('TMF632 organization', () => {
    it('creates an organization with status initialized and requires tradingName', async () => {
      const res = await request(api.app).post(ORGANIZATION).set(agent).send({ tradingName: 'Acme Telecom SL', isLegalEntity: true }).expect(201);
      expect(res.body).toEqual(expect.objectContaining({ '@type': 'Organization', status: 'initialized', tradingName: 'Acme Telecom SL' }));
      await request(api.app).post(ORGANIZATION).set(agent).send({ name: 'No trading name' }).expect(400);
    });
  });

  describe('TMF666 billing account', () => {
    it('creates an account in state Defined with the default bill cycle', async () => {
      const customer = await createCustomer();
      const res = await request(api.app)
        .post(BILLING_ACCOUNT)
        .set(agent)
        .send({ name: 'Main account', relatedParty: [customerRef(customer.id)], billStructure: { billCycleDay: 15 } })
        .expect(201);
      expect(res.body).toEqual(
        expect.objectContaining({
          '@type': 'BillingAccount',
          href: `http://bss.test${BILLING_ACCOUNT}/${res.body.id}`,
          state: 'Defined',
          lastModified: '2026-11-25T10:00:00.000Z',
          billStructure: { billCycleDay: 15, currency: 'EUR', timeZone: 'Europe/Madrid', paymentType: 'postpaid' },
        }),
      );
    });

    it('keeps a bill cycle given in full', async () => {
      const customer = await createCustomer();
      const billStructure = { billCycleDay: 28, currency: 'GBP', timeZone: 'America/New_York', paymentType: 'prepaid', cycleSpecification: { name: 'monthly', frequency: 'monthly' } };
      const res = await request(api.app)
        .post(BILLING_ACCOUNT)
        .set(agent)
        .send({ name: 'UK account', relatedParty: [customerRef(customer.id)], billStructure, creditLimit: { unit: 'GBP', value: 100 } })
        .expect(201);
      expect(res.body.billStructure).toEqual(billStructure);
      const patched = await request(api.app).patch(`${BILLING_ACCOUNT}/${res.body.id}`).set(agent).send({ billStructure: { billCycleDay: 1 }, state: 'Active' }).expect(200);
      expect(patched.body.billStructure).toEqual({ ...billStructure, billCycleDay: 1 });
      expect(patched.body.state).toBe('Active');
    });

    it.each([
      ['a bill cycle day of 29', { billStructure: { billCycleDay: 29 } }, 'billStructure.billCycleDay'],
      ['a bill cycle day of 0', { billStructure: { billCycleDay: 0 } }, 'billStructure.billCycleDay'],
      ['a fractional bill cycle day', { billStructure: { billCycleDay: 1.5 } }, 'billStructure.billCycleDay'],
      ['an unknown time zone', { billStructure: { timeZone: 'Mars/Olympus_Mons' } }, 'billStructure.timeZone'],
      ['an offset instead of a zone', { billStructure: { timeZone: '+01:00' } }, 'billStructure.timeZone'],
      ['a currency of four letters', { billStructure: { currency: 'EURO' } }, 'billStructure.currency'],
      ['a currency that does not exist', { billStructure: { currency: 'ABC' } }, 'billStructure.currency'],
      ['a lower-case currency', { billStructure: { currency: 'eur' } }, 'billStructure.currency'],
      ['an unknown payment type', { billStructure: { paymentType: 'weekly' } }, 'billStructure.paymentType'],
      ['an unknown state', { state: 'Open' }, 'state'],
      ['a credit limit in another currency', { creditLimit: { unit: 'USD', value: 50 } }, 'creditLimit.unit'],
      ['no related party', { relatedParty: undefined }, 'relatedParty'],
    ])('refuses %s (400, naming the field) and writes nothing', async (_what, change, field) => {
      const name = `invalid account ${randomUUID()}`;
      const body = { name, relatedParty: [customerRef(randomUUID())], ...change };
      const res = await request(api.app).post(BILLING_ACCOUNT).set(agent).send(body).expect(400);
      expect(res.body).toEqual(expect.objectContaining({ code: '400', message: expect.stringContaining(field) }));
      expect(await rowsMentioning('crm_billing_account', 'body', name)).toBe(0);
      expect(await rowsMentioning('event_outbox', 'payload', name)).toBe(0);
    });
  });

  describe('TMF683 party interaction', () => {
    it('records a contact with status opened, dates and the channel name filled', async () => {
      const customer = await createCustomer();
      const res = await request(api.app)
        .post(INTERACTION)
        .set(agent)
        .send({
          direction: 'inbound',
          reason: 'Question about the first bill',
          channel: [{ id: 'callCentre', role: 'interaction channel' }],
          relatedParty: [customerRef(customer.id)],
          relatedEntity: [{ id: 'bill-1', role: 'subject', '@referredType': 'CustomerBill' }],
        })
        .expect(201);
      expect(res.body).toEqual(
        expect.objectContaining({
          '@type': 'PartyInteraction',
          status: 'opened',
          creationDate: '2026-11-25T10:00:00.000Z',
          statusChangeDate: '2026-11-25T10:00:00.000Z',
          interactionDate: { startDateTime: '2026-11-25T10:00:00.000Z' },
          channel: [{ id: 'callCentre', href: 'urn:bss:channel:callCentre', name: 'Call centre', role: 'interaction channel' }],
        }),
      );

      clock.advance(60_000);
      const done = await request(api.app).patch(`${INTERACTION}/${res.body.id}`).set(agent).send({ status: 'completed' }).expect(200);
      expect(done.body).toEqual(expect.objectContaining({ status: 'completed', statusChangeDate: '2026-11-25T10:01:00.000Z', creationDate: '2026-11-25T10:00:00.000Z' }));
      clock.advance(60_000);
      const noted = await request(api.app).patch(`${INTERACTION}/${res.body.id}`).set(agent).send({ note: [{ text: 'explained the proration' }] }).expect(200);
      expect(noted.body.statusChangeDate).toBe('2026-11-25T10:01:00.000Z');
    });

    it.each([
      ['an unknown channel', { channel: [{ id: 'pigeon' }] }, 'channel.0.id'],
      ['no channel', { channel: [] }, 'channel'],
      ['no direction', { direction: undefined }, 'direction'],
      ['an unknown direction', { direction: 'sideways' }, 'direction'],
      ['no reason', { reason: undefined }, 'reason'],
      ['an unknown status', { status: 'closed' }, 'status'],
    ])('refuses %s', async (_what, change, field) => {
      const body = { direction: 'outbound', reason: 'Welcome call', channel: [{ id: 'sms' }], ...change };
      const res = await request(api.app).post(INTERACTION).set(agent).send(body).expect(400);
      expect(res.body.message).toContain(field);
    });
  });

  describe('customer scoping', () => {
    it('shows a customer its own parties, accounts and interactions, and 404 for the others', async () => {
      const [mine, other] = [await createCustomer(), await createCustomer()];
      const me = bearer(await tokenFor('customer', { customerId: mine.id }));
      const bodies: Array<[string, (customerId: string) => Record<string, unknown>]> = [
        [INDIVIDUAL, (c) => ({ givenName: 'Scoped', familyName: 'Person', relatedParty: [customerRef(c)] })],
        // The owner may also be named by @referredType alone.
        [ORGANIZATION, (c) => ({ tradingName: 'Scoped SL', relatedParty: [{ id: c, '@referredType': 'Customer' }] })],
        [BILLING_ACCOUNT, (c) => ({ name: 'Scoped account', relatedParty: [customerRef(c)] })],
        [INTERACTION, (c) => ({ direction: 'inbound', reason: 'Scoped', channel: [{ id: 'portal' }], relatedParty: [customerRef(c)] })],
      ];
      for (const [path, body] of bodies) {
        const own = (await request(api.app).post(path).set(agent).send(body(mine.id)).expect(201)).body as Doc;
        const others = (await request(api.app).post(path).set(agent).send(body(other.id)).expect(201)).body as Doc;
        const nobodys = (await request(api.app).post(path).set(agent).send({ ...body(other.id), relatedParty: [] })).body as Doc;

        const list = await request(api.app).get(path).set(me).expect(200);
        expect({ path, ids: list.body.map((d: Doc) => d.id) }).toEqual({ path, ids: [own.id] });
        await request(api.app).get(`${path}/${own.id}`).set(me).expect(200);
        await request(api.app).get(`${path}/${others.id}`).set(me).expect(404);
        if (nobodys.id) await request(api.app).get(`${path}/${nobodys.id}`).set(me).expect(404);
        await request(api.app).post(path).set(me).send(body(mine.id)).expect(403);
        await request(api.app).patch(`${path}/${own.id}`).set(me).send({}).expect(403);
        await request(api.app).delete(`${path}/${own.id}`).set(me).expect(403);
        // Staff see both.
        await request(api.app).get(`${path}/${others.id}`).set(agent).expect(200);
        await request(api.app).get(`${path}/${own.id}`).set(admin).expect(200);
      }
    });
  });
});
