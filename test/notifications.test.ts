/**
 * Notifications end to end against the run's PostgreSQL: the activity renders, sends through
 * SMTP and SMPP to the local sinks (started here on free ports), records TMF681
 * communicationMessages, survives a dead SMTP server, and sends once per idempotency key; the
 * TMF681 API and the dev outbox show the result to the right roles only.
 */
import express from 'express';
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import * as smpp from 'smpp';
import request from 'supertest';
import { createNotificationService, type SendNotificationInput } from '../activities/notifications';
import { createSmppSmsSender } from '../activities/notifications/smpp-client';
import { renderNotification } from '../activities/notifications/templates';
import { authenticate, signToken, type Role } from '../api/auth';
import { devOutboxRouter } from '../api/dev-outbox';
import { errorHandler } from '../api/tmf/errors';
import { communicationApi } from '../api/tmf681-communication';
import { createKnex } from '../db/knex';
import { claimDispatch, createCommunicationMessage, listDevOutbox } from '../db/notifications';
import { findResource } from '../db/tmf-resources';
import { systemClock } from '../domain/clock';
import { startNotificationSinks, type NotificationSinks } from '../runtime/sinks';
import { freePort } from './helpers/ports';

const MAIL_FROM = 'BSS <no-reply@bss.local>';
// Tokens signed here rather than through helpers/api, which loads the whole app.
const tokenFor = (role: Role, customerId = 'cust-test') =>
  signToken(process.env.JWT_SECRET!, { subject: `test-${role}`, roles: [role], ...(role === 'customer' ? { customerId } : {}) }, '1h');
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const unique = () => randomUUID().slice(0, 8);
/** A fresh MSISDN: Spanish mobile range, random tail. */
const msisdn = () => `+3460${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;

describe('notifications', () => {
  let knex: Knex;
  let sinks: NotificationSinks;
  let service: ReturnType<typeof createNotificationService>;
  const extraServices: Array<ReturnType<typeof createNotificationService>> = [];

  const serviceFor = (overrides: { smtpUrl?: string; smppUrl?: string } = {}) =>
    createNotificationService({
      knex,
      clock: systemClock,
      publicUrl: 'http://bss.test',
      mail: { smtpUrl: overrides.smtpUrl ?? `smtp://127.0.0.1:${sinks.smtpPort}`, from: MAIL_FROM, timeoutMs: 2000 },
      sms: { smppUrl: overrides.smppUrl ?? `smpp://127.0.0.1:${sinks.smppPort}`, systemId: 'bss', password: 'secret', sender: 'BSS', timeoutMs: 2000 },
      retry: { attempts: 3, backoffMs: 20 },
    });

  beforeAll(async () => {
    knex = createKnex(process.env.DATABASE_URL!);
    sinks = await startNotificationSinks({ knex, smtpPort: 0, smppPort: 0 });
    service = serviceFor();
  });

  afterAll(async () => {
    await Promise.all([service.close(), ...extraServices.map((s) => s.close())]);
    await sinks.stop();
    await knex.destroy();
  });

  const eventsOf = async (messageId: string): Promise<string[]> =>
    (
      await knex('event_outbox')
        .whereRaw(`payload #>> '{event,communicationMessage,id}' = ?`, [messageId])
        .orderBy('seq')
        .select('event_type')
    ).map((r: { event_type: string }) => r.event_type);

  it('delivers e-mails one after another over pooled SMTP connections (npm start pools them)', async () => {
    const pooled = serviceFor({ smtpUrl: `smtp://127.0.0.1:${sinks.smtpPort}?pool=true` });
    extraServices.push(pooled);
    const email = `pooled.${unique()}@example.com`;
    const sent = ['Ana', 'Eva', 'Inés'].map((givenName) => ({ givenName, customerId: `cust-${unique()}`, msisdn: msisdn() }));
    for (const params of sent) {
      const results = await pooled.activities.sendNotification({ event: 'welcome', language: 'es', params, to: { email, name: params.givenName } });
      expect(results).toEqual([expect.objectContaining({ channel: 'email', status: 'sent', attempts: 1 })]);
    }
    const mails = await listDevOutbox(knex, { recipient: email, limit: 10 });
    expect(mails.map((m) => m.body).sort()).toEqual(sent.map((params) => renderNotification('welcome', 'es', params).text).sort());
  });

  it.each([
    ['es', 'Ana'],
    ['en', 'Ann'],
  ])('delivers the welcome by email and SMS in %s and records both as TMF681 messages', async (language, givenName) => {
    const customerId = `cust-${unique()}`;
    const email = `${givenName.toLowerCase()}.${unique()}@example.com`;
    const number = msisdn();
    const params = { givenName, customerId, msisdn: number };
    const expected = renderNotification('welcome', language, params);

    const results = await service.activities.sendNotification({
      event: 'welcome',
      language,
      params,
      to: { email, msisdn: number, name: `${givenName} García` },
      customerId,
      relatedEntity: { id: 'reg-1', '@referredType': 'Registration' },
    });
    expect(results).toEqual([
      expect.objectContaining({ channel: 'email', status: 'sent', attempts: 1 }),
      expect.objectContaining({ channel: 'sms', status: 'sent', attempts: 1 }),
    ]);

    const [mail] = await listDevOutbox(knex, { recipient: email, limit: 10 });
    expect(mail).toMatchObject({ channel: 'email', recipient: email, subject: expected.subject, body: expected.text });
    expect(mail.sender).toContain('no-reply@bss.local');
    const [sms] = await listDevOutbox(knex, { recipient: number, limit: 10 });
    expect(sms).toMatchObject({ channel: 'sms', sender: 'BSS', recipient: number.slice(1), subject: null, body: expected.sms });
    expect(sms.body).toContain(language === 'es' ? 'Tu numero de cliente es' : 'Your customer number is');

    const emailDoc = await findResource(knex, 'crm_communication_message', results[0].messageId);
    expect(emailDoc).toMatchObject({
      '@type': 'CommunicationMessage',
      href: `http://bss.test/tmf-api/communicationManagement/v4/communicationMessage/${results[0].messageId}`,
      messageType: 'email',
      state: 'completed',
      subject: expected.subject,
      content: expected.text,
      sender: { name: 'BSS', email: 'no-reply@bss.local' },
      receiver: [{ id: customerId, email, name: `${givenName} García`, party: { id: customerId, '@referredType': 'Customer', role: 'customer' } }],
      relatedEntity: [{ id: 'reg-1', '@referredType': 'Registration' }],
    });
    expect(emailDoc!.sendTime).toEqual(expect.any(String));
    expect(emailDoc!.sendTimeComplete).toEqual(expect.any(String));
    expect(emailDoc!.characteristic).toEqual(
      expect.arrayContaining([
        { name: 'event', valueType: 'string', value: 'welcome' },
        { name: 'language', valueType: 'string', value: language },
        { name: 'providerMessageId', valueType: 'string', value: results[0].providerMessageId },
      ]),
    );
    const smsDoc = await findResource(knex, 'crm_communication_message', results[1].messageId);
    expect(smsDoc).toMatchObject({ messageType: 'sms', state: 'completed', content: expected.sms, receiver: [{ phoneNumber: number }] });

    // Owned by the customer; events in the outbox: created in progress, then completed.
    const owners = await knex('crm_communication_message').whereIn('id', results.map((r) => r.messageId)).pluck('customer_id');
    expect(owners).toEqual([customerId, customerId]);
    expect(await eventsOf(results[0].messageId)).toEqual([
      'CommunicationMessageCreateEvent',
      'CommunicationMessageAttributeValueChangeEvent',
      'CommunicationMessageStateChangeEvent',
    ]);
  });

  it('records a failed email after its retries without throwing, and still sends the SMS', async () => {
    const deadPort = await freePort(); // nobody listens there
    const broken = serviceFor({ smtpUrl: `smtp://127.0.0.1:${deadPort}` });
    extraServices.push(broken);
    const email = `down.${unique()}@example.com`;
    const number = msisdn();

    const results = await broken.activities.sendNotification({
      event: 'registrationExpired',
      language: 'en',
      params: { givenName: 'Dee', registrationId: 'REG-9' },
      to: { email, msisdn: number },
      customerId: `cust-${unique()}`,
    });
    expect(results[0]).toMatchObject({ channel: 'email', status: 'failed', attempts: 3 });
    expect(results[0].error).toMatch(/ECONNREFUSED|connect/i);
    expect(results[1]).toMatchObject({ channel: 'sms', status: 'sent', attempts: 1 });

    const emailDoc = await findResource(knex, 'crm_communication_message', results[0].messageId);
    expect(emailDoc).toMatchObject({ state: 'failed', messageType: 'email', tryTimes: 3 });
    expect(emailDoc!.characteristic).toEqual(
      expect.arrayContaining([{ name: 'attempts', valueType: 'integer', value: 3 }, { name: 'error', valueType: 'string', value: results[0].error }]),
    );
    expect(await eventsOf(results[0].messageId)).toContain('CommunicationMessageStateChangeEvent');
    expect(await listDevOutbox(knex, { recipient: email, limit: 10 })).toEqual([]);
    expect(await listDevOutbox(knex, { recipient: number, limit: 10 })).toHaveLength(1);
  });

  it('sends once per idempotency key and channel, also when called concurrently', async () => {
    const email = `once.${unique()}@example.com`;
    const number = msisdn();
    const input: SendNotificationInput = {
      event: 'identityReviewRequested',
      language: 'es',
      params: { registrationId: 'REG-7', reasons: ['name: mixes scripts'] },
      to: { email, msisdn: number },
      customerId: `cust-${unique()}`,
      idempotencyKey: `wf-${unique()}:identityReviewRequested`,
    };
    const [first, concurrent] = await Promise.all([service.activities.sendNotification(input), service.activities.sendNotification(input)]);
    const again = await service.activities.sendNotification(input);

    for (const later of [concurrent, again]) {
      expect(later.map((r) => [r.channel, r.status, r.messageId, r.providerMessageId])).toEqual(
        first.map((r) => [r.channel, r.status, r.messageId, r.providerMessageId]),
      );
    }
    expect(first.every((r) => r.status === 'sent')).toBe(true);
    expect(again.every((r) => r.duplicate)).toBe(true);
    expect(await listDevOutbox(knex, { recipient: email, limit: 10 })).toHaveLength(1);
    expect(await listDevOutbox(knex, { recipient: number, limit: 10 })).toHaveLength(1);
    expect(await knex('crm_communication_message').whereRaw(`body #>> '{receiver,0,email}' = ?`, [email]).count({ n: '*' })).toEqual([{ n: '1' }]);
  });

  it('takes over a claimed send whose sender died, once its lease ran out', async () => {
    const key = `wf-${unique()}:welcome`;
    const email = `orphan.${unique()}@example.com`;
    // A sender that claimed the key, recorded the message in progress, and died.
    const orphanId = randomUUID();
    await knex.transaction(async (trx) => {
      await claimDispatch(trx, { idempotencyKey: key, channel: 'email', communicationMessageId: orphanId, leaseMs: 0 });
      await createCommunicationMessage(trx, orphanId, { messageType: 'email', content: '', sender: {}, receiver: [{ email }], state: 'inProgress' }, { now: new Date(), publicUrl: 'http://bss.test' });
    });
    const [result] = await service.activities.sendNotification({
      event: 'welcome',
      language: 'en',
      params: { givenName: 'Orla', customerId: 'c-1' },
      to: { email },
      idempotencyKey: key,
    });
    expect(result).toMatchObject({ channel: 'email', status: 'sent', messageId: orphanId });
    expect(await findResource(knex, 'crm_communication_message', orphanId)).toMatchObject({ state: 'completed' });
    expect(await listDevOutbox(knex, { recipient: email, limit: 10 })).toHaveLength(1);
  });

  it('keeps the claim of a send that outlasts its lease while the sender lives: a retry waits and sends nothing', async () => {
    let sends = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = createNotificationService({
      knex,
      clock: systemClock,
      publicUrl: 'http://bss.test',
      mail: { smtpUrl: 'smtp://127.0.0.1:1', from: MAIL_FROM },
      sms: { smppUrl: `smpp://127.0.0.1:${sinks.smppPort}`, systemId: 'bss', password: 'secret', sender: 'BSS' },
      claimLeaseMs: 1500,
      senders: {
        mail: {
          send: async () => {
            sends++;
            await gate;
            return { messageId: '<slow@test>' };
          },
          close: async () => undefined,
        },
      },
    });
    extraServices.push(slow);
    const key = `wf-${unique()}:welcome`;
    const input: SendNotificationInput = { event: 'welcome', language: 'en', params: { givenName: 'Orla', customerId: 'c-1' }, to: { email: `slow.${unique()}@example.com` }, idempotencyKey: key };
    const first = slow.activities.sendNotification(input);
    const leaseOf = async () => (await knex('crm_notification_dispatch').where({ idempotency_key: key }).first('lease_until'))?.lease_until as Date | undefined;
    let initial: Date | undefined;
    while (!(initial = await leaseOf())) await new Promise((r) => setTimeout(r, 20));
    // Wait until the first lease is over and the sender has renewed it.
    while ((await knex.raw('SELECT now() > ? AS over', [initial])).rows[0].over !== true || (await leaseOf())!.getTime() <= initial.getTime()) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const retry = slow.activities.sendNotification(input);
    await new Promise((r) => setTimeout(r, 300));
    release();
    const [[sent], [waited]] = await Promise.all([first, retry]);
    expect(sends).toBe(1);
    expect(sent).toMatchObject({ status: 'sent', providerMessageId: '<slow@test>' });
    expect(waited).toMatchObject({ status: 'sent', messageId: sent.messageId, duplicate: true });
  });

  it('retries a transient failure, but not one that cannot change', async () => {
    let calls = 0;
    const flaky = createNotificationService({
      knex,
      clock: systemClock,
      publicUrl: 'http://bss.test',
      mail: { smtpUrl: 'smtp://127.0.0.1:1', from: MAIL_FROM },
      sms: { smppUrl: `smpp://127.0.0.1:${sinks.smppPort}`, systemId: 'bss', password: 'secret', sender: 'BSS' },
      retry: { attempts: 3, backoffMs: 5 },
      senders: {
        mail: {
          send: async () => {
            if (++calls < 3) throw new Error('451 try again later');
            return { messageId: '<m1@test>' };
          },
          close: async () => undefined,
        },
      },
    });
    extraServices.push(flaky);
    const results = await flaky.activities.sendNotification({
      event: 'registrationFailed',
      language: 'es',
      params: {},
      to: { email: `flaky.${unique()}@example.com`, msisdn: 'not a number' },
    });
    expect(results).toEqual([
      expect.objectContaining({ channel: 'email', status: 'sent', attempts: 3, providerMessageId: '<m1@test>' }),
      expect.objectContaining({ channel: 'sms', status: 'failed', attempts: 1, error: 'not an MSISDN: not a number' }),
    ]);
  });

  it('records a notification with bad parameters as failed, sending nothing', async () => {
    const email = `bad.${unique()}@example.com`;
    const results = await service.activities.sendNotification({
      event: 'welcome',
      language: 'en',
      params: { givenName: 'Ana' },
      to: { email },
      customerId: 'c-bad',
    });
    expect(results).toEqual([
      expect.objectContaining({
        channel: 'email',
        status: 'failed',
        attempts: 1,
        error: 'invalid parameters for welcome: params.customerId: Invalid input: expected string, received undefined',
      }),
    ]);
    expect(await findResource(knex, 'crm_communication_message', results[0].messageId)).toMatchObject({ state: 'failed', content: '' });
    expect(await listDevOutbox(knex, { recipient: email, limit: 10 })).toEqual([]);
    const unknown = await service.activities.sendNotification({ event: 'birthday' as never, params: {}, to: { email } });
    expect(unknown).toEqual([expect.objectContaining({ status: 'failed', error: 'no template for notification event birthday' })]);
    expect(await service.activities.sendNotification({ event: 'registrationExpired', params: {}, to: {} })).toEqual([]);
  });

  it('sends long SMS in parts the sink joins, or as one message_payload', async () => {
    const text = 'Factura disponible. '.repeat(20).trim(); // 399 GSM characters: 3 parts
    const unicode = `Hola 王芳, ${'ú'.repeat(100)}`; // UCS-2: 2 parts
    const split = createSmppSmsSender({ smppUrl: `smpp://127.0.0.1:${sinks.smppPort}`, systemId: 'a', password: 'b', sender: '34999000111' });
    const payload = createSmppSmsSender({ smppUrl: `smpp://127.0.0.1:${sinks.smppPort}`, systemId: 'a', password: 'b', sender: 'BSS', longMessages: 'payload' });
    try {
      const [a, b, c] = [msisdn(), msisdn(), msisdn()];
      expect(await split.send({ to: a, text })).toEqual({ messageId: expect.stringMatching(/^[^,]+,[^,]+,[^,]+$/), parts: 3 });
      expect(await split.send({ to: b, text: unicode })).toMatchObject({ parts: 2 });
      expect(await payload.send({ to: c, text })).toMatchObject({ parts: 1 });
      expect(await listDevOutbox(knex, { recipient: a, limit: 10 })).toEqual([expect.objectContaining({ body: text, sender: '34999000111' })]);
      expect(await listDevOutbox(knex, { recipient: b, limit: 10 })).toEqual([expect.objectContaining({ body: unicode })]);
      expect(await listDevOutbox(knex, { recipient: c, limit: 10 })).toEqual([expect.objectContaining({ body: text })]);
    } finally {
      await Promise.all([split.close(), payload.close()]);
    }
  });

  it('binds again after the SMSC dropped the session', async () => {
    const sender = createSmppSmsSender({ smppUrl: `smpp://127.0.0.1:${sinks.smppPort}`, systemId: 'a', password: 'b', sender: 'BSS', enquireLinkMs: 10 });
    try {
      const number = msisdn();
      await sender.send({ to: number, text: 'one' });
      await new Promise((resolve) => setTimeout(resolve, 50)); // keep-alives go back and forth meanwhile
      // Restart the sinks on the same ports: the server closes every session.
      const ports = { smtpPort: sinks.smtpPort, smppPort: sinks.smppPort };
      await sinks.stop();
      sinks = await startNotificationSinks({ knex, ...ports });
      await sender.send({ to: number, text: 'two' });
      expect((await listDevOutbox(knex, { recipient: number, limit: 10 })).map((m) => m.body)).toEqual(['two', 'one']);
    } finally {
      await sender.close();
    }
  });

  it('the SMPP sink refuses what it does not do', async () => {
    const session = smpp.connect({ url: `smpp://127.0.0.1:${sinks.smppPort}` });
    const call = (command: string, params: Record<string, unknown> = {}) =>
      new Promise<smpp.PDU>((resolve) => session.send(new smpp.PDU(command, params), resolve));
    try {
      await new Promise((resolve) => session.once('connect', resolve));
      expect((await call('submit_sm', { destination_addr: '1', short_message: 'x' })).command_status).toBe(smpp.ESME_RINVBNDSTS);
      expect((await call('bind_receiver', { system_id: 'x', password: 'y' })).command_status).toBe(smpp.ESME_RBINDFAIL);
      expect((await call('bind_transmitter', { system_id: 'x', password: 'y' })).command_status).toBe(smpp.ESME_ROK);
      expect((await call('query_sm', { message_id: '1' })).command_status).toBe(smpp.ESME_RINVCMDID);
      expect((await call('enquire_link')).command_status).toBe(smpp.ESME_ROK);
      expect((await call('unbind')).command_status).toBe(smpp.ESME_ROK);
    } finally {
      session.destroy();
    }
  });

  it('reports an SMPP server that is not there as a failure of that channel only', async () => {
    const broken = serviceFor({ smppUrl: `smpp://127.0.0.1:${await freePort()}` });
    extraServices.push(broken);
    const results = await broken.activities.sendNotification({
      event: 'registrationFailed',
      language: 'en',
      params: { registrationId: 'REG-3' },
      to: { msisdn: msisdn() },
    });
    expect(results).toEqual([expect.objectContaining({ channel: 'sms', status: 'failed', attempts: 3 })]);
    // No customer: the record has no owner.
    const [row] = await knex('crm_communication_message').where({ id: results[0].messageId }).select('customer_id');
    expect(row.customer_id).toBeNull();
  });

  describe('APIs', () => {
    let app: express.Express;
    beforeAll(() => {
      const tmf = communicationApi({ knex, clock: systemClock, publicUrl: 'http://bss.test' });
      app = express();
      app.use(authenticate(process.env.JWT_SECRET!));
      app.use(express.json());
      app.use(tmf.basePath, tmf.router);
      app.use(devOutboxRouter(knex));
      app.use(errorHandler);
    });
    const base = '/tmf-api/communicationManagement/v4/communicationMessage';

    it('lists communication messages, a customer only its own', async () => {
      const [alice, bob] = [`cust-${unique()}`, `cust-${unique()}`];
      for (const customerId of [alice, bob]) {
        await service.activities.sendNotification({
          event: 'welcome',
          language: 'en',
          params: { givenName: customerId, customerId },
          to: { email: `${customerId}@example.com` },
          customerId,
        });
      }
      const admin = bearer(await tokenFor('admin'));
      const agent = bearer(await tokenFor('agent'));
      const asAlice = bearer(await tokenFor('customer', alice));

      // Equality filters address array elements by index.
      const all = await request(app).get(`${base}?receiver.0.party.id=${alice},${bob}`).set(agent).expect(200);
      expect(all.body).toHaveLength(2);
      const mine = await request(app).get(base).set(asAlice).expect(200);
      expect(mine.body).toEqual([expect.objectContaining({ messageType: 'email', state: 'completed', subject: `Welcome to BSS, ${alice}` })]);
      expect(mine.headers['x-total-count']).toBe('1');
      const bobsId = all.body.find((m: { receiver: Array<{ party: { id: string } }> }) => m.receiver[0].party.id === bob).id;
      await request(app).get(`${base}/${bobsId}`).set(asAlice).expect(404);
      await request(app).get(`${base}/${bobsId}`).set(admin).expect(200);

      // Staff record messages; customers may not.
      const message = {
        messageType: 'sms',
        content: 'Your bill is ready',
        sender: { name: 'BSS' },
        receiver: [{ phoneNumber: '+34600000000', party: { id: alice, '@referredType': 'Customer' } }],
      };
      await request(app).post(base).set(asAlice).send(message).expect(403);
      const created = await request(app).post(base).set(agent).send(message).expect(201);
      expect(created.body).toMatchObject({ state: 'initial', '@type': 'CommunicationMessage' });
      expect((await request(app).get(base).set(asAlice).expect(200)).body).toHaveLength(2);
      const invalid = await request(app).post(base).set(agent).send({ content: 'x', receiver: [], state: 'sent' }).expect(400);
      expect(invalid.body.message).toMatch(/messageType/);
      expect(invalid.body.message).toMatch(/receiver/);
      expect(invalid.body.message).toMatch(/state/);
    });

    it('shows the dev outbox to admins only, newest first, filtered', async () => {
      const email = `outbox.${unique()}@example.com`;
      const number = msisdn();
      await service.activities.sendNotification({
        event: 'registrationRejected',
        language: 'es',
        params: { reasons: ['too young'] },
        to: { email, msisdn: number },
      });
      await service.activities.sendNotification({ event: 'registrationExpired', language: 'es', params: {}, to: { email } });

      const admin = bearer(await tokenFor('admin'));
      const res = await request(app).get('/api/dev/outbox').query({ recipient: email.toUpperCase() }).set(admin).expect(200);
      expect(res.body.map((m: { subject: string }) => m.subject)).toEqual(['Tu registro en BSS ha caducado', 'No hemos podido aceptar tu registro en BSS']);
      expect(res.body[0]).toEqual({
        id: expect.any(String),
        channel: 'email',
        sender: expect.stringContaining('no-reply@bss.local'),
        recipient: email,
        subject: 'Tu registro en BSS ha caducado',
        body: renderNotification('registrationExpired', 'es', {}).text,
        receivedAt: expect.any(String),
      });
      const sms = await request(app).get('/api/dev/outbox').query({ recipient: number, channel: 'sms' }).set(admin).expect(200);
      expect(sms.body).toEqual([expect.objectContaining({ channel: 'sms', body: 'BSS: no hemos podido aceptar tu registro: too young. Puedes registrarte de nuevo con los datos corregidos.' })]);
      expect((await request(app).get('/api/dev/outbox').query({ recipient: email, limit: 1 }).set(admin).expect(200)).body).toHaveLength(1);
      expect((await request(app).get('/api/dev/outbox').query({ recipient: email, channel: 'sms' }).set(admin).expect(200)).body).toEqual([]);

      await request(app).get('/api/dev/outbox').set(bearer(await tokenFor('agent'))).expect(403);
      await request(app).get('/api/dev/outbox').set(bearer(await tokenFor('customer'))).expect(403);
      await request(app).get('/api/dev/outbox').expect(401);
      await request(app).get('/api/dev/outbox').query({ channel: 'fax' }).set(admin).expect(400);
      await request(app).get('/api/dev/outbox').query({ limit: 0 }).set(admin).expect(400);
    });
  });
});
