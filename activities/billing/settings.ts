/** What a bill says about the operator and its terms: the same on every bill of a run. */
export interface BillingSettings {
  /** Printed at the top of the bill and in the mail. */
  operatorName: string;
  operatorAddress: string[];
  operatorTaxId: string;
  /** Where transfers are paid to; the bill number is the transfer reference. */
  iban: string;
  /** Where a customer pays by card. */
  selfCareUrl: string;
  /** Days from the issue date to the due date. */
  dueDays: number;
  /** Tax rate (percent) for usage whose price is not among the account's sold prices. */
  defaultTaxRate: string;
}

/** The settings of the default installation (the embedded `npm start`). */
export function defaultBillingSettings(publicUrl: string): BillingSettings {
  return {
    operatorName: 'BSS Telecom',
    operatorAddress: ['Calle de Alcalá 1', '28014 Madrid', 'Spain'],
    operatorTaxId: 'ESA00000000',
    iban: 'ES91 2100 0418 4502 0005 1332',
    selfCareUrl: `${publicUrl}/self-care`,
    dueDays: 14,
    defaultTaxRate: '21',
  };
}
