/**
 * The TMF APIs without a vendored TM Forum kit, checked against their v4 swagger the way the kits
 * check (see helpers/spec-conformance): every resource each API serves, created through the API
 * where clients may create it, on the kits' database (seeds included).
 */
import { randomInt, randomUUID } from 'node:crypto';
import request from 'supertest';
import { createPostpaidSubscribers } from '../bench/postpaid-subscribers';
import { createWorkforceActivities } from '../activities/workforce';
import { systemClock } from '../domain/clock';
import { iccidFor, imsiFor } from '../domain/inventory/sim';
import { createActiveCustomer } from './helpers/customers';
import { describeSpecConformance, loadSwagger, mandatoryAttributes, violations, type SpecContext } from './helpers/spec-conformance';
import { createTestArea } from './helpers/workforce';

type Json = Record<string, unknown>;

const customerParty = (id: string = randomUUID()) => [{ id, name: 'Lucía Martín', role: 'customer', '@referredType': 'Customer' }];

describe('the check itself', () => {
  const file = 'TMF681/TMF681-Communication-v4.0.0.swagger.json';
  const message = { id: 'm1', href: 'http://bss.test/m1', content: 'hi', messageType: 'sms', receiver: [{ id: 'r1' }], sender: { id: 's1' } };

  it('passes a conforming resource and names each violation of a list element by id', () => {
    expect(violations(file, '/communicationMessage/{id}', 'get', '200', message)).toEqual([]);
    expect(violations(file, '/communicationMessage', 'get', '200', [message, { ...message, id: 'm2', tryTimes: '3', href: undefined }])).toEqual([
      'm2: /1/tryTimes must be integer {"type":"integer"}',
      'm2: mandatory href missing',
    ]);
  });

  it('takes an @type only of the definition or of a subclass of it (@baseType)', () => {
    expect(violations(file, '/communicationMessage/{id}', 'get', '200', { ...message, '@type': 'SmsMessage', '@baseType': 'CommunicationMessage' })).toEqual([]);
    expect(violations(file, '/communicationMessage/{id}', 'get', '200', { ...message, '@type': 'Message' })).toEqual(['m1: @type Message is not CommunicationMessage']);
  });

  it('checks an error body against the Error definition', () => {
    expect(violations(file, '/communicationMessage/{id}', 'get', '404', { code: '404', reason: 'Not Found', message: 'no such message', status: '404' })).toEqual([]);
    expect(violations(file, '/communicationMessage/{id}', 'get', '404', { code: 404, message: 'no such message' })).toEqual([
      "(no id): (root) must have required property 'reason'",
      '(no id): /code must be string {"type":"string"}',
    ]);
  });

  it('takes id, href and what the _Create definition requires as mandatory', () => {
    expect(mandatoryAttributes(loadSwagger(file).swagger, 'CommunicationMessage')).toEqual(['id', 'href', 'content', 'receiver', 'sender', 'messageType']);
  });
});

describeSpecConformance({
  name: 'TMF621 Trouble Ticket',
  swagger: 'TMF621/TMF621-TroubleTicket-v4.0.0.swagger.json',
  basePath: '/tmf-api/troubleTicket/v4',
  resources: [
    {
      resource: 'troubleTicket',
      create: () => ({
        description: 'No data since this morning',
        severity: 'major',
        ticketType: 'technical',
        name: 'No data',
        channel: { name: 'portal' },
        note: [{ text: 'Restarted the phone twice', author: 'Lucía Martín' }],
        relatedEntity: [{ id: randomUUID(), role: 'affectedProduct', '@referredType': 'Product', name: 'Mobile 20 GB' }],
        relatedParty: customerParty(),
      }),
      patch: { priority: 'high' },
      needs: { relatedParty: 'the customer who asks: the query workflow answers and notifies them' },
      attribute: 'severity',
      alsoFilter: ['creationDate', 'ticketType'],
    },
  ],
});

describeSpecConformance({
  name: 'TMF632 Party',
  swagger: 'TMF632/TMF632-Party-v4.0.0.swagger.json',
  basePath: '/tmf-api/party/v4',
  resources: [
    {
      resource: 'individual',
      // As registration writes one: a date of birth, an identity document, languages, a customer.
      create: () => ({
        givenName: 'Lucía',
        familyName: 'Martín',
        fullName: 'Lucía Martín',
        birthDate: '1990-05-17',
        languageAbility: [{ languageCode: 'es', isFavouriteLanguage: true }],
        individualIdentification: [{ identificationType: 'nationalId', identificationId: '12345678Z', issuingAuthority: 'ES' }],
        contactMedium: [{ mediumType: 'email', preferred: true, characteristic: { contactType: 'email', emailAddress: 'lucia@example.com' } }],
        relatedParty: customerParty(),
      }),
      patch: { title: 'Dr' },
      rewrites: {
        birthDate: 'a date written as a date is kept as the date-time TMF632 types it',
        individualIdentification: 'identification numbers are personal data: sealed, and returned masked',
      },
      attribute: 'familyName',
    },
    {
      resource: 'organization',
      create: () => ({ tradingName: `Acme ${randomUUID().slice(0, 8)}`, isHeadOffice: true }),
      patch: { isLegalEntity: true },
      attribute: 'tradingName',
      alsoFilter: ['isHeadOffice'],
    },
  ],
});

describeSpecConformance({
  name: 'TMF635 Usage',
  swagger: 'TMF635/TMF635-UsageManagement-v4.0.0.swagger.json',
  basePath: '/tmf-api/usageManagement/v4',
  resources: [
    {
      resource: 'usage',
      // A subscriber's call, so that it is rated (ratedProductUsage with its amounts).
      create: async ({ api }: SpecContext) => {
        // The account made complete (as registration makes it); the subscription on it, in bulk.
        const { billingAccountId } = await createActiveCustomer(api.knex, { paymentType: 'postpaid', publicUrl: 'http://bss.test' });
        const [sub] = await createPostpaidSubscribers(api.knex, [{ msisdn: `+3461${randomInt(1_000_000, 9_999_999)}`, billingAccountId }], new Date());
        return {
          usageDate: '2026-11-04T10:00:00+01:00',
          usageType: 'voice',
          usageCharacteristic: [
            { name: 'recordId', value: `spec-${randomUUID()}` },
            { name: 'msisdn', value: sub.msisdn },
            { name: 'quantity', value: '90' },
            { name: 'destination', value: '+441632960000' },
          ],
        };
      },
      refused: ['patch', 'delete'],
      rewrites: {
        usageDate: 'stored as an instant, returned in UTC',
        usageCharacteristic: 'the server adds source (default api) and each valueType',
      },
      needs: {
        usageDate: 'rating needs the start (bands by time of day, the bill cycle)',
        usageType: 'rating needs the kind: voice, sms or data',
        usageCharacteristic: 'recordId (duplicates), msisdn (the subscription) and quantity',
      },
      attribute: 'usageType',
      alsoFilter: ['usageDate', 'status'],
    },
  ],
});

describeSpecConformance({
  name: 'TMF637 Product Inventory',
  swagger: 'TMF637/TMF637-ProductInventory-v4.0.0.swagger.json',
  basePath: '/tmf-api/productInventory/v4',
  resources: [
    {
      resource: 'product',
      // As order fulfilment writes one (activities/ordering createOrderInventory).
      create: () => ({
        name: 'Mobile 20 GB',
        status: 'created',
        isBundle: false,
        productOffering: { id: 'po-mobile-20gb', name: 'Mobile 20 GB', version: '1.0' },
        productCharacteristic: [{ name: 'msisdn', value: '+34610000002' }, { name: 'dataGb', value: 20 }],
        productPrice: [{ name: 'Monthly fee', priceType: 'recurring', productOfferingPrice: { id: 'pop-1', version: '1.0' }, price: { taxRate: 21, dutyFreeAmount: { unit: 'EUR', value: 20 } } }],
        realizingService: [{ id: randomUUID(), '@referredType': 'Service' }],
        productOrderItem: [{ orderItemId: '1', productOrderId: randomUUID(), orderItemAction: 'add' }],
        relatedParty: customerParty(),
      }),
      patch: { description: 'renamed line' },
      attribute: 'status',
      alsoFilter: ['isBundle'],
    },
  ],
});

describeSpecConformance({
  name: 'TMF638 Service Inventory',
  swagger: 'TMF638/TMF638-ServiceInventory-v4.0.0.swagger.json',
  basePath: '/tmf-api/serviceInventory/v4',
  resources: [
    {
      resource: 'service',
      create: () => ({ name: 'Mobile line', state: 'designed', serviceSpecification: { id: 'mobile-voice-data', name: 'Mobile voice and data' } }),
      patch: { description: 'spare line' },
      attribute: 'state',
    },
  ],
});

describeSpecConformance({
  name: 'TMF640 Service Activation and Configuration',
  swagger: 'TMF640/TMF640-ServiceActivation-v4.0.0.swagger.json',
  basePath: '/tmf-api/ServiceActivationAndConfiguration/v4',
  resources: [
    {
      resource: 'service',
      create: () => ({ name: 'Mobile line', state: 'designed', serviceSpecification: { id: 'mobile-voice-data', name: 'Mobile voice and data' } }),
      patch: { description: 'spare line' },
      attribute: 'state',
    },
    {
      resource: 'monitor',
      // A request for a network state makes a monitor (its workflow waits on a task queue nobody serves).
      existing: async ({ api, auth }: SpecContext) => {
        const serial = randomInt(1, 9_999_999);
        const line = { serviceKind: 'mobile', msisdn: `+3469${String(serial).padStart(7, '0')}`, imsi: imsiFor('21499', serial), iccid: iccidFor('893499', serial), paymentType: 'prepaid' };
        const res = await request(api.app)
          .post('/tmf-api/ServiceActivationAndConfiguration/v4/service')
          .set(auth)
          .send({
            name: 'Mobile line',
            state: 'active',
            serviceSpecification: { id: 'mobile-voice-data', name: 'Mobile voice and data' },
            serviceCharacteristic: Object.entries(line).map(([name, value]) => ({ name, value })),
          });
        const match = /\/monitor\/([0-9a-f-]{36})>/.exec(String(res.headers.link));
        if (!match) throw new Error(`no monitor: ${res.status} ${JSON.stringify(res.body)}`);
        return match[1];
      },
      attribute: 'state',
    },
  ],
});

describeSpecConformance({
  name: 'TMF641 Service Ordering',
  swagger: 'TMF641/TMF641-Service_Ordering-v4.0.0.swagger.json',
  basePath: '/tmf-api/serviceOrdering/v4',
  resources: [
    {
      resource: 'serviceOrder',
      // As order fulfilment writes one (activities/ordering createOrderInventory).
      create: () => {
        const orderId = randomUUID();
        return {
          externalId: orderId,
          description: 'New mobile line',
          relatedParty: customerParty(),
          externalReference: [{ name: orderId, externalReferenceType: 'ProductOrder' }],
          serviceOrderItem: [{ id: '1', action: 'add', service: { id: randomUUID(), '@referredType': 'Service', serviceType: 'mobile' } }],
        };
      },
      patch: { priority: '1' },
      attribute: 'description',
      alsoFilter: ['orderDate', 'state'],
    },
  ],
});

/** An installation booked as order fulfilment books it: an appointment and its work order. */
async function bookInstallation({ api }: SpecContext): Promise<void> {
  const area = await createTestArea(api.knex, 1);
  const booked = await createWorkforceActivities({ knex: api.knex, clock: systemClock, publicUrl: 'http://bss.test' }).bookInstallation({
    orderId: randomUUID(),
    customerId: randomUUID(),
    postalCode: area.postalCode,
    address: { streetName: 'Gran Vía', streetNr: '1', city: 'Madrid' },
    earliest: '2027-03-01T07:00:00Z',
    durationMinutes: 120,
  });
  if (booked.status !== 'booked') throw new Error(`no installation booked: ${JSON.stringify(booked)}`);
}

describeSpecConformance({
  name: 'TMF646 Appointment',
  prepare: bookInstallation,
  swagger: 'TMF646/TMF646-Appointment-v4.0.0.swagger.json',
  basePath: '/tmf-api/appointment/v4',
  resources: [
    {
      resource: 'appointment',
      create: async ({ api }: SpecContext) => {
        // Technicians of a postal prefix of this run's own, free at a weekday 10:00 Madrid time.
        const area = await createTestArea(api.knex, 2);
        return {
          validFor: { startDateTime: '2027-03-03T09:00:00Z', endDateTime: '2027-03-03T10:00:00Z' },
          relatedPlace: { role: 'installationAddress', postcode: area.postalCode },
          relatedParty: customerParty(),
        };
      },
      patch: { description: 'ring twice' },
      needs: { relatedPlace: 'its postcode chooses the technicians of the area' },
      rewrites: { relatedParty: 'the server adds the technician it booked' },
      // Only a final appointment may be deleted (its technician's time stays booked otherwise).
      beforeDelete: { status: 'cancelled' },
      attribute: 'status',
    },
    {
      resource: 'searchTimeSlot',
      create: () => ({
        relatedPlace: { role: 'installationAddress', postcode: 'NOWHERE9' },
        requestedTimeSlot: [{ validFor: { startDateTime: '2027-03-03T07:00:00Z', endDateTime: '2027-03-03T11:00:00Z' } }],
      }),
      patch: { relatedParty: customerParty()[0] },
      needs: { relatedPlace: 'its postcode chooses the technicians whose time is searched' },
      attribute: 'searchResult',
    },
  ],
});

describeSpecConformance({
  name: 'TMF666 Account',
  swagger: 'TMF666/TMF666-Account-v4.0.0.swagger.json',
  basePath: '/tmf-api/accountManagement/v4',
  resources: [
    {
      resource: 'billingAccount',
      create: () => ({
        name: 'Lucía Martín (postpaid)',
        accountType: 'postpaid',
        relatedParty: customerParty(),
        billStructure: { billCycleDay: 1, currency: 'EUR', timeZone: 'Europe/Madrid', paymentType: 'postpaid' },
      }),
      patch: { description: 'main account' },
      attribute: 'accountType',
    },
  ],
});

describeSpecConformance({
  name: 'TMF667 Document',
  // A document with uploaded content, whose binaryAttachment the server fills.
  prepare: async ({ api, auth }: SpecContext) => {
    const doc = await request(api.app).post('/tmf-api/document/v4/document').set(auth).send({ name: 'Signed contract', documentType: 'contract', relatedParty: customerParty() });
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n', 'latin1');
    const up = await request(api.app).put(`/tmf-api/document/v4/document/${String(doc.body.id)}/content`).set(auth).set('Content-Type', 'application/pdf').send(pdf);
    if (up.status !== 201) throw new Error(`content: ${up.status} ${JSON.stringify(up.body)}`);
  },
  swagger: 'TMF667/TMF667-Document-v4.0.0.swagger.json',
  basePath: '/tmf-api/document/v4',
  resources: [
    {
      resource: 'document',
      create: () => ({ name: 'Signed contract', documentType: 'contract', relatedParty: customerParty() }),
      patch: { description: 'signed on paper' },
      attribute: 'documentType',
    },
  ],
});

/** A card payment of a new postpaid customer, through the API. */
async function payment({ api }: SpecContext): Promise<Json> {
  const customer = await createActiveCustomer(api.knex, { paymentType: 'postpaid' });
  return { account: { id: customer.billingAccountId }, paymentMethod: { id: customer.paymentMethodId }, totalAmount: { unit: 'EUR', value: 20 } };
}

describeSpecConformance({
  name: 'TMF676 Payment',
  swagger: 'TMF676/TMF676-Payment-v4.0.0.swagger.json',
  basePath: '/tmf-api/paymentManagement/v4',
  resources: [
    { resource: 'payment', create: payment, attribute: 'status', alsoFilter: ['paymentDate'] },
    {
      resource: 'refund',
      create: async (ctx: SpecContext) => {
        const paid = await request(ctx.api.app).post('/tmf-api/paymentManagement/v4/payment').set(ctx.auth).send(await payment(ctx));
        if (paid.status !== 201) throw new Error(`payment: ${paid.status} ${JSON.stringify(paid.body)}`);
        return { payment: { id: paid.body.id }, totalAmount: { unit: 'EUR', value: 5 } };
      },
      // The specification's account and paymentMethod follow from the payment.
      needs: { payment: 'a refund goes back through the card charge of the payment it refunds' },
      attribute: 'status',
    },
  ],
});

describeSpecConformance({
  name: 'TMF681 Communication',
  swagger: 'TMF681/TMF681-Communication-v4.0.0.swagger.json',
  basePath: '/tmf-api/communicationManagement/v4',
  resources: [
    {
      resource: 'communicationMessage',
      // As the notification activity writes one: characteristics, an attachment, the related entity.
      create: () => ({
        content: 'Your bill is attached',
        messageType: 'email',
        logFlag: false,
        subject: 'Your November bill',
        description: 'billIssued notification',
        tryTimes: 1,
        receiver: [{ id: 'c1', email: 'lucia@example.com', party: customerParty()[0] }],
        sender: { name: 'BSS', email: 'billing@bss.test' },
        characteristic: [{ name: 'event', valueType: 'string', value: 'billIssued' }, { name: 'language', valueType: 'string', value: 'es' }],
        attachment: [{ name: 'bill.pdf', mimeType: 'application/pdf', size: { amount: 2048, units: 'bytes' } }],
        relatedEntity: [{ id: randomUUID(), '@referredType': 'CustomerBill' }],
      }),
      patch: { state: 'completed' },
      attribute: 'messageType',
      alsoFilter: ['logFlag'],
    },
  ],
});

describeSpecConformance({
  name: 'TMF683 Party Interaction',
  swagger: 'TMF683/TMF683-PartyInteraction-v4.0.0.swagger.json',
  basePath: '/tmf-api/partyInteraction/v4',
  resources: [
    {
      resource: 'partyInteraction',
      create: () => ({
        direction: 'inbound',
        reason: 'billing question',
        description: 'Asked why the bill is higher',
        channel: [{ id: 'callCentre', role: 'interaction channel' }],
        relatedParty: customerParty(),
        relatedEntity: [{ id: randomUUID(), role: 'subject', '@referredType': 'CustomerBill' }],
        interactionItem: [{ reason: 'roaming charges', resolution: 'explained', channel: [{ id: 'email' }], relatedParty: customerParty() }],
        note: [{ text: 'Customer satisfied', author: 'agent 7', date: '2026-11-25T10:05:00Z' }],
      }),
      patch: { description: 'answered' },
      attribute: 'direction',
      alsoFilter: ['creationDate', 'status'],
    },
  ],
});

describeSpecConformance({
  name: 'TMF685 Resource Pool',
  swagger: 'TMF685/Resource_Pool_Management.regular.swagger.json',
  basePath: '/tmf-api/resourcePoolManagement/v4',
  // The only published TMF685 swagger is a v1 draft: no GET of pools (so they are checked against
  // its ResourcePool definition) and an Error whose reason is an integer; errors are checked
  // against the v4 Error every other API answers with.
  errorSwagger: 'TMF681/TMF681-Communication-v4.0.0.swagger.json',
  resources: [
    {
      resource: 'resourcePool',
      definition: 'ResourcePool',
      existing: async ({ api, auth }: SpecContext) => {
        const res = await request(api.app).get('/tmf-api/resourcePoolManagement/v4/resourcePool').set(auth);
        return String((res.body as Json[])[0]?.id);
      },
      refused: ['post', 'patch', 'delete'],
      attribute: 'name',
    },
  ],
});

describeSpecConformance({
  name: 'TMF697 Work Order',
  prepare: bookInstallation,
  swagger: 'TMF697/TMF697-WorkOrder-v4.0.0.swagger.json',
  basePath: '/tmf-api/workOrder/v4',
  resources: [
    {
      resource: 'workOrder',
      create: () => ({ description: 'Install fibre', category: 'installation', workOrderItem: [{ id: '1', action: 'add' }] }),
      patch: { priority: '2' },
      // Only a final work order may be deleted.
      beforeDelete: { state: 'cancelled' },
      attribute: 'category',
    },
  ],
});
