import { uuidV7 } from './uuid-v7';

describe('uuidV7', () => {
  it('carries the milliseconds first, version 7 and the RFC variant, and sorts by time', () => {
    const id = uuidV7(new Date('2026-11-26T05:00:00.123Z'));
    expect(id).toMatch(/^01a21639-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.parse('2026-11-26T05:00:00.123Z'));
    const ids = [0, 1, 2, 1000].map((ms) => uuidV7(new Date(Date.parse('2026-11-26T05:00:00Z') + ms)));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => uuidV7(new Date(0)))).size).toBe(1000);
  });
});
