/**
 * TMF640 Service Activation and Configuration v4 (`/tmf-api/ServiceActivationAndConfiguration/v4`):
 * `service` and the read-only `monitor` of each network request.
 *
 * A create or change of a service that asks for a network state (`active`, `inactive`,
 * `terminated`) different from the one it is in does not set that state: it stores the rest of the
 * service with its current state (a new one: `designed`), creates a monitor `InProgress` in the same
 * transaction, and after the commit starts the workflow `serviceActivation-<monitorId>`, which
 * moves the service when the network has done it. The answer (201/200, the service as it is now)
 * names the monitor in a `Link: <href>; rel="monitor"` header. The characteristics the network
 * needs are in api/schemas/tmf640.ts; 400 names each bad one. One request per service at a time
 * (409 while one is in progress, for any change of state and for deletion).
 *
 * Access: admin, agent and network read and write; only admin deletes; customers have none.
 */
import { Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Logger } from 'pino';
import { activationServiceModel, findMonitorInProgress, monitorModel, SERVICE_ACTIVATION_API } from '../db/activation-models';
import { findResource } from '../db/tmf-resources';
import { insertTmfDocument, newTmfDocument, patchTmfResource, type TmfModel } from '../db/tmf-store';
import { activationPlan, type ActivationOperation } from '../domain/activation/plan';
import { SERVICE_TRANSITIONS, transitionProblem, type ServiceState } from '../domain/ordering/states';
import {
  activationCommands,
  deactivationCommands,
  restorationCommands,
  suspensionCommands,
  type NetworkCommand,
  type ServiceToProvision,
} from '../domain/provisioning/commands';
import { formatCommand } from '../network/mml';
import type { serviceActivation, ServiceActivationInput } from '../workflows/service-activation';
import type { Role } from './auth';
import { activationServiceSchema, monitorSchema, serviceToProvision } from './schemas/tmf640';
import { badRequest, conflict, TmfError } from './tmf/errors';
import { TmfApi, type TmfApiDeps, type TmfResourceSpec } from './tmf/resource';

/** Staff and the network team; customers have no access (403). */
export const ACTIVATION_ACCESS: { read: Role[]; write: Role[] } = { read: ['admin', 'agent', 'network'], write: ['admin', 'agent', 'network'] };

/** Workflow id of the request a monitor follows. */
export const serviceActivationWorkflowId = (monitorId: string) => `serviceActivation-${monitorId}`;

export interface ServiceActivationApiDeps extends TmfApiDeps {
  temporal: Client;
  taskQueue: string;
  logger?: Logger;
}

const PLANS: Record<ActivationOperation, (s: ServiceToProvision) => NetworkCommand[]> = {
  activate: activationCommands,
  deactivate: deactivationCommands,
  suspend: suspensionCommands,
  restore: restorationCommands,
};


/** The monitor's request: the operations, the commands they will send, the states. */
function monitorRequest(serviceId: string, from: string, to: string, operations: ActivationOperation[], service: ServiceToProvision) {
  const commands = operations.flatMap((op) => PLANS[op](service).map((c) => ({ op, c })));
  return {
    '@type': 'Request',
    method: operations.join('+'),
    to: [...new Set(commands.map(({ c }) => c.element))].join(','),
    header: [
      { name: 'serviceId', value: serviceId },
      { name: 'fromState', value: from },
      { name: 'toState', value: to },
      { name: 'serviceKind', value: service.kind },
    ],
    body: commands.map(({ op, c }) => `${c.element} ${op}: ${formatCommand({ verb: c.verb, object: c.object, params: c.params })}`).join('\n'),
  };
}

/** Builds the TMF640 router. */
export function serviceActivationApi(deps: ServiceActivationApiDeps): TmfApi {
  const { knex, clock, publicUrl, temporal, taskQueue, logger } = deps;
  const monitorOf: TmfModel = monitorModel;
  // Requests stored by a write, waiting for its commit to start their workflow (by service id).
  const pending = new Map<string, { monitorId: string; monitorHref: string; input: ServiceActivationInput }>();

  const serviceSpec: TmfResourceSpec = {
    ...activationServiceModel,
    schema: activationServiceSchema,
    access: ACTIVATION_ACCESS,
    hooks: {
      beforeWrite: async (ctx) => {
        const { db, before, after } = ctx;
        // A request left by a write that rolled back is not this one's.
        pending.delete(after.id);
        const from = (before?.state as string | undefined) ?? 'designed';
        const to = after.state as string;
        if (before && from !== to) {
          const inFlight = await findMonitorInProgress(db, before.href as string);
          if (inFlight) throw conflict(`state: a request on this service is in progress (monitor ${String(inFlight.href)})`);
        }
        const operations = activationPlan(from, to);
        if (!operations.length) return activationServiceModel.hooks!.beforeWrite!(ctx);
        const problem = transitionProblem(SERVICE_TRANSITIONS, 'service', 'state', from as ServiceState, to as ServiceState);
        if (problem) throw conflict(problem);
        const parsed = serviceToProvision(after.id, after.serviceCharacteristic);
        if ('problems' in parsed) throw badRequest(parsed.problems.join('; '));
        const now = clock.now();
        const monitor = newTmfDocument(monitorOf, { sourceHref: after.href, state: 'InProgress', request: monitorRequest(after.id, from, to, operations, parsed.service) }, { now, publicUrl });
        await insertTmfDocument(db, monitorOf, monitor, now);
        pending.set(after.id, {
          monitorId: monitor.id,
          monitorHref: monitor.href as string,
          input: { monitorId: monitor.id, serviceId: after.id, operations, service: parsed.service, targetState: to },
        });
        // The service keeps its state until the network has done it.
        return { ...after, state: from };
      },
    },
    authorizeWrite: async ({ principal, before, after }) => {
      if (after) return;
      if (!principal.roles.includes('admin')) throw new TmfError(403, 'Forbidden', 'only admin deletes a service');
      const inFlight = before && (await findMonitorInProgress(knex, before.href as string));
      if (inFlight) throw conflict(`a request on this service is in progress (monitor ${String(inFlight.href)})`);
    },
    afterCommit: async ({ after }) => {
      const request = pending.get(after.id);
      pending.delete(after.id);
      // Only a request whose monitor was committed goes to the network.
      const monitor = request && (await findResource(knex, monitorOf.table, request.monitorId));
      if (!request || monitor?.state !== 'InProgress') return;
      try {
        await temporal.workflow.start<typeof serviceActivation>('serviceActivation', {
          workflowId: serviceActivationWorkflowId(request.monitorId),
          taskQueue,
          args: [request.input],
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) {
          logger?.error({ err, monitorId: request.monitorId }, 'could not start the service activation workflow');
          // Nobody will finish this monitor: close it so that the service takes requests again.
          await knex.transaction((trx) =>
            patchTmfResource(trx, monitorOf, request.monitorId, {
              state: 'InError',
              response: { '@type': 'Response', statusCode: 'error', header: [{ name: 'outcome', value: 'InError' }], body: 'the request could not be started; nothing was sent to the network' },
            }, clock.now()),
          );
          throw err;
        }
      }
      return { headers: { Link: `<${request.monitorHref}>; rel="monitor"` } };
    },
  };

  const monitorSpec: TmfResourceSpec = { ...monitorModel, schema: monitorSchema, access: { read: ACTIVATION_ACCESS.read, write: [] }, readOnly: true };

  return new TmfApi(SERVICE_ACTIVATION_API, deps).resource(serviceSpec).resource(monitorSpec);
}

type Operation = { responses: Record<string, Record<string, unknown>> };

/** Adds to the OpenAPI document what the generic description of the service cannot know: the monitor link and the 409s. */
export function describeActivationResponses(doc: Record<string, unknown>): void {
  const paths = doc.paths as Record<string, Record<string, Operation | undefined>>;
  const base = `/tmf-api/${SERVICE_ACTIVATION_API}/v4/service`;
  const link = { Link: { schema: { type: 'string' }, description: 'For a network request: `<monitor href>; rel="monitor"`' } };
  const conflict409 = { description: 'A request on the service is in progress, or the lifecycle forbids the move', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  const create = paths[base]?.post;
  if (create) {
    create.responses['201'] = { ...create.responses['201'], headers: { ...(create.responses['201'].headers as object), ...link } };
    create.responses['409'] = conflict409;
  }
  const patch = paths[`${base}/{id}`]?.patch;
  if (patch) {
    patch.responses['200'] = { ...patch.responses['200'], headers: link };
    patch.responses['409'] = conflict409;
  }
  const del = paths[`${base}/{id}`]?.delete;
  if (del) del.responses['409'] = conflict409;
}
