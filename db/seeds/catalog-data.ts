/**
 * Seed data for the product catalog: the consumer catalog as TMF620 v4 documents (the server adds
 * `href`), plus our documented extensions:
 * - ProductOffering `paymentType`: 'prepaid' | 'postpaid' | 'any'.
 * - ProductSpecification `serviceType` and `requiresInstallation`; a plan's allowances are
 *   characteristics of its specification ('unlimited' when there is no cap).
 * - usage ProductOfferingPrice `usageType` and `rating` (tariff as data: bands tried in order, first
 *   match wins, catch-all last; rates are decimal strings per `unit` of the usage unit: seconds for
 *   voice, octets for data, events for SMS).
 *
 * Amounts are EUR before VAT (21%, carried in `tax`). Ids are fixed so that other seeds and tests
 * can point at them; the first group of each id names the kind of resource:
 * ca7a1000 catalog, ca7e0000 category, 5bec0000 specification, b1ce0000 price, 0ffe0000 offering.
 */

const SEEDED_AT = '2026-01-01T00:00:00.000Z';
const BRAND = 'Nimbus';

type Ref = { id: string; name: string };
type Doc = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Ids and names, defined once so that every reference carries the name of what it points at.

const CATALOG = {
  consumer: { id: 'ca7a1000-0000-4000-8000-000000000001', name: 'Consumer catalog' },
} satisfies Record<string, Ref>;

const CATEGORY = {
  mobile: { id: 'ca7e0000-0000-4000-8000-000000000001', name: 'Mobile' },
  prepaid: { id: 'ca7e0000-0000-4000-8000-000000000002', name: 'Prepaid' },
  postpaid: { id: 'ca7e0000-0000-4000-8000-000000000003', name: 'Postpaid' },
  broadband: { id: 'ca7e0000-0000-4000-8000-000000000004', name: 'Broadband' },
  content: { id: 'ca7e0000-0000-4000-8000-000000000005', name: 'Content' },
  bundles: { id: 'ca7e0000-0000-4000-8000-000000000006', name: 'Bundles' },
} satisfies Record<string, Ref>;

const SPEC = {
  prepaid10: { id: '5bec0000-0000-4000-8000-000000000001', name: 'Prepaid mobile 10 GB' },
  payg: { id: '5bec0000-0000-4000-8000-000000000002', name: 'Prepaid mobile pay-as-you-go' },
  postpaidUnlimited: { id: '5bec0000-0000-4000-8000-000000000003', name: 'Postpaid mobile unlimited' },
  postpaid20: { id: '5bec0000-0000-4000-8000-000000000004', name: 'Postpaid mobile 20 GB' },
  ftth1g: { id: '5bec0000-0000-4000-8000-000000000005', name: 'Fibre broadband 1 Gbps' },
  video: { id: '5bec0000-0000-4000-8000-000000000006', name: 'Video streaming' },
  sim: { id: '5bec0000-0000-4000-8000-000000000007', name: 'SIM card' },
  ftthInstallation: { id: '5bec0000-0000-4000-8000-000000000008', name: 'Fibre installation' },
} satisfies Record<string, Ref>;

const PRICE = {
  simFee: { id: 'b1ce0000-0000-4000-8000-000000000001', name: 'SIM card fee' },
  ftthInstallationFee: { id: 'b1ce0000-0000-4000-8000-000000000002', name: 'Fibre installation fee' },
  prepaid10Recurring: { id: 'b1ce0000-0000-4000-8000-000000000011', name: 'Prepaid 10 GB 30-day fee' },
  prepaid10Voice: { id: 'b1ce0000-0000-4000-8000-000000000012', name: 'Prepaid 10 GB out-of-bundle calls' },
  prepaid10Sms: { id: 'b1ce0000-0000-4000-8000-000000000013', name: 'Prepaid 10 GB out-of-bundle SMS' },
  prepaid10Data: { id: 'b1ce0000-0000-4000-8000-000000000014', name: 'Prepaid 10 GB out-of-bundle data' },
  paygVoice: { id: 'b1ce0000-0000-4000-8000-000000000021', name: 'Pay-as-you-go calls' },
  paygSms: { id: 'b1ce0000-0000-4000-8000-000000000022', name: 'Pay-as-you-go SMS' },
  paygData: { id: 'b1ce0000-0000-4000-8000-000000000023', name: 'Pay-as-you-go data' },
  unlimitedMonthly: { id: 'b1ce0000-0000-4000-8000-000000000031', name: 'Unlimited monthly fee' },
  unlimitedVoice: { id: 'b1ce0000-0000-4000-8000-000000000032', name: 'Unlimited premium and international calls' },
  unlimitedSms: { id: 'b1ce0000-0000-4000-8000-000000000033', name: 'Unlimited international SMS' },
  postpaid20Monthly: { id: 'b1ce0000-0000-4000-8000-000000000041', name: 'Postpaid 20 GB monthly fee' },
  postpaid20Voice: { id: 'b1ce0000-0000-4000-8000-000000000042', name: 'Postpaid 20 GB calls beyond allowance' },
  postpaid20Sms: { id: 'b1ce0000-0000-4000-8000-000000000043', name: 'Postpaid 20 GB international SMS' },
  postpaid20Data: { id: 'b1ce0000-0000-4000-8000-000000000044', name: 'Postpaid 20 GB data beyond allowance' },
  ftth1gMonthly: { id: 'b1ce0000-0000-4000-8000-000000000051', name: 'Fibre 1 Gbps monthly fee' },
  videoMonthly: { id: 'b1ce0000-0000-4000-8000-000000000061', name: 'Video streaming monthly fee' },
  fibreMobileDiscount: { id: 'b1ce0000-0000-4000-8000-000000000071', name: 'Fibre + Mobile 15% discount' },
} satisfies Record<string, Ref>;

const OFFERING = {
  prepaid10: { id: '0ffe0000-0000-4000-8000-000000000001', name: 'Prepaid 10 GB' },
  payg: { id: '0ffe0000-0000-4000-8000-000000000002', name: 'Prepaid Pay-as-you-go' },
  postpaidUnlimited: { id: '0ffe0000-0000-4000-8000-000000000003', name: 'Unlimited' },
  postpaid20: { id: '0ffe0000-0000-4000-8000-000000000004', name: 'Postpaid 20 GB' },
  ftth1g: { id: '0ffe0000-0000-4000-8000-000000000005', name: 'Fibre 1 Gbps' },
  video: { id: '0ffe0000-0000-4000-8000-000000000006', name: 'Video streaming add-on' },
  fibreMobile: { id: '0ffe0000-0000-4000-8000-000000000007', name: 'Fibre 1 Gbps + Mobile 20 GB' },
  sim: { id: '0ffe0000-0000-4000-8000-000000000008', name: 'SIM card' },
  ftthInstallation: { id: '0ffe0000-0000-4000-8000-000000000009', name: 'Fibre installation' },
} satisfies Record<string, Ref>;

// ---------------------------------------------------------------------------------------------
// Helpers for the attributes every document carries.

/** The attributes common to every TMF620 resource we seed. */
function base(type: string, item: Ref, description: string, lifecycleStatus = 'Launched'): Doc {
  return {
    id: item.id,
    '@type': type,
    name: item.name,
    description,
    lifecycleStatus,
    version: '1.0',
    lastUpdate: SEEDED_AT,
    validFor: { startDateTime: SEEDED_AT },
  };
}

/** A TMF reference: id and the name of the target. */
const ref = ({ id, name }: Ref): Ref => ({ id, name });

/** A fixed (non-configurable) characteristic with its single value. */
function fixed(name: string, description: string, value: string, unitOfMeasure?: string): Doc {
  return {
    name,
    description,
    valueType: 'string',
    configurable: false,
    productSpecCharacteristicValue: [
      { valueType: 'string', value, ...(unitOfMeasure === undefined ? {} : { unitOfMeasure }), isDefault: true },
    ],
  };
}

/** A characteristic the customer chooses when ordering; the first value is the default. */
function choice(name: string, description: string, values: string[]): Doc {
  return {
    name,
    description,
    valueType: 'string',
    configurable: true,
    productSpecCharacteristicValue: values.map((value, i) => ({ valueType: 'string', value, isDefault: i === 0 })),
  };
}

const MOBILE_TECHNOLOGY = fixed('technology', 'Radio access technology', '4G/5G');

function specification(
  item: Ref,
  description: string,
  productNumber: string,
  serviceType: 'mobile' | 'ftth' | 'content' | 'equipment' | 'fee',
  requiresInstallation: boolean,
  productSpecCharacteristic: Doc[],
): Doc {
  return {
    ...base('ProductSpecification', item, description),
    isBundle: false,
    brand: BRAND,
    productNumber,
    serviceType,
    requiresInstallation,
    productSpecCharacteristic,
  };
}

// Prices --------------------------------------------------------------------------------------

const VAT = [{ taxCategory: 'VAT', taxRate: 21 }];
const money = (value: number) => ({ unit: 'EUR', value });

function price(item: Ref, description: string, fields: Doc): Doc {
  return { ...base('ProductOfferingPrice', item, description), isBundle: false, ...fields, tax: VAT };
}

function oneTime(item: Ref, description: string, amount: number): Doc {
  return price(item, description, { priceType: 'oneTime', price: money(amount) });
}

function recurring(item: Ref, description: string, amount: number, periodType: 'month' | 'day', periodLength: number): Doc {
  return price(item, description, {
    priceType: 'recurring',
    price: money(amount),
    recurringChargePeriodType: periodType,
    recurringChargePeriodLength: periodLength,
  });
}

type Slot = { start: number; rate: string; unit: number; increment: number };
type Band = {
  name: string;
  daysOfWeek?: number[];
  startTime?: string;
  endTime?: string;
  destinationPrefixes?: string[];
  slots: Slot[];
};
type Rating = { connectFee: string; bands: Band[] };

const MB = 1_048_576;
const USAGE_UNIT = { voice: 'min', sms: 'SMS', data: 'MB' } as const;

/** Voice: the first minute is charged in full, then per second. */
const perMinute = (rate: string): Slot[] => [
  { start: 0, rate, unit: 60, increment: 60 },
  { start: 60, rate, unit: 60, increment: 1 },
];
const perSms = (rate: string): Slot[] => [{ start: 0, rate, unit: 1, increment: 1 }];
/** Data: priced per MB, counted in 1 KB steps. */
const perMb = (rate: string): Slot[] => [{ start: 0, rate, unit: MB, increment: 1024 }];

const WEEKDAY_DAYTIME = { daysOfWeek: [1, 2, 3, 4, 5], startTime: '08:00', endTime: '20:00' };
const NATIONAL = ['+34'];
const FREEPHONE = ['+34800', '+34900'];
// Spanish 90x shared-cost/special numbers (900 is caught first by FREEPHONE) and 80x premium.
const PREMIUM = ['+3490', '+34803', '+34806', '+34807'];

/**
 * Call bands: freephone and premium numbers first, then national (split into peak and off-peak
 * when `nationalOffPeak` is given), and every other destination as international.
 */
function voiceRating(rates: { national: string; nationalOffPeak?: string; premium: string; international: string }): Rating {
  const national: Band[] =
    rates.nationalOffPeak === undefined
      ? [{ name: 'national', destinationPrefixes: NATIONAL, slots: perMinute(rates.national) }]
      : [
          { name: 'national-peak', ...WEEKDAY_DAYTIME, destinationPrefixes: NATIONAL, slots: perMinute(rates.national) },
          { name: 'national-off-peak', destinationPrefixes: NATIONAL, slots: perMinute(rates.nationalOffPeak) },
        ];
  return {
    connectFee: '0.00',
    bands: [
      { name: 'freephone', destinationPrefixes: FREEPHONE, slots: perMinute('0.00') },
      { name: 'premium', destinationPrefixes: PREMIUM, slots: perMinute(rates.premium) },
      ...national,
      { name: 'international', slots: perMinute(rates.international) },
    ],
  };
}

function smsRating(rates: { national: string; international: string }): Rating {
  return {
    connectFee: '0.00',
    bands: [
      { name: 'national', destinationPrefixes: NATIONAL, slots: perSms(rates.national) },
      { name: 'international', slots: perSms(rates.international) },
    ],
  };
}

function dataRating(ratePerMb: string): Rating {
  return { connectFee: '0.00', bands: [{ name: 'any', slots: perMb(ratePerMb) }] };
}

/**
 * A usage price. `rating` is authoritative; `price` (per `unitOfMeasure`) repeats the rate of the
 * `headlineBand` for TMF clients that only read the standard attributes.
 */
function usage(item: Ref, description: string, usageType: 'voice' | 'data' | 'sms', rating: Rating, headlineBand: string): Doc {
  const band = rating.bands.find((b) => b.name === headlineBand);
  if (band === undefined) throw new Error(`${item.name}: no band ${headlineBand}`);
  return price(item, description, {
    priceType: 'usage',
    price: money(Number(band.slots[band.slots.length - 1].rate)),
    unitOfMeasure: { amount: 1, units: USAGE_UNIT[usageType] },
    usageType,
    rating,
  });
}

// Offerings -----------------------------------------------------------------------------------

function offering(
  item: Ref,
  description: string,
  fields: {
    paymentType: 'prepaid' | 'postpaid' | 'any';
    isSellable?: boolean;
    productSpecification: Ref;
    productOfferingPrice: Ref[];
    category: Ref[];
  },
): Doc {
  return {
    ...base('ProductOffering', item, description),
    isBundle: false,
    isSellable: fields.isSellable ?? true,
    paymentType: fields.paymentType,
    productSpecification: { ...ref(fields.productSpecification), '@referredType': 'ProductSpecification' },
    productOfferingPrice: fields.productOfferingPrice.map(ref),
    category: fields.category.map(ref),
  };
}

// ---------------------------------------------------------------------------------------------

/** The seeded consumer catalog (TMF620 v4 documents plus our documented extensions). */
export const catalogSeed = {
  catalog: [
    {
      ...base('Catalog', CATALOG.consumer, 'Mobile, fibre broadband and content offerings for residential customers.', 'Active'),
      catalogType: 'ProductCatalog',
      category: Object.values(CATEGORY).map(ref),
    },
  ],

  category: [
    {
      ...base('Category', CATEGORY.mobile, 'Mobile lines, prepaid and postpaid.', 'Active'),
      isRoot: true,
      subCategory: [ref(CATEGORY.prepaid), ref(CATEGORY.postpaid)],
      productOffering: [OFFERING.prepaid10, OFFERING.payg, OFFERING.postpaidUnlimited, OFFERING.postpaid20, OFFERING.sim].map(ref),
    },
    {
      ...base('Category', CATEGORY.prepaid, 'Prepaid mobile: pay before you use, top up any time.', 'Active'),
      isRoot: false,
      parentId: CATEGORY.mobile.id,
      productOffering: [OFFERING.prepaid10, OFFERING.payg].map(ref),
    },
    {
      ...base('Category', CATEGORY.postpaid, 'Postpaid mobile: monthly plans billed in arrears.', 'Active'),
      isRoot: false,
      parentId: CATEGORY.mobile.id,
      productOffering: [OFFERING.postpaidUnlimited, OFFERING.postpaid20].map(ref),
    },
    {
      ...base('Category', CATEGORY.broadband, 'Fixed broadband at home.', 'Active'),
      isRoot: true,
      productOffering: [OFFERING.ftth1g, OFFERING.ftthInstallation].map(ref),
    },
    {
      ...base('Category', CATEGORY.content, 'Content add-ons for any mobile or broadband service.', 'Active'),
      isRoot: true,
      productOffering: [ref(OFFERING.video)],
    },
    {
      ...base('Category', CATEGORY.bundles, 'Fibre and mobile together, for less.', 'Active'),
      isRoot: true,
      productOffering: [ref(OFFERING.fibreMobile)],
    },
  ],

  productSpecification: [
    specification(SPEC.prepaid10, 'Prepaid mobile line with 10 GB, 300 national minutes and 100 national SMS every 30 days.', 'MOB-PRE-10GB', 'mobile', false, [
      fixed('dataAllowance', 'Data included per 30-day period', '10', 'GB'),
      fixed('voiceAllowance', 'National call minutes included per 30-day period', '300', 'minutes'),
      fixed('smsAllowance', 'National SMS included per 30-day period', '100', 'SMS'),
      fixed('allowancePeriod', 'Length of the period the allowances are granted for', '30', 'days'),
      MOBILE_TECHNOLOGY,
    ]),
    specification(SPEC.payg, 'Prepaid mobile line without allowances: calls, SMS and data are charged from the balance as used.', 'MOB-PRE-PAYG', 'mobile', false, [
      MOBILE_TECHNOLOGY,
    ]),
    specification(SPEC.postpaidUnlimited, 'Postpaid mobile line with unlimited data, national calls and national SMS.', 'MOB-POST-UNL', 'mobile', false, [
      fixed('dataAllowance', 'Data included per month', 'unlimited', 'GB'),
      fixed('voiceAllowance', 'National call minutes included per month', 'unlimited', 'minutes'),
      fixed('smsAllowance', 'National SMS included per month', 'unlimited', 'SMS'),
      MOBILE_TECHNOLOGY,
    ]),
    specification(SPEC.postpaid20, 'Postpaid mobile line with 20 GB, 1000 national minutes and unlimited national SMS per month.', 'MOB-POST-20GB', 'mobile', false, [
      fixed('dataAllowance', 'Data included per month', '20', 'GB'),
      fixed('voiceAllowance', 'National call minutes included per month', '1000', 'minutes'),
      fixed('smsAllowance', 'National SMS included per month', 'unlimited', 'SMS'),
      MOBILE_TECHNOLOGY,
    ]),
    specification(SPEC.ftth1g, 'Symmetric 1 Gbps fibre-to-the-home broadband with Wi-Fi router; needs a technician visit to install.', 'FTTH-1G', 'ftth', true, [
      fixed('downloadSpeed', 'Maximum download speed', '1000', 'Mbps'),
      fixed('uploadSpeed', 'Maximum upload speed', '1000', 'Mbps'),
      fixed('technology', 'Access technology', 'FTTH'),
    ]),
    specification(SPEC.video, 'Video streaming service: films and series on demand.', 'CNT-VIDEO', 'content', false, [
      fixed('concurrentStreams', 'Devices that can watch at the same time', '2', 'streams'),
      fixed('videoQuality', 'Best available picture quality', 'HD'),
    ]),
    specification(SPEC.sim, 'SIM card for a mobile line: a physical triple-cut SIM posted to the customer, or an eSIM.', 'EQP-SIM', 'equipment', false, [
      choice('simType', 'Physical SIM or eSIM', ['physical', 'eSIM']),
    ]),
    specification(SPEC.ftthInstallation, 'Standard fibre installation: technician visit, ONT and Wi-Fi router set up in the home.', 'FEE-FTTH-INST', 'fee', false, [
      fixed('installationType', 'Kind of installation carried out', 'standard'),
    ]),
  ],

  productOfferingPrice: [
    // One-time fees, referenced by every offering that needs them.
    oneTime(PRICE.simFee, 'One-time fee for the SIM card of a new mobile line (5.00 EUR + VAT).', 5),
    oneTime(PRICE.ftthInstallationFee, 'One-time fee for the fibre installation visit (60.00 EUR + VAT).', 60),

    // Prepaid 10 GB.
    recurring(PRICE.prepaid10Recurring, '15.00 EUR + VAT every 30 days, taken from the prepaid balance; renews the 10 GB / 300 min / 100 SMS allowances.', 15, 'day', 30),
    usage(
      PRICE.prepaid10Voice,
      'Calls once the 300 national minutes are used up, and calls the allowance does not cover (premium and international): per minute, first minute in full then per second.',
      'voice',
      voiceRating({ national: '0.10', premium: '0.45', international: '0.60' }),
      'national',
    ),
    usage(PRICE.prepaid10Sms, 'SMS once the 100 national SMS are used up, and international SMS: per message.', 'sms', smsRating({ national: '0.10', international: '0.30' }), 'national'),
    usage(PRICE.prepaid10Data, 'Data once the 10 GB are used up: per MB, counted in 1 KB steps.', 'data', dataRating('0.01'), 'any'),

    // Pay-as-you-go.
    usage(
      PRICE.paygVoice,
      'Calls per minute, first minute in full then per second: national 0.12 EUR weekdays 08:00-20:00 and 0.06 EUR otherwise; freephone free; premium 0.45 EUR; international 0.60 EUR (all + VAT).',
      'voice',
      voiceRating({ national: '0.12', nationalOffPeak: '0.06', premium: '0.45', international: '0.60' }),
      'national-peak',
    ),
    usage(PRICE.paygSms, 'SMS per message: national 0.09 EUR, international 0.30 EUR (+ VAT).', 'sms', smsRating({ national: '0.09', international: '0.30' }), 'national'),
    usage(PRICE.paygData, 'Data per MB, counted in 1 KB steps: 0.03 EUR + VAT.', 'data', dataRating('0.03'), 'any'),

    // Postpaid unlimited.
    recurring(PRICE.unlimitedMonthly, '45.00 EUR + VAT per month.', 45, 'month', 1),
    usage(
      PRICE.unlimitedVoice,
      'National calls are included (rated at zero); premium and international calls are charged per minute, first minute in full then per second.',
      'voice',
      voiceRating({ national: '0.00', premium: '0.45', international: '0.50' }),
      'international',
    ),
    usage(PRICE.unlimitedSms, 'National SMS are included (rated at zero); international SMS are charged per message.', 'sms', smsRating({ national: '0.00', international: '0.30' }), 'international'),

    // Postpaid 20 GB.
    recurring(PRICE.postpaid20Monthly, '25.00 EUR + VAT per month.', 25, 'month', 1),
    usage(
      PRICE.postpaid20Voice,
      'Calls beyond the 1000 national minutes, and premium and international calls: per minute, first minute in full then per second.',
      'voice',
      voiceRating({ national: '0.08', premium: '0.45', international: '0.50' }),
      'national',
    ),
    usage(PRICE.postpaid20Sms, 'National SMS are unlimited (rated at zero); international SMS are charged per message.', 'sms', smsRating({ national: '0.00', international: '0.30' }), 'international'),
    usage(PRICE.postpaid20Data, 'Data beyond the 20 GB: per MB, counted in 1 KB steps.', 'data', dataRating('0.01'), 'any'),

    // Fibre, content and the bundle.
    recurring(PRICE.ftth1gMonthly, '35.00 EUR + VAT per month.', 35, 'month', 1),
    recurring(PRICE.videoMonthly, '7.99 EUR + VAT per month.', 7.99, 'month', 1),
    price(
      PRICE.fibreMobileDiscount,
      '15% off the monthly fees of the bundled Fibre 1 Gbps (35.00) and Postpaid 20 GB (25.00) offerings: 60.00 becomes 51.00 EUR + VAT per month. One-time fees and usage are not discounted.',
      {
        priceType: 'discount',
        percentage: 15,
        recurringChargePeriodType: 'month',
        recurringChargePeriodLength: 1,
        popRelationship: [
          { ...ref(PRICE.ftth1gMonthly), relationshipType: 'discounts' },
          { ...ref(PRICE.postpaid20Monthly), relationshipType: 'discounts' },
        ],
      },
    ),
  ],

  productOffering: [
    offering(OFFERING.prepaid10, 'Prepaid mobile: 10 GB, 300 national minutes and 100 national SMS for 15.00 EUR + VAT every 30 days. SIM card 5.00 EUR + VAT.', {
      paymentType: 'prepaid',
      productSpecification: SPEC.prepaid10,
      productOfferingPrice: [PRICE.prepaid10Recurring, PRICE.prepaid10Voice, PRICE.prepaid10Sms, PRICE.prepaid10Data, PRICE.simFee],
      category: [CATEGORY.mobile, CATEGORY.prepaid],
    }),
    offering(OFFERING.payg, 'Prepaid mobile with no fee: pay only for what you use from your balance. SIM card 5.00 EUR + VAT.', {
      paymentType: 'prepaid',
      productSpecification: SPEC.payg,
      productOfferingPrice: [PRICE.paygVoice, PRICE.paygSms, PRICE.paygData, PRICE.simFee],
      category: [CATEGORY.mobile, CATEGORY.prepaid],
    }),
    offering(OFFERING.postpaidUnlimited, 'Unlimited data, national calls and national SMS for 45.00 EUR + VAT a month. SIM card 5.00 EUR + VAT.', {
      paymentType: 'postpaid',
      productSpecification: SPEC.postpaidUnlimited,
      productOfferingPrice: [PRICE.unlimitedMonthly, PRICE.unlimitedVoice, PRICE.unlimitedSms, PRICE.simFee],
      category: [CATEGORY.mobile, CATEGORY.postpaid],
    }),
    offering(OFFERING.postpaid20, '20 GB, 1000 national minutes and unlimited national SMS for 25.00 EUR + VAT a month. SIM card 5.00 EUR + VAT.', {
      paymentType: 'postpaid',
      productSpecification: SPEC.postpaid20,
      productOfferingPrice: [PRICE.postpaid20Monthly, PRICE.postpaid20Voice, PRICE.postpaid20Sms, PRICE.postpaid20Data, PRICE.simFee],
      category: [CATEGORY.mobile, CATEGORY.postpaid],
    }),
    offering(OFFERING.ftth1g, 'Symmetric 1 Gbps fibre for 35.00 EUR + VAT a month, Wi-Fi router included. Installation 60.00 EUR + VAT.', {
      paymentType: 'postpaid',
      productSpecification: SPEC.ftth1g,
      productOfferingPrice: [PRICE.ftth1gMonthly, PRICE.ftthInstallationFee],
      category: [CATEGORY.broadband],
    }),
    offering(OFFERING.video, 'Films and series on demand on two screens at once, for 7.99 EUR + VAT a month. An add-on to a mobile or broadband service.', {
      paymentType: 'any',
      productSpecification: SPEC.video,
      productOfferingPrice: [PRICE.videoMonthly],
      category: [CATEGORY.content],
    }),
    {
      ...base(
        'ProductOffering',
        OFFERING.fibreMobile,
        'Fibre 1 Gbps and a Postpaid 20 GB mobile line together, with 15% off both monthly fees: 51.00 EUR + VAT a month instead of 60.00. Installation and SIM card fees as for the bundled offerings.',
      ),
      isBundle: true,
      isSellable: true,
      paymentType: 'postpaid',
      bundledProductOffering: [OFFERING.ftth1g, OFFERING.postpaid20].map(ref),
      productOfferingPrice: [ref(PRICE.fibreMobileDiscount)],
      category: [ref(CATEGORY.bundles)],
    },
    // Components: charged through the offerings that reference their fee; not sold on their own.
    offering(OFFERING.sim, 'SIM card for a new mobile line. Not sold on its own: its fee is charged with each mobile offering.', {
      paymentType: 'any',
      isSellable: false,
      productSpecification: SPEC.sim,
      productOfferingPrice: [PRICE.simFee],
      category: [CATEGORY.mobile],
    }),
    offering(OFFERING.ftthInstallation, 'Fibre installation visit. Not sold on its own: its fee is charged with each fibre offering.', {
      paymentType: 'postpaid',
      isSellable: false,
      productSpecification: SPEC.ftthInstallation,
      productOfferingPrice: [PRICE.ftthInstallationFee],
      category: [CATEGORY.broadband],
    }),
  ],
} satisfies Record<string, Array<Record<string, unknown>>>;
