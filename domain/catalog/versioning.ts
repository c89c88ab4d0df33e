/**
 * Catalog versioning: once an offering or price has been sold (its status is or was `Launched`),
 * its commercial terms never change in place. A change to them makes the next major version under
 * the same id; whatever was sold keeps pointing at (id, version).
 */

/** Statuses under which an item may have been sold. */
const SOLD_STATUSES = new Set(['Launched', 'Retired', 'Obsolete']);

/** Attributes that define what a customer pays or gets, per catalog resource. */
export const COMMERCIAL_TERMS: Record<string, readonly string[]> = {
  productOffering: ['productSpecification', 'productOfferingPrice', 'bundledProductOffering', 'prodSpecCharValueUse', 'productOfferingTerm', 'paymentType', 'isBundle'],
  productOfferingPrice: [
    'priceType', 'price', 'percentage', 'recurringChargePeriodType', 'recurringChargePeriodLength',
    'unitOfMeasure', 'tax', 'bundledPopRelationship', 'popRelationship', 'prodSpecCharValueUse', 'usageType', 'rating',
  ],
  productSpecification: ['productSpecCharacteristic', 'bundledProductSpecification', 'serviceType', 'requiresInstallation'],
};

type Doc = Record<string, unknown>;

/** JSON equality that ignores key order. */
function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Doc).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** "1.0" → "2.0", "3" → "4", "2.5.1" → "3.0"; anything unparseable starts again at "2.0". */
export function nextMajorVersion(version: unknown): string {
  const major = typeof version === 'string' ? Number.parseInt(version, 10) : NaN;
  return Number.isFinite(major) ? `${major + 1}.0` : '2.0';
}

/** Whether the item may have been sold, so that its version is frozen. */
export function isVersionFrozen(doc: Doc): boolean {
  return SOLD_STATUSES.has(String(doc.lifecycleStatus));
}

/**
 * The version the updated document must carry. While an item may have been sold, the version is
 * the server's: kept for a change of name, status or dates; the next major for a change of terms.
 */
export function versionAfterUpdate(resource: string, before: Doc, after: Doc): string | undefined {
  if (!isVersionFrozen(before)) return after.version as string | undefined;
  const terms = COMMERCIAL_TERMS[resource] ?? [];
  const changed = terms.some((t) => !sameJson(before[t], after[t]));
  return changed ? nextMajorVersion(before.version) : (before.version as string | undefined);
}
