import { bandPrefixMatches, BandTimeline, bandWindowContains, localTimeIn, normaliseNumber, selectBand } from './select-band';
import { Band, Rating, RatingError, Slot } from './types';

// The pay-as-you-go call tariff of the seed catalog (db/seeds/catalog-data.ts), copied as data.
const perMinute = (rate: string): Slot[] => [
  { start: 0, rate, unit: 60, increment: 60 },
  { start: 60, rate, unit: 60, increment: 1 },
];
const PAYG_VOICE: Rating = {
  connectFee: '0.00',
  bands: [
    { name: 'freephone', destinationPrefixes: ['+34800', '+34900'], slots: perMinute('0.00') },
    { name: 'premium', destinationPrefixes: ['+3490', '+34803', '+34806', '+34807'], slots: perMinute('0.45') },
    { name: 'national-peak', daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '20:00', destinationPrefixes: ['+34'], slots: perMinute('0.12') },
    { name: 'national-off-peak', destinationPrefixes: ['+34'], slots: perMinute('0.06') },
    { name: 'international', slots: perMinute('0.60') },
  ],
};
const MADRID = 'Europe/Madrid';
const NATIONAL_MOBILE = '+34612345678';

describe('localTimeIn', () => {
  it.each([
    // Spring forward in Madrid, Sunday 29 March 2026: 02:00 CET becomes 03:00 CEST.
    ['2026-03-29T00:59:59Z', MADRID, 7, 1 * 3600 + 59 * 60 + 59],
    ['2026-03-29T01:00:00Z', MADRID, 7, 3 * 3600],
    // Fall back, Sunday 25 October 2026: 03:00 CEST becomes 02:00 CET.
    ['2026-10-25T00:59:59Z', MADRID, 7, 2 * 3600 + 59 * 60 + 59],
    ['2026-10-25T01:00:00Z', MADRID, 7, 2 * 3600],
    // Local midnight is hour 0 of the next day, not hour 24 of the previous one.
    ['2026-03-29T22:00:00Z', MADRID, 1, 0],
    ['2026-01-05T04:30:00Z', 'America/New_York', 7, 23 * 3600 + 30 * 60], // Monday in UTC, still Sunday 23:30 EST
  ])('%s in %s is weekday %i, second %i', (instant, zone, day, second) => {
    expect(localTimeIn(zone, new Date(instant))).toEqual({ dayOfWeek: day, secondOfDay: second });
  });

  it.each([
    [MADRID, '2026-10-24T12:00:00Z'],
    ['Australia/Lord_Howe', '2026-10-03T12:00:00Z'], // +10:30 → +11:00, a half-hour shift
    ['Asia/Kathmandu', '2026-11-04T00:00:00Z'], // +05:45
    ['America/St_Johns', '2026-11-01T00:00:00Z'], // −02:30 → −03:30
  ])('agrees with formatting each instant itself in %s across a day and an offset change', (zone, from) => {
    const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    const days: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
    for (let ms = Date.parse(from); ms < Date.parse(from) + 2 * 86_400_000; ms += 37_001) {
      const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
      const expected = { dayOfWeek: days[parts.weekday], secondOfDay: Number(parts.hour) * 3600 + Number(parts.minute) * 60 + Number(parts.second) };
      expect([new Date(ms).toISOString(), localTimeIn(zone, new Date(ms))]).toEqual([new Date(ms).toISOString(), expected]);
    }
  });

  it('refuses an invalid date', () => {
    expect(() => localTimeIn(MADRID, new Date('not a date'))).toThrow(RatingError);
  });

  it('refuses an unknown time zone', () => {
    expect(() => localTimeIn('Europe/Atlantis', new Date('2026-11-04T11:00:00Z'))).toThrow(RatingError);
  });
});

describe('selectBand: peak and off-peak in local time, across daylight saving changes', () => {
  it.each([
    // Friday 27 March 2026, CET (UTC+1).
    ['2026-03-27T06:59:59Z', 'Fri 07:59:59 CET', 'national-off-peak'],
    ['2026-03-27T07:00:00Z', 'Fri 08:00 CET', 'national-peak'],
    ['2026-03-27T18:59:00Z', 'Fri 19:59 CET', 'national-peak'],
    ['2026-03-27T19:00:00Z', 'Fri 20:00 CET', 'national-off-peak'],
    // Saturday: off-peak all day.
    ['2026-03-28T07:00:00Z', 'Sat 08:00 CET', 'national-off-peak'],
    ['2026-03-28T11:00:00Z', 'Sat 12:00 CET', 'national-off-peak'],
    // Sunday of the change and the Monday after it, CEST (UTC+2): the boundaries move in UTC.
    ['2026-03-29T08:00:00Z', 'Sun 10:00 CEST', 'national-off-peak'],
    ['2026-03-30T05:59:00Z', 'Mon 07:59 CEST', 'national-off-peak'],
    ['2026-03-30T06:00:00Z', 'Mon 08:00 CEST', 'national-peak'],
    ['2026-03-30T17:59:00Z', 'Mon 19:59 CEST', 'national-peak'],
    ['2026-03-30T18:00:00Z', 'Mon 20:00 CEST', 'national-off-peak'],
    // Friday before the October change (CEST), then Monday after it (CET).
    ['2026-10-23T05:59:00Z', 'Fri 07:59 CEST', 'national-off-peak'],
    ['2026-10-23T06:00:00Z', 'Fri 08:00 CEST', 'national-peak'],
    ['2026-10-23T18:00:00Z', 'Fri 20:00 CEST', 'national-off-peak'],
    ['2026-10-26T06:00:00Z', 'Mon 07:00 CET', 'national-off-peak'],
    ['2026-10-26T06:59:00Z', 'Mon 07:59 CET', 'national-off-peak'],
    ['2026-10-26T07:00:00Z', 'Mon 08:00 CET', 'national-peak'],
    ['2026-10-26T18:59:00Z', 'Mon 19:59 CET', 'national-peak'],
    ['2026-10-26T19:00:00Z', 'Mon 20:00 CET', 'national-off-peak'],
    ['2026-10-31T09:00:00Z', 'Sat 10:00 CET', 'national-off-peak'],
  ])('%s (%s) is %s', (instant, _local, band) => {
    expect(selectBand(PAYG_VOICE, { startTime: new Date(instant), destination: NATIONAL_MOBILE }, MADRID).name).toBe(band);
  });

  it('evaluates the window in the zone it is given', () => {
    // 07:30Z on a Monday is 08:30 in Madrid (CET) but 07:30 in London.
    const event = { startTime: new Date('2026-11-02T07:30:00Z'), destination: NATIONAL_MOBILE };
    expect(selectBand(PAYG_VOICE, event, MADRID).name).toBe('national-peak');
    expect(selectBand(PAYG_VOICE, event, 'Europe/London').name).toBe('national-off-peak');
  });
});

describe('selectBand: destinations, first matching band in tariff order', () => {
  const weekdayNoon = new Date('2026-11-04T11:00:00Z');
  it.each([
    ['+34900123456', 'freephone'],
    ['+34800123456', 'freephone'],
    ['+34901123456', 'premium'], // shared cost: +3490 but not +34900
    ['+34806123456', 'premium'],
    ['+34807123456', 'premium'],
    ['+34612345678', 'national-peak'],
    ['+34912345678', 'national-peak'], // Madrid landline: +3491, not premium +3490
    ['+34 612 34 56 78', 'national-peak'],
    ['0034612345678', 'national-peak'],
    ['+447700900123', 'international'],
    ['+3312345678', 'international'],
    [undefined, 'international'], // no destination: only a band without prefixes can match
  ])('%s is %s', (destination, band) => {
    expect(selectBand(PAYG_VOICE, { startTime: weekdayNoon, destination }, MADRID).name).toBe(band);
  });

  it('throws no-band when no band matches', () => {
    const nationalOnly: Rating = { connectFee: '0', bands: [PAYG_VOICE.bands[3]] };
    expect.assertions(2);
    try {
      selectBand(nationalOnly, { startTime: weekdayNoon, destination: '+447700900123' }, MADRID);
    } catch (e) {
      expect(e).toBeInstanceOf(RatingError);
      expect((e as RatingError).code).toBe('no-band');
    }
  });
});

describe('BandTimeline.at: one destination at any instant', () => {
  it('picks what the first band in tariff order matching both prefix and window would, every quarter hour of a week across a DST change', () => {
    const destinations = [NATIONAL_MOBILE, '0034 612 345 678', '+34900123456', '+34901234567', '+441234567890', undefined];
    // The week of the spring change in Madrid (29 March 2026).
    const from = Date.UTC(2026, 2, 25, 0, 0, 0);
    for (const destination of destinations) {
      const timeline = new BandTimeline(PAYG_VOICE, destination, MADRID);
      for (let ms = from; ms < from + 7 * 86_400_000; ms += 900_000) {
        const local = localTimeIn(MADRID, new Date(ms));
        const expected = PAYG_VOICE.bands.find((b) => bandPrefixMatches(b, destination) && bandWindowContains(b, local));
        expect([destination, new Date(ms).toISOString(), timeline.at(ms).name]).toEqual([destination, new Date(ms).toISOString(), expected!.name]);
      }
    }
  });

  it('throws no-band, naming the destination and instant, when none of its bands is open', () => {
    const peakOnly: Rating = { connectFee: '0.00', bands: [PAYG_VOICE.bands[2]] };
    const sunday = Date.UTC(2026, 2, 29, 12, 0, 0);
    expect(() => new BandTimeline(peakOnly, NATIONAL_MOBILE, MADRID).at(sunday)).toThrow(expect.objectContaining({ code: 'no-band', message: expect.stringContaining('2026-03-29T12:00:00.000Z') }));
    expect(() => new BandTimeline(peakOnly, '+441234567890', MADRID).at(Date.UTC(2026, 2, 25, 10, 0, 0))).toThrow(RatingError);
  });
});

describe('BandTimeline.nextEdge: where a band may change', () => {
  // Peak and off-peak on weekdays, a night window that wraps past midnight, a weekend band.
  const TIMED: Rating = {
    connectFee: '0.00',
    bands: [
      { name: 'night', startTime: '22:30', endTime: '06:15', slots: perMinute('0.02') },
      { name: 'weekend', daysOfWeek: [6, 7], slots: perMinute('0.04') },
      { name: 'peak', daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '20:00', slots: perMinute('0.12') },
      { name: 'off-peak', slots: perMinute('0.06') },
    ],
  };

  it.each([
    [MADRID, '2026-03-24T10:00:30.250Z'], // spring forward, 29 March
    [MADRID, '2026-10-20T17:00:00Z'], // fall back, 25 October
    ['Australia/Lord_Howe', '2026-09-30T00:00:00Z'], // +10:30 → +11:00 on 4 October
    ['America/St_Johns', '2026-10-28T12:00:00Z'], // −02:30 → −03:30 on 1 November
    ['Asia/Kathmandu', '2026-11-04T00:00:07Z'], // +05:45, no change
  ])('in %s, ten days from %s: the band at every minute is the one at the last edge before it', (zone, from) => {
    for (const rating of [TIMED, PAYG_VOICE]) {
      const timeline = new BandTimeline(rating, NATIONAL_MOBILE, zone);
      const start = Date.parse(from);
      const end = start + 10 * 86_400_000;
      const edges = [start];
      while (edges[edges.length - 1] < end) edges.push(timeline.nextEdge(edges[edges.length - 1]));
      expect(edges.every((e, i) => i === 0 || e > edges[i - 1])).toBe(true);
      // Edges are few: the windows' ends and midnight each day, and the offset changes.
      expect(edges.length).toBeLessThan(10 * 6 + 4);
      const changedBetweenEdges: string[] = [];
      let last = 0;
      for (let ms = Math.ceil(start / 60_000) * 60_000; ms < end; ms += 60_000) {
        while (last + 1 < edges.length && edges[last + 1] <= ms) last++;
        if (timeline.at(ms) !== timeline.at(edges[last])) changedBetweenEdges.push(`${new Date(ms).toISOString()} ${timeline.at(ms).name}`);
      }
      expect(changedBetweenEdges).toEqual([]);
    }
  });
});

describe('bandWindowContains', () => {
  const band = (fields: Partial<Band>): Band => ({ name: 'b', slots: perMinute('1'), ...fields });
  const at = (dayOfWeek: number, hhmm: string) => ({ dayOfWeek, secondOfDay: Number(hhmm.slice(0, 2)) * 3600 + Number(hhmm.slice(3)) * 60 });

  it.each([
    // Night window wrapping past midnight: 20:00 (inclusive) to 08:00 (exclusive).
    [{ startTime: '20:00', endTime: '08:00' }, at(3, '20:00'), true],
    [{ startTime: '20:00', endTime: '08:00' }, at(3, '23:59'), true],
    [{ startTime: '20:00', endTime: '08:00' }, at(3, '00:00'), true],
    [{ startTime: '20:00', endTime: '08:00' }, at(3, '07:59'), true],
    [{ startTime: '20:00', endTime: '08:00' }, at(3, '08:00'), false],
    [{ startTime: '20:00', endTime: '08:00' }, at(3, '19:59'), false],
    // Open ends: from 20:00 to midnight, from midnight to 08:00, and an explicit 24:00.
    [{ startTime: '20:00' }, at(3, '23:59'), true],
    [{ startTime: '20:00' }, at(3, '00:00'), false],
    [{ endTime: '08:00' }, at(3, '00:00'), true],
    [{ endTime: '08:00' }, at(3, '08:00'), false],
    [{ startTime: '18:00', endTime: '24:00' }, at(3, '23:59'), true],
    // Weekend by days only (6 = Saturday, 7 = Sunday).
    [{ daysOfWeek: [6, 7] }, at(6, '12:00'), true],
    [{ daysOfWeek: [6, 7] }, at(7, '00:00'), true],
    [{ daysOfWeek: [6, 7] }, at(1, '00:00'), false],
    [{ daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '20:00' }, at(5, '08:00'), true],
    [{ daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '20:00' }, at(6, '08:00'), false],
    [{}, at(7, '03:00'), true],
  ])('%j contains %j: %s', (fields, local, expected) => {
    expect(bandWindowContains(band(fields), local)).toBe(expected);
  });

  it.each([[{ startTime: '08:00', endTime: '08:00' }], [{ startTime: '8:00' }], [{ startTime: '24:00' }], [{ endTime: '20:60' }]])(
    'refuses the window %j',
    (fields) => {
      expect(() => bandWindowContains(band(fields), at(1, '08:00'))).toThrow(RatingError);
    },
  );
});

describe('normaliseNumber', () => {
  it.each([
    ['+34 612-34-56-78', '+34612345678'],
    ['0044 (20) 7946.0000', '+442079460000'],
    ['+34900123456', '+34900123456'],
  ])('%s is %s', (input, expected) => {
    expect(normaliseNumber(input)).toBe(expected);
  });
});
