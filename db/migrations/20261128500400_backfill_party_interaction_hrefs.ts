import type { Knex } from 'knex';

type Ref = Record<string, unknown>;

/** Where a related party of each @referredType is served (as db/crm-models.ts names it today). */
const PARTY_PATHS: Record<string, string> = {
  Customer: '/tmf-api/customerManagement/v4/customer/',
  Individual: '/tmf-api/party/v4/individual/',
  Organization: '/tmf-api/party/v4/organization/',
};

/** The interaction with the hrefs TMF683 requires on its (and its items') related parties and channels. */
function withHrefs(body: Ref): Ref {
  const own = String(body.href ?? '');
  const base = own.includes('/tmf-api/') ? own.slice(0, own.indexOf('/tmf-api/')) : '';
  const party = (p: Ref): Ref => (p.href || !PARTY_PATHS[String(p['@referredType'])] ? p : { ...p, href: `${base}${PARTY_PATHS[String(p['@referredType'])]}${String(p.id)}` });
  const channel = (c: Ref): Ref => (c.href || !c.id ? c : { ...c, href: `urn:bss:channel:${String(c.id)}` });
  const refs = (holder: Ref): Ref => ({
    ...holder,
    ...(Array.isArray(holder.relatedParty) ? { relatedParty: (holder.relatedParty as Ref[]).map(party) } : {}),
    ...(Array.isArray(holder.channel) ? { channel: (holder.channel as Ref[]).map(channel) } : {}),
  });
  const fixed = refs(body);
  if (Array.isArray(body.interactionItem)) fixed.interactionItem = (body.interactionItem as Ref[]).map(refs);
  return fixed;
}

/**
 * Party interactions stored before get the hrefs TMF683 requires on related parties and channels
 * (the model's write hook fills them since): 500 rows at a time, in id order.
 */
export async function up(knex: Knex): Promise<void> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows: Array<{ id: string; body: Ref }> = await knex('crm_party_interaction').select('id', 'body').where('id', '>', after).orderBy('id').limit(500);
    if (!rows.length) return;
    for (const row of rows) {
      const fixed = withHrefs(row.body);
      if (JSON.stringify(fixed) !== JSON.stringify(row.body)) await knex('crm_party_interaction').where({ id: row.id }).update({ body: fixed });
    }
    after = rows[rows.length - 1].id;
  }
}

/** Nothing to undo: the hrefs name what the interaction already referred to. */
export async function down(): Promise<void> {}
