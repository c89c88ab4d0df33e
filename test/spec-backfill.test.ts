/** The backfills that bring documents stored before the spec conformance fixes to the v4 shape. */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { createKnex } from '../db/knex';
import { up as ticketChannelIds } from '../db/migrations/20261128500100_backfill_ticket_channel_id';
import { up as refundRequestorTypes } from '../db/migrations/20261128500200_backfill_refund_requestor_type';
import { up as partyDates } from '../db/migrations/20261128500300_backfill_party_dates';
import { up as interactionHrefs } from '../db/migrations/20261128500400_backfill_party_interaction_hrefs';

describe('spec conformance backfills', () => {
  let knex: Knex;
  const bodyOf = async (table: string, id: string) => ((await knex(table).where({ id }).first('body')) as { body: Record<string, unknown> }).body;
  const insert = async (table: string, body: Record<string, unknown>) => {
    const id = randomUUID();
    await knex(table).insert({ id, body: { id, ...body } });
    return id;
  };

  beforeAll(() => {
    knex = createKnex(process.env.DATABASE_URL!);
  });
  afterAll(() => knex.destroy());

  it('gives a ticket channel named only its name as id, and leaves the others as they are', async () => {
    const named = await insert('crm_trouble_ticket', { description: 'd', channel: { name: 'sms' } });
    const identified = await insert('crm_trouble_ticket', { description: 'd', channel: { id: 'c9', name: 'email' } });
    const none = await insert('crm_trouble_ticket', { description: 'd' });
    await ticketChannelIds(knex);
    expect((await bodyOf('crm_trouble_ticket', named)).channel).toEqual({ id: 'sms', name: 'sms' });
    expect((await bodyOf('crm_trouble_ticket', identified)).channel).toEqual({ id: 'c9', name: 'email' });
    expect((await bodyOf('crm_trouble_ticket', none)).channel).toBeUndefined();
  });

  it('names a refund requestor a PartyRole where it had no @referredType', async () => {
    const old = await insert('refund', { correlatorId: `r-${randomUUID()}`, payment: { id: randomUUID() }, requestor: { id: 'agent-7', role: 'agent' } });
    const typed = await insert('refund', { correlatorId: `r-${randomUUID()}`, payment: { id: randomUUID() }, requestor: { id: 'x', role: 'admin', '@referredType': 'Individual' } });
    await refundRequestorTypes(knex);
    expect((await bodyOf('refund', old)).requestor).toEqual({ id: 'agent-7', role: 'agent', '@referredType': 'PartyRole' });
    expect((await bodyOf('refund', typed)).requestor).toEqual({ id: 'x', role: 'admin', '@referredType': 'Individual' });
  });

  it('turns the dates of parties written as dates into date-times, in order, and leaves date-times alone', async () => {
    const person = await insert('crm_party_individual', {
      birthDate: '1990-05-17',
      deathDate: '2070-01-02T10:00:00Z',
      individualIdentification: [{ identificationType: 'DNI', issuingDate: '2020-01-10' }, { identificationType: 'passport' }, { identificationType: 'NIE', issuingDate: '2021-03-04T00:00:00Z' }],
    });
    const company = await insert('crm_party_organization', { tradingName: 'Acme', organizationIdentification: [{ identificationType: 'CIF', issuingDate: '2001-02-03' }] });
    await partyDates(knex);
    expect(await bodyOf('crm_party_individual', person)).toEqual({
      id: person,
      birthDate: '1990-05-17T00:00:00Z',
      deathDate: '2070-01-02T10:00:00Z',
      individualIdentification: [{ identificationType: 'DNI', issuingDate: '2020-01-10T00:00:00Z' }, { identificationType: 'passport' }, { identificationType: 'NIE', issuingDate: '2021-03-04T00:00:00Z' }],
    });
    expect((await bodyOf('crm_party_organization', company)).organizationIdentification).toEqual([{ identificationType: 'CIF', issuingDate: '2001-02-03T00:00:00Z' }]);
  });

  it('gives the related parties and channels of an interaction and its items their hrefs', async () => {
    const id = randomUUID();
    await knex('crm_party_interaction').insert({
      id,
      body: {
        id,
        href: `https://bss.example.com/tmf-api/partyInteraction/v4/partyInteraction/${id}`,
        channel: [{ id: 'portal' }, { id: 'sms', href: 'urn:other' }],
        relatedParty: [{ id: 'c1', '@referredType': 'Customer' }, { id: 'e1', '@referredType': 'PartyRole' }],
        interactionItem: [{ reason: 'r', relatedParty: [{ id: 'o1', '@referredType': 'Organization' }], channel: [{ id: 'email' }] }],
      },
    });
    await interactionHrefs(knex);
    expect(await bodyOf('crm_party_interaction', id)).toEqual({
      id,
      href: `https://bss.example.com/tmf-api/partyInteraction/v4/partyInteraction/${id}`,
      channel: [{ id: 'portal', href: 'urn:bss:channel:portal' }, { id: 'sms', href: 'urn:other' }],
      relatedParty: [{ id: 'c1', '@referredType': 'Customer', href: 'https://bss.example.com/tmf-api/customerManagement/v4/customer/c1' }, { id: 'e1', '@referredType': 'PartyRole' }],
      interactionItem: [{ reason: 'r', relatedParty: [{ id: 'o1', '@referredType': 'Organization', href: 'https://bss.example.com/tmf-api/party/v4/organization/o1' }], channel: [{ id: 'email', href: 'urn:bss:channel:email' }] }],
    });
  });
});
