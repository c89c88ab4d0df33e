/**
 * The tariffs a subscriber is rated with: the usage prices its product was sold with (TMF637, at
 * the versions sold), else its offering's, in its billing account's time zone. The engine's read
 * returns those references with the subscriber (store.ts), so tariffs are cached per plan, not per
 * subscriber: every line on the same plan and zone shares one entry, and a subscriber's first
 * request needs no query of its own. Tariffs are versioned data, not balances, so a cache cannot
 * miss a credit; a short time to live picks up a catalog item changed in place. An entry past its
 * time to live is still answered at once while it is read again beside the request.
 */
import type pg from 'pg';

/** Where tariffs are read. */
type Queryable = Pick<pg.Pool, 'query'>;
import type { Rating } from '../../domain/rating';
import type { Tariffs } from './plan';
import type { ServiceType } from './types';

type Doc = Record<string, unknown>;

/** A catalog item as a product names it. */
export interface CatalogRef {
  id?: string;
  version?: string;
}

/** What a subscriber's tariffs are read from. */
export interface TariffRefs {
  /** The product's prices as sold (productPrice[].productOfferingPrice). */
  prices: CatalogRef[];
  /** The product's offering, whose prices apply when the sold ones name no usage price. */
  offering: CatalogRef | null;
  /** The billing account's time zone (bands are local times); the default zone when it has none. */
  timeZone: string | null;
}

const refKey = (r: CatalogRef | null | undefined) => (r?.id ? `${r.id}@${r.version ?? ''}` : '');

/** The cache key of a set of references: equal for every subscriber on the same plan and zone. */
export const tariffKey = (t: TariffRefs): string => `${t.prices.map(refKey).join(',')}|${refKey(t.offering)}|${t.timeZone ?? ''}`;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TABLE = { productOffering: 'catalog_product_offering', productOfferingPrice: 'catalog_product_offering_price' } as const;

/** Caches tariffs per plan (tariffKey) and the catalog items they are built from. */
export class TariffCache {
  private readonly entries = new Map<string, { value: Promise<Tariffs>; expires: number; refreshing?: boolean }>();
  /** Catalog items by resource, id and version: many plans share an offering and its prices. */
  private readonly documents = new Map<string, { value: Promise<Doc | undefined>; expires: number }>();

  constructor(
    private readonly opts: { ttlMs: number; defaultTimeZone: string; now: () => number },
  ) {}

  /** The tariffs these references name (none when they name no usage price). */
  tariffsOf(db: Queryable, refs: TariffRefs): Promise<Tariffs> {
    const key = tariffKey(refs);
    const hit = this.entries.get(key);
    if (hit) {
      if (hit.expires <= this.opts.now() && !hit.refreshing) this.refresh(db, key, hit, refs);
      return hit.value;
    }
    const value = this.load(db, refs);
    // A failed load is not kept: the next request tries again.
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > 50_000) this.entries.clear();
    this.entries.set(key, { value, expires: this.opts.now() + this.opts.ttlMs });
    return value;
  }

  /** Reads an expired entry again; until that is done (or if it fails) the entry keeps its tariffs. */
  private refresh(db: Queryable, key: string, entry: { refreshing?: boolean }, refs: TariffRefs): void {
    entry.refreshing = true;
    this.load(db, refs).then(
      (tariffs) => this.entries.set(key, { value: Promise.resolve(tariffs), expires: this.opts.now() + this.opts.ttlMs }),
      () => (entry.refreshing = false),
    );
  }

  /** Forgets everything (after a catalog or product change that must apply at once). */
  clear(): void {
    this.entries.clear();
    this.documents.clear();
  }

  private async load(db: Queryable, refs: TariffRefs): Promise<Tariffs> {
    // The prices as sold; when they name no tariff, the offering's at its sold version.
    let ratings = await this.usageRatings(db, refs.prices);
    if (Object.keys(ratings).length === 0) {
      const offering = await this.document(db, 'productOffering', refs.offering ?? undefined);
      ratings = await this.usageRatings(db, (offering?.productOfferingPrice as CatalogRef[] | undefined) ?? []);
    }
    return { ratings, timeZone: refs.timeZone ?? this.opts.defaultTimeZone };
  }

  private async usageRatings(db: Queryable, refs: CatalogRef[]): Promise<Partial<Record<ServiceType, Rating>>> {
    const ratings: Partial<Record<ServiceType, Rating>> = {};
    for (const ref of refs) {
      const p = await this.document(db, 'productOfferingPrice', ref);
      if (p?.priceType !== 'usage' || !p.rating || !p.usageType) continue;
      const type = p.usageType as ServiceType;
      ratings[type] ??= p.rating as Rating;
    }
    return ratings;
  }

  /** A catalog item at its version, or as it is now when that version was not recorded; cached as tariffs are. */
  private document(db: Queryable, resource: keyof typeof TABLE, ref: CatalogRef | undefined): Promise<Doc | undefined> {
    if (!ref?.id || !UUID.test(ref.id)) return Promise.resolve(undefined);
    const key = `${resource}|${ref.id}|${ref.version ?? ''}`;
    const hit = this.documents.get(key);
    if (hit && hit.expires > this.opts.now()) return hit.value;
    const value = this.readDocument(db, resource, ref.id, ref.version);
    value.catch(() => this.documents.delete(key));
    if (this.documents.size > 50_000) this.documents.clear();
    this.documents.set(key, { value, expires: this.opts.now() + this.opts.ttlMs });
    return value;
  }

  private async readDocument(db: Queryable, resource: keyof typeof TABLE, id: string, version: string | undefined): Promise<Doc | undefined> {
    const ref = { id, version };
    if (ref.version) {
      const { rows } = await db.query('SELECT body FROM catalog_version WHERE resource = $1 AND id = $2 AND version = $3', [resource, ref.id, ref.version]);
      if (rows[0]) return rows[0].body as Doc;
    }
    const { rows } = await db.query(`SELECT body FROM ${TABLE[resource]} WHERE id = $1`, [ref.id]);
    return rows[0]?.body as Doc | undefined;
  }
}
