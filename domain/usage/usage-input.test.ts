import { parseUsage } from './usage-input';

const good = { recordId: 'r1', msisdn: '34600000001', usageType: 'voice', startTime: '2026-11-04T10:00:00+01:00', quantity: '61', destination: '+34612345678' };

describe('parseUsage', () => {
  it('normalises a good record: numbers to E.164 with +, the instant with its offset', () => {
    expect(parseUsage({ ...good, destination: '+34612345678' }, 'file.csv')).toEqual({
      ok: true,
      usage: { source: 'file.csv', recordId: 'r1', msisdn: '+34600000001', usageType: 'voice', startTime: new Date('2026-11-04T09:00:00Z'), quantity: '61', destination: '+34612345678' },
    });
    expect(parseUsage({ ...good, source: 'msc-7', destination: '' }, 'file.csv')).toMatchObject({ ok: true, usage: { source: 'msc-7', destination: undefined } });
    expect(parseUsage({ ...good, quantity: '1.250' }, 'x')).toMatchObject({ ok: true, usage: { quantity: '1.250' } });
    expect(parseUsage({ ...good, startTime: '2028-02-29T10:00:00Z' }, 'x')).toMatchObject({ ok: true, usage: { startTime: new Date('2028-02-29T10:00:00Z') } });
    expect(parseUsage({ ...good, startTime: '2000-02-29T10:00:00Z' }, 'x')).toMatchObject({ ok: true, usage: { startTime: new Date('2000-02-29T10:00:00Z') } });
    expect(parseUsage({ ...good, startTime: '2026-12-31T23:59:59Z' }, 'x')).toMatchObject({ ok: true, usage: { startTime: new Date('2026-12-31T23:59:59Z') } });
  });

  it.each([
    [{ recordId: ' ' }, 'missing record id'],
    [{ msisdn: undefined }, 'missing msisdn'],
    [{ msisdn: '600-000' }, 'bad msisdn: 600-000'],
    [{ usageType: 'mms' }, 'unknown usage type: mms'],
    [{ startTime: '2026-11-04 10:00:00' }, 'bad start time: 2026-11-04 10:00:00'],
    [{ startTime: '2026-11-04T10:00:00' }, 'bad start time: 2026-11-04T10:00:00'],
    [{ startTime: '2026-02-29T10:00:00Z' }, 'bad start time: 2026-02-29T10:00:00Z'],
    [{ startTime: '2100-02-29T10:00:00Z' }, 'bad start time: 2100-02-29T10:00:00Z'],
    [{ startTime: '2026-04-31T10:00:00Z' }, 'bad start time: 2026-04-31T10:00:00Z'],
    [{ startTime: '2026-13-01T10:00:00Z' }, 'bad start time: 2026-13-01T10:00:00Z'],
    [{ quantity: '1e3' }, 'bad quantity: 1e3'],
    [{ quantity: '' }, 'bad quantity: '],
    [{ quantity: '-0.5' }, 'negative quantity: -0.5'],
    [{ destination: '+34 612' }, 'bad destination: +34 612'],
  ])('rejects %o: %s', (change, reason) => {
    expect(parseUsage({ ...good, ...change }, 'x')).toEqual({ ok: false, reason });
  });
});
