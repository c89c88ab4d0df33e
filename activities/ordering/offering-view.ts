/** The catalog as order rules see it: TMF620 documents turned into plain OfferingViews. */
import type { TmfDocument } from '../../db/tmf-resources';
import type { OfferingView, PriceView } from '../../domain/ordering/types';
import type { CatalogReader, OfferingSnapshot } from '../catalog/catalog-reader';

type Characteristic = { name: string; configurable?: boolean; productSpecCharacteristicValue?: Array<{ value: unknown; isDefault?: boolean }> };

/** A TMF620 ProductOfferingPrice as order rules (and sold prices) see it. */
export function priceView(doc: TmfDocument): PriceView {
  const amount = (doc.price as { value?: number | string; unit?: string } | undefined) ?? undefined;
  const tax = (doc.tax as Array<{ taxRate?: number | string }> | undefined)?.[0];
  const periodType = doc.recurringChargePeriodType as 'day' | 'month' | undefined;
  return {
    id: String(doc.id),
    version: String(doc.version ?? '1.0'),
    name: String(doc.name ?? doc.id),
    priceType: doc.priceType as PriceView['priceType'],
    amount: amount?.value === undefined ? undefined : String(amount.value),
    currency: amount?.unit,
    taxRate: tax?.taxRate === undefined ? '0' : String(tax.taxRate),
    period: periodType ? { type: periodType, length: Number(doc.recurringChargePeriodLength ?? 1) } : undefined,
    percentage: doc.percentage === undefined ? undefined : String(doc.percentage),
    discounts: (doc.popRelationship as Array<{ id: string; relationshipType?: string }> | undefined)?.filter((r) => r.relationshipType === 'discounts').map((r) => r.id),
    usageType: doc.usageType as PriceView['usageType'],
    rating: doc.rating as PriceView['rating'],
  };
}

function view(snapshot: OfferingSnapshot, bundled: Array<OfferingView | undefined>): OfferingView {
  const { offering, specification, prices } = snapshot;
  const fixedCharacteristics: Record<string, string> = {};
  const choices: Record<string, string[]> = {};
  for (const c of (specification?.productSpecCharacteristic as Characteristic[] | undefined) ?? []) {
    const values = (c.productSpecCharacteristicValue ?? []).map((v) => String(v.value));
    if (c.configurable) choices[c.name] = values;
    else if (values.length) fixedCharacteristics[c.name] = values[0];
  }
  return {
    id: String(offering.id),
    version: String(offering.version ?? '1.0'),
    name: String(offering.name ?? offering.id),
    lifecycleStatus: String(offering.lifecycleStatus ?? ''),
    isSellable: offering.isSellable !== false,
    isBundle: offering.isBundle === true,
    paymentType: (offering.paymentType as OfferingView['paymentType']) ?? 'any',
    serviceType: specification?.serviceType as OfferingView['serviceType'],
    requiresInstallation: specification?.requiresInstallation === true,
    specificationId: specification ? String(specification.id) : undefined,
    specificationCode: specification?.productNumber as string | undefined,
    fixedCharacteristics,
    choices,
    prices: prices.map(priceView),
    bundled,
  };
}

/** Every offering the order names, bundles with their components; undefined for those the catalog lacks. */
export async function loadOfferingViews(reader: CatalogReader, offeringIds: string[]): Promise<Map<string, OfferingView | undefined>> {
  const views = new Map<string, OfferingView | undefined>();
  for (const id of new Set(offeringIds)) {
    const snapshot = await reader.offeringSnapshot(id);
    if (!snapshot) {
      views.set(id, undefined);
      continue;
    }
    const refs = (snapshot.offering.bundledProductOffering as Array<{ id: string }> | undefined) ?? [];
    const bundled: Array<OfferingView | undefined> = [];
    for (const ref of refs) {
      const component = await reader.offeringSnapshot(ref.id);
      bundled.push(component && view(component, []));
    }
    views.set(id, view(snapshot, bundled));
  }
  return views;
}
