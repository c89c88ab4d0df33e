/** Catalog offering views and prices for the ordering domain's unit tests, with defaults for what a test does not set. */
import type { OfferingView, PriceView } from '../../domain/ordering/types';

export const price = (id: string, priceType: PriceView['priceType'], amount?: string, extra: Partial<PriceView> = {}): PriceView => ({
  id,
  version: '1.0',
  name: id,
  priceType,
  amount,
  currency: 'EUR',
  taxRate: '21',
  ...extra,
});

export function offering(id: string, fields: Partial<OfferingView>): OfferingView {
  return {
    id,
    version: '1.0',
    name: id,
    lifecycleStatus: 'Launched',
    isSellable: true,
    isBundle: false,
    paymentType: 'any',
    requiresInstallation: false,
    fixedCharacteristics: {},
    choices: {},
    prices: [],
    bundled: [],
    ...fields,
  };
}
