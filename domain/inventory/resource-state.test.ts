import { portName, tmf639State } from './resource-state';

describe('TMF639 state of inventory resources', () => {
  it('maps reserved, inUse and released', () => {
    expect(tmf639State('reserved')).toEqual({ resourceStatus: 'reserved', operationalState: 'disable', usageState: 'idle', administrativeState: 'unlocked' });
    expect(tmf639State('inUse')).toEqual({ resourceStatus: 'available', operationalState: 'enable', usageState: 'busy', administrativeState: 'unlocked' });
    expect(tmf639State('released')).toEqual({ resourceStatus: 'standby', operationalState: 'disable', usageState: 'idle', administrativeState: 'unlocked' });
  });
});

describe('port names', () => {
  it('numbers frame/slot/port with 16 ports a slot', () => {
    expect(portName(0)).toBe('1/1/1');
    expect(portName(6)).toBe('1/1/7');
    expect(portName(15)).toBe('1/1/16');
    expect(portName(16)).toBe('1/2/1');
    expect(portName(63)).toBe('1/4/16');
    expect(() => portName(-1)).toThrow();
    expect(() => portName(1.5)).toThrow();
  });
});
