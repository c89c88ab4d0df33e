/** The tariff cache: one read per plan, shared by its subscribers, and past its time to live still answered at once while it is read again. */
import type { Rating } from '../../domain/rating';
import { TariffCache, type TariffRefs } from './tariffs';

const PRICE = '33333333-3333-4333-8333-333333333333';
const OFFERING = '44444444-4444-4444-8444-444444444444';
/** A subscriber's references as the engine's read returns them: its product's sold price, its account's zone. */
const PLAN: TariffRefs = { prices: [{ id: PRICE, version: '1.0' }], offering: { id: OFFERING, version: '1.0' }, timeZone: 'Europe/Lisbon' };
const perMinute = (rate: string): Rating => ({ connectFee: '0', bands: [{ name: 'any', slots: [{ start: 0, rate, unit: 60, increment: 1 }] }] });

/** A catalog of one voice price whose rate the test changes; every query is counted, and can be held. */
function fakeCatalog() {
  const state = { rate: '0.10', queries: 0, hold: null as Promise<void> | null, fail: false };
  const db = {
    async query(text: string) {
      state.queries++;
      if (state.hold) await state.hold;
      if (state.fail) throw new Error('database unavailable');
      if (text.includes('FROM catalog_version')) return { rows: [] };
      if (text.includes('FROM catalog_product_offering_price')) return { rows: [{ body: { priceType: 'usage', usageType: 'voice', rating: perMinute(state.rate) } }] };
      if (text.includes('FROM catalog_product_offering')) return { rows: [{ body: { productOfferingPrice: [{ id: PRICE }] } }] };
      throw new Error(`unexpected query ${text}`);
    },
  };
  return { state, db: db as unknown as Parameters<TariffCache['tariffsOf']>[0] };
}

const rateOf = async (p: Promise<{ ratings: { voice?: Rating } }>) => (await p).ratings.voice?.bands[0].slots[0].rate;

describe('tariff cache', () => {
  it('reads a plan once for all its subscribers, and past its time to live answers at once while reading it again', async () => {
    let now = 0;
    const cache = new TariffCache({ ttlMs: 60_000, defaultTimeZone: 'Europe/Madrid', now: () => now });
    const { state, db } = fakeCatalog();

    expect(await cache.tariffsOf(db, PLAN)).toMatchObject({ timeZone: 'Europe/Lisbon' });
    const firstLoad = state.queries;
    expect(firstLoad).toBe(2); // the sold price at its version (not recorded), then as it is now
    // Another subscriber on the same plan (its own copy of the references): no query.
    expect(await rateOf(cache.tariffsOf(db, structuredClone(PLAN)))).toBe('0.10');
    expect(state.queries).toBe(firstLoad);

    // Expired, and the catalog is slow: the request gets the tariffs it had, without waiting.
    now = 61_000;
    state.rate = '0.20';
    let release!: () => void;
    state.hold = new Promise((r) => (release = r));
    expect(await rateOf(cache.tariffsOf(db, PLAN))).toBe('0.10');
    expect(await rateOf(cache.tariffsOf(db, PLAN))).toBe('0.10');
    state.hold = null;
    release();
    await new Promise((r) => setImmediate(r));
    // Read again once (not once per request), then the new rate is used.
    expect(state.queries).toBe(2 * firstLoad);
    expect(await rateOf(cache.tariffsOf(db, PLAN))).toBe('0.20');

    // A failed read again keeps the tariffs it had; the next request after it tries again.
    now = 130_000;
    state.fail = true;
    expect(await rateOf(cache.tariffsOf(db, PLAN))).toBe('0.20');
    await new Promise((r) => setImmediate(r));
    state.fail = false;
    state.rate = '0.30';
    expect(await rateOf(cache.tariffsOf(db, PLAN))).toBe('0.20');
    await new Promise((r) => setImmediate(r));
    expect(await rateOf(cache.tariffsOf(db, PLAN))).toBe('0.30');
  });

  it("takes the offering's prices when the sold ones name no usage price, and the default zone when the account has none", async () => {
    const cache = new TariffCache({ ttlMs: 60_000, defaultTimeZone: 'Europe/Madrid', now: () => 0 });
    const { db } = fakeCatalog();
    const tariffs = await cache.tariffsOf(db, { prices: [], offering: { id: OFFERING }, timeZone: null });
    expect(tariffs.timeZone).toBe('Europe/Madrid');
    expect(tariffs.ratings.voice?.bands[0].slots[0].rate).toBe('0.10');
    expect(await cache.tariffsOf(db, { prices: [], offering: null, timeZone: null })).toEqual({ ratings: {}, timeZone: 'Europe/Madrid' });
  });
});
