/**
 * Provisioning activities: a service's network commands (domain/provisioning/commands.ts) sent
 * one after the other to the network elements, each written to the provisioning log before it
 * goes out and completed with its reply, timeout or connection error.
 *
 * Commands are idempotent, so an activity that times out or loses its connection is simply
 * retried (a plain error): what already took effect answers "already exists, unchanged". A
 * refusal that another attempt would get again (invalid parameter, conflicting object, not
 * found) is a non-retryable ApplicationFailure of type `ProvisioningRejected`.
 */
import { ApplicationFailure } from '@temporalio/activity';
import type { Knex } from 'knex';
import { completeProvisioningLogEntry, insertProvisioningLogEntry, type ProvisioningOperation } from '../../db/provisioning-log';
import type { Clock } from '../../domain/clock';
import {
  activationCommands,
  deactivationCommands,
  modificationCommands,
  restorationCommands,
  suspensionCommands,
  type NetworkCommand,
  type ServiceToProvision,
} from '../../domain/provisioning/commands';
import { NetworkCommandError, NetworkConnectionError, NetworkError, NetworkTimeoutError, type NetworkSender } from '../../network/client';
import { formatCommand } from '../../network/mml';

export interface ProvisioningActivityDeps {
  knex: Knex;
  clock: Clock;
  /** The network (a NetworkClient in the worker). */
  network: NetworkSender;
  /** How long to wait for each reply (default 10 s). */
  commandTimeoutMs?: number;
}

export interface ProvisioningInput {
  orderId: string;
  service: ServiceToProvision;
}

/** What was done: each command with the element's answer. */
export interface ProvisioningResult {
  serviceId: string;
  operation: ProvisioningOperation;
  commands: Array<{ element: string; command: string; retcode: number; desc: string }>;
}

/** Type of the non-retryable failure for a command the network refused. */
export const PROVISIONING_REJECTED = 'ProvisioningRejected';
/** Type of the non-retryable failure for a service that yields no valid commands. */
export const INVALID_SERVICE = 'InvalidServiceToProvision';

const PLANS: Record<Exclude<ProvisioningOperation, 'modify'>, (s: ServiceToProvision) => NetworkCommand[]> = {
  activate: activationCommands,
  deactivate: deactivationCommands,
  suspend: suspensionCommands,
  restore: restorationCommands,
};

/** A plan change: the service as it is to be, and as it was. */
export interface ModificationInput extends ProvisioningInput {
  previous: ServiceToProvision;
}

export function createProvisioningActivities(deps: ProvisioningActivityDeps) {
  const { knex, clock, network } = deps;
  const timeoutMs = deps.commandTimeoutMs ?? 10_000;

  async function sendLogged(input: ProvisioningInput, operation: ProvisioningOperation, cmd: NetworkCommand) {
    const mml = { verb: cmd.verb, object: cmd.object, params: cmd.params };
    const logId = await insertProvisioningLogEntry(knex, {
      orderId: input.orderId,
      serviceId: input.service.serviceId,
      operation,
      element: cmd.element,
      command: formatCommand(mml),
      sentAt: clock.now(),
    });
    try {
      const exchange = await network.send(mml, { timeoutMs });
      await completeProvisioningLogEntry(knex, logId, {
        status: 'succeeded',
        command: exchange.commandText,
        reply: exchange.replyText,
        retcode: exchange.reply.retcode,
        at: clock.now(),
      });
      return { element: cmd.element, command: exchange.commandText, retcode: exchange.reply.retcode, desc: exchange.reply.desc };
    } catch (err) {
      const endedAt = clock.now();
      if (err instanceof NetworkCommandError) {
        const { exchange } = err;
        await completeProvisioningLogEntry(knex, logId, {
          status: err.retryable ? 'failed' : 'rejected',
          command: exchange.commandText,
          reply: exchange.replyText,
          retcode: exchange.reply.retcode,
          at: endedAt,
        });
        if (err.retryable) throw err;
        throw ApplicationFailure.create({
          type: PROVISIONING_REJECTED,
          nonRetryable: true,
          message: `${cmd.element} refused ${exchange.commandText} with ${exchange.replyText}`,
          details: [{ element: cmd.element, command: exchange.commandText, reply: exchange.replyText, retcode: exchange.reply.retcode, desc: exchange.reply.desc }],
        });
      }
      // Anything else (a client that broke in an unforeseen way) is logged as a failure and retried.
      const status = err instanceof NetworkTimeoutError ? 'timeout' : err instanceof NetworkConnectionError ? 'connectionError' : 'failed';
      await completeProvisioningLogEntry(knex, logId, {
        status,
        ...(err instanceof NetworkError ? { command: err.commandText } : {}),
        error: (err as Error).message,
        at: endedAt,
      });
      // Retryable: the command may have taken effect, and sending it again does no harm.
      throw err;
    }
  }

  async function run(operation: ProvisioningOperation, input: ProvisioningInput, plan: (s: ServiceToProvision) => NetworkCommand[] = PLANS[operation as keyof typeof PLANS]): Promise<ProvisioningResult> {
    let commands: NetworkCommand[];
    try {
      commands = plan(input.service);
    } catch (err) {
      throw ApplicationFailure.create({ type: INVALID_SERVICE, nonRetryable: true, message: `service ${input.service.serviceId}: ${(err as Error).message}` });
    }
    const done: ProvisioningResult['commands'] = [];
    for (const cmd of commands) done.push(await sendLogged(input, operation, cmd));
    return { serviceId: input.service.serviceId, operation, commands: done };
  }

  return {
    /** Brings the service up in the network (subscriber, data policy, port, entitlement). */
    activateService: (input: ProvisioningInput) => run('activate', input),
    /** Takes the service down (the inverse commands, in reverse order); what is absent is fine. */
    deactivateService: (input: ProvisioningInput) => run('deactivate', input),
    /** Suspends the service (outgoing barring, port down, entitlement revoked). */
    suspendService: (input: ProvisioningInput) => run('suspend', input),
    /** Restores a suspended service. */
    restoreService: (input: ProvisioningInput) => run('restore', input),
    /** Moves the service to a new plan's network profile (only the commands whose values differ). */
    modifyService: (input: ModificationInput) => run('modify', input, (s) => modificationCommands(input.previous, s)),
  };
}
