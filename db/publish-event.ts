/** Publishes a TMF event through the outbox, to every listener of the API whose query it matches. */
import { randomUUID } from 'node:crypto';
import { eventMatchesQuery } from '../domain/hub-query';
import { appendDeliveries, appendEventListingListeners } from './events';
import type { Db } from './knex';

export type TmfEventKind = 'CreateEvent' | 'AttributeValueChangeEvent' | 'StateChangeEvent' | 'DeleteEvent';

/**
 * Writes `<Type><kind>` (e.g. ProductOfferingCreateEvent) carrying the resource under its
 * lower-camel name. Call inside the transaction of the change so the event and the change
 * commit together.
 */
export async function publishTmfEvent(
  db: Db,
  args: { apiName: string; resourceName: string; type: string; kind: TmfEventKind; resource: Record<string, unknown>; now: Date },
): Promise<void> {
  const eventId = randomUUID();
  const eventType = `${args.type}${args.kind}`;
  const payload = {
    eventId,
    eventTime: args.now.toISOString(),
    eventType,
    '@type': eventType,
    event: { [args.resourceName]: args.resource },
  };
  const listeners = await appendEventListingListeners(db, { eventId, apiName: args.apiName, eventType, payload });
  await appendDeliveries(db, eventId, listeners.filter((l) => eventMatchesQuery(payload, l.query)));
}
