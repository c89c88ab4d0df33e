/**
 * The tariffs a subscriber is rated with: the usage prices of its product (TMF637) at the version
 * they were sold at, read from the catalog once and cached. Tariffs are versioned data, not
 * balances, so a cache cannot miss a credit; a short time to live picks up a changed product.
 * An entry past its time to live is still answered at once while it is read again beside the
 * request: a subscriber's requests are minutes apart, so otherwise nearly every one would wait for
 * the product's and the account's queries before it could be charged.
 */
import type pg from 'pg';

/** Where tariffs are read. */
type Queryable = Pick<pg.Pool, 'query'>;
import type { Rating } from '../../domain/rating';
import type { Tariffs } from './plan';
import type { ServiceType } from './types';

type Doc = Record<string, unknown>;
type Ref = { id?: string; version?: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TABLE = { productOffering: 'catalog_product_offering', productOfferingPrice: 'catalog_product_offering_price' } as const;

/** Caches tariffs per product and time zones per billing account. */
export class TariffCache {
  private readonly entries = new Map<string, { value: Promise<Tariffs>; expires: number; refreshing?: boolean }>();
  /** Catalog items by resource, id and version: many products share an offering and its prices. */
  private readonly documents = new Map<string, { value: Promise<Doc | undefined>; expires: number }>();

  constructor(
    private readonly opts: { ttlMs: number; defaultTimeZone: string; now: () => number },
  ) {}

  /** Tariffs of a product (none for an unknown product) in the billing account's time zone. */
  tariffsOf(db: Queryable, productId: string | null, billingAccountId: string): Promise<Tariffs> {
    const key = `${productId ?? ''}|${billingAccountId}`;
    const hit = this.entries.get(key);
    if (hit) {
      if (hit.expires <= this.opts.now() && !hit.refreshing) this.refresh(db, key, hit, productId, billingAccountId);
      return hit.value;
    }
    const value = this.load(db, productId, billingAccountId);
    // A failed load is not kept: the next request tries again.
    value.catch(() => this.entries.delete(key));
    if (this.entries.size > 50_000) this.entries.clear();
    this.entries.set(key, { value, expires: this.opts.now() + this.opts.ttlMs });
    return value;
  }

  /** Reads an expired entry again; until that is done (or if it fails) the entry keeps its tariffs. */
  private refresh(db: Queryable, key: string, entry: { refreshing?: boolean }, productId: string | null, billingAccountId: string): void {
    entry.refreshing = true;
    this.load(db, productId, billingAccountId).then(
      (tariffs) => this.entries.set(key, { value: Promise.resolve(tariffs), expires: this.opts.now() + this.opts.ttlMs }),
      () => (entry.refreshing = false),
    );
  }

  /** Forgets everything (after a catalog or product change that must apply at once). */
  clear(): void {
    this.entries.clear();
    this.documents.clear();
  }

  private async load(db: Queryable, productId: string | null, billingAccountId: string): Promise<Tariffs> {
    const ratings = productId ? await this.ratingsOf(db, productId) : {};
    const timeZone = await this.timeZoneOf(db, billingAccountId);
    return { ratings, timeZone };
  }

  private async timeZoneOf(db: Queryable, billingAccountId: string): Promise<string> {
    if (!UUID.test(billingAccountId)) return this.opts.defaultTimeZone;
    const { rows } = await db.query(`SELECT body #>> '{billStructure,timeZone}' AS tz FROM crm_billing_account WHERE id = $1`, [billingAccountId]);
    return (rows[0]?.tz as string | null) ?? this.opts.defaultTimeZone;
  }

  private async ratingsOf(db: Queryable, productId: string): Promise<Partial<Record<ServiceType, Rating>>> {
    if (!UUID.test(productId)) return {};
    const { rows } = await db.query('SELECT body FROM product_inventory WHERE id = $1', [productId]);
    const product = rows[0]?.body as Doc | undefined;
    if (!product) return {};
    // The prices as sold; when they name no tariff, the offering's at its sold version.
    const sold = ((product.productPrice as Array<{ productOfferingPrice?: Ref }> | undefined) ?? []).map((p) => p.productOfferingPrice).filter((r): r is Ref => !!r?.id);
    let ratings = await this.usageRatings(db, sold);
    if (Object.keys(ratings).length === 0) {
      const offering = await this.document(db, 'productOffering', product.productOffering as Ref | undefined);
      ratings = await this.usageRatings(db, (offering?.productOfferingPrice as Ref[] | undefined) ?? []);
    }
    return ratings;
  }

  private async usageRatings(db: Queryable, refs: Ref[]): Promise<Partial<Record<ServiceType, Rating>>> {
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
  private document(db: Queryable, resource: keyof typeof TABLE, ref: Ref | undefined): Promise<Doc | undefined> {
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
