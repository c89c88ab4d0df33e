/**
 * Recording the outcome of a TMF640 network request: the monitor gets its final state and a
 * response built from the provisioning log (every command sent for the request and the network's
 * reply), and on success the service its new state. Idempotent: a monitor already final is left
 * as it is.
 */
import type { Knex } from 'knex';
import { activationServiceModel, monitorModel } from '../../db/activation-models';
import { listProvisioningLog, type ProvisioningLogEntry } from '../../db/provisioning-log';
import { findResource } from '../../db/tmf-resources';
import { patchTmfResource } from '../../db/tmf-store';
import type { Clock } from '../../domain/clock';
import { TmfError } from '../../domain/errors';

export interface ActivationActivityDeps {
  knex: Knex;
  clock: Clock;
}

export interface ActivationOutcome {
  monitorId: string;
  serviceId: string;
  state: 'Completed' | 'InError';
  /** The state the service reaches (Completed only). */
  serviceState?: string;
  /** Why the request failed (InError only). */
  reason?: string;
  /** RETCODE of the element that refused, when one did. */
  retcode?: number;
}

/** One exchange as the monitor shows it: the command, then the reply or what happened instead. */
function exchangeText(e: ProvisioningLogEntry): string {
  const outcome = e.reply ?? (e.status === 'sent' ? '(no outcome recorded)' : `(${e.status}${e.error ? `: ${e.error}` : ''})`);
  return `${e.element} ${e.operation}: ${e.command}\n${outcome}`;
}

/** What the service becomes besides its state: started and enabled when active, ended when terminated. */
function serviceChange(state: string, before: Record<string, unknown>, now: Date): Record<string, unknown> {
  if (state === 'active') return { state, hasStarted: true, isServiceEnabled: true, ...(before.startDate ? {} : { startDate: now.toISOString() }) };
  if (state === 'terminated') return { state, isServiceEnabled: false, endDate: now.toISOString() };
  return { state, isServiceEnabled: false };
}

export function createActivationActivities(deps: ActivationActivityDeps) {
  const { knex, clock } = deps;
  return {
    /** Ends the request's monitor (Completed or InError) and, on success, moves the service. */
    async recordActivationOutcome(input: ActivationOutcome): Promise<void> {
      const { entries } = await listProvisioningLog(knex, { orderId: input.monitorId, limit: 1000 });
      const exchanges = entries.map(exchangeText).join('\n');
      const now = clock.now();
      await knex.transaction(async (trx) => {
        const monitor = await findResource(trx, monitorModel.table, input.monitorId, { forUpdate: true });
        if (!monitor || monitor.state !== 'InProgress') return;
        let body = input.state === 'InError' ? `${input.reason ?? 'the request failed'}${exchanges ? `\n\n${exchanges}` : ''}` : exchanges;
        if (input.state === 'Completed' && input.serviceState) {
          const service = await findResource(trx, activationServiceModel.table, input.serviceId, { forUpdate: true });
          try {
            if (service) await patchTmfResource(trx, activationServiceModel, input.serviceId, serviceChange(input.serviceState, service, now), now);
          } catch (err) {
            // The network did act; the monitor says why the service record did not follow.
            if (!(err instanceof TmfError)) throw err;
            body = `${body}\n\nthe service's state was not changed: ${err.message}`;
          }
        }
        const statusCode = input.state === 'Completed' ? '0' : input.retcode !== undefined ? String(input.retcode) : 'error';
        await patchTmfResource(trx, monitorModel, input.monitorId, {
          state: input.state,
          response: {
            '@type': 'Response',
            statusCode,
            header: [
              { name: 'outcome', value: input.state },
              { name: 'commands', value: String(entries.length) },
              { name: 'date', value: now.toISOString() },
            ],
            body,
          },
        }, now);
      });
    },
  };
}
