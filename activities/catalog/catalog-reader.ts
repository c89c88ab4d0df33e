/**
 * How other domains read the catalog: the current offering with its prices resolved, and any
 * item at the version it was sold at. Versions of sold items do not change their terms, so they
 * are cached; current documents are cached briefly because orders read them on every line.
 */
import { findCatalogVersion } from '../../db/catalog-versions';
import type { Db } from '../../db/knex';
import { findResource, type TmfDocument } from '../../db/tmf-resources';

const TABLES = {
  productOffering: 'catalog_product_offering',
  productOfferingPrice: 'catalog_product_offering_price',
  productSpecification: 'catalog_product_specification',
} as const;

export type CatalogResource = keyof typeof TABLES;

/** An offering as it is sold now: the offering, its specification and its prices, each with its version. */
export interface OfferingSnapshot {
  offering: TmfDocument;
  specification?: TmfDocument;
  prices: TmfDocument[];
}

interface Entry {
  value: TmfDocument | undefined;
  expires: number;
}

export class CatalogReader {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly db: Db,
    private readonly ttlMs = 5000,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = 5000,
  ) {}

  private async cached(key: string, load: () => Promise<TmfDocument | undefined>): Promise<TmfDocument | undefined> {
    const hit = this.cache.get(key);
    if (hit && hit.expires > this.now()) return hit.value;
    const value = await load();
    if (this.cache.size >= this.maxEntries) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, { value, expires: this.now() + this.ttlMs });
    return value;
  }

  /** The current document, or undefined. */
  current(resource: CatalogResource, id: string): Promise<TmfDocument | undefined> {
    return this.cached(`${resource}/${id}`, () => findResource(this.db, TABLES[resource], id));
  }

  /** The item as it was at a version (what a sold product keeps), or undefined. */
  atVersion(resource: CatalogResource, id: string, version: string): Promise<TmfDocument | undefined> {
    return this.cached(`${resource}/${id}@${version}`, () => findCatalogVersion(this.db, resource, id, version));
  }

  /** The offering with its specification and prices, as they are now; undefined if it does not exist. */
  async offeringSnapshot(offeringId: string): Promise<OfferingSnapshot | undefined> {
    const offering = await this.current('productOffering', offeringId);
    if (!offering) return undefined;
    const specRef = offering.productSpecification as { id?: string } | undefined;
    const specification = specRef?.id ? await this.current('productSpecification', specRef.id) : undefined;
    const priceRefs = (offering.productOfferingPrice as Array<{ id: string }> | undefined) ?? [];
    const prices = await Promise.all(priceRefs.map((r) => this.current('productOfferingPrice', r.id)));
    const missing = priceRefs.filter((_, i) => !prices[i]).map((r) => r.id);
    if (missing.length) throw new Error(`offering ${offeringId} names prices that do not exist: ${missing.join(', ')}`);
    return { offering, specification, prices: prices as TmfDocument[] };
  }
}
