/**
 * Which network commands bring a service up, take it down, suspend and restore it, in the order
 * they must be sent. Pure. The command shape is the one of network/mml.ts (verb, object,
 * parameters) plus the element it goes to; it is declared here because domain/ imports nothing
 * outside domain/.
 */

/** The network elements: HLR/HSS, PCRF, access node (OLT), content platform. */
export type NetworkElement = 'HLR' | 'PCRF' | 'OLT' | 'CONTENT';

/** One command for one element; `params` in the order they are written. */
export interface NetworkCommand {
  element: NetworkElement;
  verb: string;
  object: string;
  params: Record<string, string>;
}

export type ServiceToProvision =
  | {
      kind: 'mobile';
      serviceId: string;
      msisdn: string;
      imsi: string;
      iccid: string;
      paymentType: 'prepaid' | 'postpaid';
      voice: boolean;
      sms: boolean;
      data: boolean;
      downlinkMbps?: number;
      uplinkMbps?: number;
    }
  | { kind: 'ftth'; serviceId: string; accessNode: string; port: string; downlinkMbps: number; uplinkMbps: number }
  | { kind: 'content'; serviceId: string; subscriberId: string; entitlement: string };

/** The data policy of a mobile service that names no speeds (Mbit/s). */
export const DEFAULT_MOBILE_DATA_POLICY = { downlinkMbps: 100, uplinkMbps: 50 } as const;

const yn = (b: boolean) => (b ? 'YES' : 'NO');

function mbps(value: number, what: string): string {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${what} must be a whole number of Mbit/s from 1, not ${value}`);
  return String(value);
}

const cmd = (element: NetworkElement, verb: string, object: string, params: Record<string, string>): NetworkCommand => ({ element, verb, object, params });

/** The commands that bring the service up, in order (the subscriber before its data policy). */
export function activationCommands(s: ServiceToProvision): NetworkCommand[] {
  switch (s.kind) {
    case 'mobile': {
      const commands = [
        cmd('HLR', 'CREATE', 'SUBSCRIBER', {
          MSISDN: s.msisdn,
          IMSI: s.imsi,
          ICCID: s.iccid,
          PROFILE: s.paymentType === 'prepaid' ? 'PREPAID' : 'POSTPAID',
          VOICE: yn(s.voice),
          SMS: yn(s.sms),
          DATA: yn(s.data),
        }),
      ];
      if (s.data) {
        commands.push(
          cmd('PCRF', 'SET', 'DATAPOLICY', {
            IMSI: s.imsi,
            DOWNLINK: mbps(s.downlinkMbps ?? DEFAULT_MOBILE_DATA_POLICY.downlinkMbps, 'downlinkMbps'),
            UPLINK: mbps(s.uplinkMbps ?? DEFAULT_MOBILE_DATA_POLICY.uplinkMbps, 'uplinkMbps'),
          }),
        );
      }
      return commands;
    }
    case 'ftth':
      return [
        cmd('OLT', 'ACTIVATE', 'PORT', {
          NODE: s.accessNode,
          PORT: s.port,
          DOWNLINK: mbps(s.downlinkMbps, 'downlinkMbps'),
          UPLINK: mbps(s.uplinkMbps, 'uplinkMbps'),
          SERVICE: s.serviceId,
        }),
      ];
    case 'content':
      return [grant(s)];
  }
}

/** The commands that take the service down: the inverses of activation, in reverse order. */
export function deactivationCommands(s: ServiceToProvision): NetworkCommand[] {
  switch (s.kind) {
    case 'mobile':
      return [
        ...(s.data ? [cmd('PCRF', 'REMOVE', 'DATAPOLICY', { IMSI: s.imsi })] : []),
        cmd('HLR', 'DELETE', 'SUBSCRIBER', { IMSI: s.imsi }),
      ];
    case 'ftth':
      // SERVICE: a port since given to another service is refused, not cut.
      return [cmd('OLT', 'DEACTIVATE', 'PORT', { NODE: s.accessNode, PORT: s.port, SERVICE: s.serviceId })];
    case 'content':
      return [revoke(s)];
  }
}

/**
 * The commands that suspend the service (dunning): a mobile subscriber gets outgoing barring, an
 * FTTH port is put administratively down, a content entitlement is revoked.
 */
export function suspensionCommands(s: ServiceToProvision): NetworkCommand[] {
  switch (s.kind) {
    case 'mobile':
      return [cmd('HLR', 'SUSPEND', 'SUBSCRIBER', { IMSI: s.imsi })];
    case 'ftth':
      return [cmd('OLT', 'SUSPEND', 'PORT', { NODE: s.accessNode, PORT: s.port })];
    case 'content':
      return [revoke(s)];
  }
}

/** The commands that undo a suspension. */
export function restorationCommands(s: ServiceToProvision): NetworkCommand[] {
  switch (s.kind) {
    case 'mobile':
      return [cmd('HLR', 'RESUME', 'SUBSCRIBER', { IMSI: s.imsi })];
    case 'ftth':
      return [cmd('OLT', 'RESUME', 'PORT', { NODE: s.accessNode, PORT: s.port })];
    case 'content':
      return [grant(s)];
  }
}

function grant(s: Extract<ServiceToProvision, { kind: 'content' }>): NetworkCommand {
  return cmd('CONTENT', 'GRANT', 'ENTITLEMENT', { SUBSCRIBER: s.subscriberId, PRODUCT: s.entitlement });
}

function revoke(s: Extract<ServiceToProvision, { kind: 'content' }>): NetworkCommand {
  return cmd('CONTENT', 'REVOKE', 'ENTITLEMENT', { SUBSCRIBER: s.subscriberId, PRODUCT: s.entitlement });
}

/**
 * The commands that move a service from one plan's network profile to another's (a plan change):
 * a mobile line whose data speeds differ gets its new PCRF policy (SET replaces the old one, so
 * it is idempotent); nothing when the profiles are the same. Plan changes of other kinds of
 * service are not offered, so they have no commands (RangeError).
 */
export function modificationCommands(before: ServiceToProvision, after: ServiceToProvision): NetworkCommand[] {
  if (before.kind !== 'mobile' || after.kind !== 'mobile') throw new RangeError(`a plan change of a ${after.kind} service is not offered`);
  if (!after.data) return [];
  const speeds = (s: typeof after) => [s.downlinkMbps ?? DEFAULT_MOBILE_DATA_POLICY.downlinkMbps, s.uplinkMbps ?? DEFAULT_MOBILE_DATA_POLICY.uplinkMbps];
  const [down, up] = speeds(after);
  const [oldDown, oldUp] = speeds(before);
  if (before.data && down === oldDown && up === oldUp) return [];
  return [cmd('PCRF', 'SET', 'DATAPOLICY', { IMSI: after.imsi, DOWNLINK: mbps(down, 'downlinkMbps'), UPLINK: mbps(up, 'uplinkMbps') })];
}
