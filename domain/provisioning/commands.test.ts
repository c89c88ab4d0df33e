import { activationCommands, deactivationCommands, modificationCommands, restorationCommands, suspensionCommands, type ServiceToProvision } from './commands';

const mobile: ServiceToProvision = {
  kind: 'mobile',
  serviceId: 'svc-1',
  msisdn: '+34600000001',
  imsi: '214010000000001',
  iccid: '8934010000000000001',
  paymentType: 'prepaid',
  voice: true,
  sms: true,
  data: true,
  downlinkMbps: 300,
  uplinkMbps: 75,
};
const ftth: ServiceToProvision = { kind: 'ftth', serviceId: 'svc-2', accessNode: 'OLT-MAD-01', port: '1/1/7', downlinkMbps: 600, uplinkMbps: 600 };
const content: ServiceToProvision = { kind: 'content', serviceId: 'svc-3', subscriberId: 'cust-9', entitlement: 'VIDEO-PREMIUM' };

describe('provisioning commands', () => {
  it('activates a mobile service: subscriber in the HLR, then its data policy in the PCRF', () => {
    expect(activationCommands(mobile)).toEqual([
      {
        element: 'HLR',
        verb: 'CREATE',
        object: 'SUBSCRIBER',
        params: { MSISDN: '+34600000001', IMSI: '214010000000001', ICCID: '8934010000000000001', PROFILE: 'PREPAID', VOICE: 'YES', SMS: 'YES', DATA: 'YES' },
      },
      { element: 'PCRF', verb: 'SET', object: 'DATAPOLICY', params: { IMSI: '214010000000001', DOWNLINK: '300', UPLINK: '75' } },
    ]);
  });

  it('uses the default data policy when no speeds are given, and none without data', () => {
    const noSpeeds = { ...mobile, downlinkMbps: undefined, uplinkMbps: undefined, paymentType: 'postpaid' as const };
    const [create, policy] = activationCommands(noSpeeds);
    expect(create.params.PROFILE).toBe('POSTPAID');
    expect(policy.params).toEqual({ IMSI: '214010000000001', DOWNLINK: '100', UPLINK: '50' });
    const voiceOnly = activationCommands({ ...mobile, data: false, sms: false });
    expect(voiceOnly.map((c) => `${c.verb} ${c.object}`)).toEqual(['CREATE SUBSCRIBER']);
    expect(voiceOnly[0].params).toMatchObject({ VOICE: 'YES', SMS: 'NO', DATA: 'NO' });
    expect(deactivationCommands({ ...mobile, data: false }).map((c) => `${c.verb} ${c.object}`)).toEqual(['DELETE SUBSCRIBER']);
  });

  it('deactivates in reverse order with the inverse commands', () => {
    expect(deactivationCommands(mobile)).toEqual([
      { element: 'PCRF', verb: 'REMOVE', object: 'DATAPOLICY', params: { IMSI: '214010000000001' } },
      { element: 'HLR', verb: 'DELETE', object: 'SUBSCRIBER', params: { IMSI: '214010000000001' } },
    ]);
    expect(deactivationCommands(ftth)).toEqual([{ element: 'OLT', verb: 'DEACTIVATE', object: 'PORT', params: { NODE: 'OLT-MAD-01', PORT: '1/1/7', SERVICE: 'svc-2' } }]);
    expect(deactivationCommands(content)).toEqual([{ element: 'CONTENT', verb: 'REVOKE', object: 'ENTITLEMENT', params: { SUBSCRIBER: 'cust-9', PRODUCT: 'VIDEO-PREMIUM' } }]);
  });

  it('activates an FTTH port for its service and grants content', () => {
    expect(activationCommands(ftth)).toEqual([
      { element: 'OLT', verb: 'ACTIVATE', object: 'PORT', params: { NODE: 'OLT-MAD-01', PORT: '1/1/7', DOWNLINK: '600', UPLINK: '600', SERVICE: 'svc-2' } },
    ]);
    expect(activationCommands(content)).toEqual([{ element: 'CONTENT', verb: 'GRANT', object: 'ENTITLEMENT', params: { SUBSCRIBER: 'cust-9', PRODUCT: 'VIDEO-PREMIUM' } }]);
  });

  it('suspends and restores each kind', () => {
    const names = (cs: ReturnType<typeof suspensionCommands>) => cs.map((c) => `${c.element} ${c.verb} ${c.object}`);
    expect([mobile, ftth, content].map((s) => names(suspensionCommands(s)))).toEqual([['HLR SUSPEND SUBSCRIBER'], ['OLT SUSPEND PORT'], ['CONTENT REVOKE ENTITLEMENT']]);
    expect([mobile, ftth, content].map((s) => names(restorationCommands(s)))).toEqual([['HLR RESUME SUBSCRIBER'], ['OLT RESUME PORT'], ['CONTENT GRANT ENTITLEMENT']]);
    expect(suspensionCommands(mobile)[0].params).toEqual({ IMSI: '214010000000001' });
    expect(restorationCommands(ftth)[0].params).toEqual({ NODE: 'OLT-MAD-01', PORT: '1/1/7' });
  });

  it('refuses speeds that are not whole Mbit/s', () => {
    expect(() => activationCommands({ ...ftth, downlinkMbps: 0.5 })).toThrow('downlinkMbps must be a whole number of Mbit/s from 1, not 0.5');
    expect(() => activationCommands({ ...mobile, uplinkMbps: 0 })).toThrow('uplinkMbps must be a whole number of Mbit/s from 1, not 0');
  });
});

describe('modificationCommands', () => {
  const line = { kind: 'mobile' as const, serviceId: 's1', msisdn: '+34600000001', imsi: '214010000000001', iccid: '8934010000000000001', paymentType: 'postpaid' as const, voice: true, sms: true, data: true };

  it('sets the new PCRF data policy when the speeds differ, nothing when they do not', () => {
    expect(modificationCommands(line, { ...line, downlinkMbps: 300, uplinkMbps: 100 })).toEqual([
      { element: 'PCRF', verb: 'SET', object: 'DATAPOLICY', params: { IMSI: '214010000000001', DOWNLINK: '300', UPLINK: '100' } },
    ]);
    expect(modificationCommands(line, { ...line, downlinkMbps: 100, uplinkMbps: 50 })).toEqual([]);
    expect(modificationCommands({ ...line, downlinkMbps: 300 }, line)).toEqual([
      { element: 'PCRF', verb: 'SET', object: 'DATAPOLICY', params: { IMSI: '214010000000001', DOWNLINK: '100', UPLINK: '50' } },
    ]);
  });

  it('offers no plan change of other services', () => {
    const port = { kind: 'ftth' as const, serviceId: 's2', accessNode: 'OLT-1', port: '1/1/1', downlinkMbps: 1000, uplinkMbps: 1000 };
    expect(() => modificationCommands(port, { ...port, downlinkMbps: 300 })).toThrow('a plan change of a ftth service is not offered');
  });
});
