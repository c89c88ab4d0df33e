/**
 * How the TMF640 Service Activation and Configuration resources are stored, for the API and for
 * the activities that record a request's outcome (db/tmf-store: patchTmfResource):
 *
 * - `service` (table activation_service): its state moves as a TMF638 service's does
 *   (domain/ordering/states.ts SERVICE_TRANSITIONS, 409 otherwise);
 * - `monitor` (table activation_monitor): one per network request, `InProgress` until the request
 *   has `Completed` or ended `InError` (the three states the spec names); final states are kept.
 *   At most one monitor of a service is InProgress (partial unique index).
 */
import { SERVICE_TRANSITIONS, transitionProblem, type ServiceState } from '../domain/ordering/states';
import { TmfError } from '../domain/errors';
import type { Db } from './knex';
import type { TmfDocument } from './tmf-resources';
import type { TmfModel } from './tmf-store';

export const SERVICE_ACTIVATION_API = 'ServiceActivationAndConfiguration';

export const ACTIVATION_TABLES = { service: 'activation_service', monitor: 'activation_monitor' } as const;

/** TMF640 v4 Monitor states ("InProgress, InError, Completed"). */
export const MONITOR_STATES = ['InProgress', 'Completed', 'InError'] as const;
export type MonitorState = (typeof MONITOR_STATES)[number];

/** Services to activate and configure (TMF640): state designed unless given. */
export const activationServiceModel: TmfModel = {
  apiName: SERVICE_ACTIVATION_API,
  name: 'service',
  type: 'Service',
  table: ACTIVATION_TABLES.service,
  stateField: 'state',
  defaults: () => ({ state: 'designed' }),
  hooks: {
    beforeWrite: ({ before, after }) => {
      const problem = before && transitionProblem(SERVICE_TRANSITIONS, 'service', 'state', before.state as ServiceState, after.state as ServiceState);
      if (problem) throw new TmfError(409, 'Conflict', problem);
      return after;
    },
  },
};

/** Monitors of network requests (TMF640): written by the server only. */
export const monitorModel: TmfModel = {
  apiName: SERVICE_ACTIVATION_API,
  name: 'monitor',
  type: 'Monitor',
  table: ACTIVATION_TABLES.monitor,
  stateField: 'state',
  defaults: () => ({ state: 'InProgress' }),
  hooks: {
    beforeWrite: ({ before, after }) => {
      if (before && before.state !== 'InProgress' && before.state !== after.state) {
        throw new TmfError(409, 'Conflict', `state: a monitor in state ${String(before.state)} no longer changes`);
      }
      return after;
    },
  },
};

/** The monitor of the request in flight on the service with this href, if any. */
export async function findMonitorInProgress(db: Db, sourceHref: string): Promise<TmfDocument | undefined> {
  const row = (await db(ACTIVATION_TABLES.monitor).select('body').where({ source_href: sourceHref, state: 'InProgress' }).first()) as { body: TmfDocument } | undefined;
  return row?.body;
}
