import { parsePortRef, portRef } from './port-ref';

describe('port references', () => {
  it('splits the access node from the frame/slot/port, whatever slashes the port has', () => {
    expect(parsePortRef('OLT-MAD-01/1/2/7')).toEqual({ accessNode: 'OLT-MAD-01', port: '1/2/7' });
    expect(parsePortRef(portRef('OLT-T1/A', '1/1/16'))).toEqual({ accessNode: 'OLT-T1/A', port: '1/1/16' });
  });

  it('refuses what is not a port reference', () => {
    expect(parsePortRef('OLT-MAD-01')).toBeUndefined();
    expect(parsePortRef('OLT-MAD-01/7')).toBeUndefined();
    expect(parsePortRef('/1/1/1')).toBeUndefined();
  });
});
