import { pdfTextRuns } from '../../test/helpers/pdf-text';
import { computeBill } from '../../domain/billing/bill';
import type { BillStatement } from '../../domain/billing/statement';
import { printAmount, renderBillPdf } from './bill-pdf';
import { defaultBillingSettings } from './settings';

const settings = defaultBillingSettings('https://bss.example.com');

function statement(language: string, previousBalance: string): BillStatement {
  const cycle = { start: '2026-11-01', end: '2026-12-01' };
  const computed = computeBill({
    cycle,
    currency: 'EUR',
    subscriptions: [{ id: 's', orderId: 'o', productKey: 'item-1', offeringId: 'f', startDate: '2026-11-17', status: 'active', prices: [{ id: 'p', version: '1', name: 'Fibra 1 Gbps cuota mensual', priceType: 'recurring', amount: '1234.00', currency: 'EUR', taxRate: '21', period: { type: 'month', length: 1 } }] }],
    oneTimeCharges: [],
    usage: [],
    previousBalance,
    periodEntries: [],
    issueDate: cycle.end,
    dueDays: 14,
    defaultTaxRate: '21',
  });
  return { ...computed, billNo: 'B-0000000007', billingAccountId: 'acc-1', customer: { id: 'cust-1', name: 'José Núñez', address: { street: 'Calle Mayor 1', postCode: '28013', city: 'Madrid', country: 'ES' } }, language, currency: 'EUR', timeZone: 'Europe/Madrid', cycle, issueDate: cycle.end };
}

describe('printAmount', () => {
  it.each([
    ['1234.5', 'en', '1,234.50 EUR'],
    ['1234.5', 'es', '1.234,50 EUR'],
    ['-9.75', 'es', '-9,75 EUR'],
    ['0', 'en', '0.00 EUR'],
    ['1234567.891', 'en', '1,234,567.89 EUR'],
  ] as const)('%s in %s → %s', (value, lang, expected) => expect(printAmount(value, 'EUR', lang)).toBe(expected));
});

describe('renderBillPdf', () => {
  it('prints a Spanish bill in Spanish, with Spanish dates and amounts', async () => {
    const s = statement('es', '0.00');
    // 1234.00 × 14/30 = 575.87; IVA 120.93; total 696.80.
    expect(s.totals).toMatchObject({ net: '575.87', tax: '120.93', charges: '696.80', amountDue: '696.80' });
    const pdf = await renderBillPdf(s, settings);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfTextRuns(pdf).join('\n');
    for (const expected of ['Factura B-0000000007', 'José Núñez', 'Periodo facturado: 01/11/2026 - 30/11/2026', 'Fecha de vencimiento: 15/12/2026', 'Fibra 1 Gbps cuota mensual (14 de 30 días)', '575,87 EUR', 'IVA 21% sobre 575,87 EUR', '120,93 EUR', 'Importe a pagar', '696,80 EUR', 'con la referencia B-0000000007']) {
      expect(text).toContain(expected);
    }
  });

  it('a credit is shown as such, with nothing to pay', async () => {
    const text = pdfTextRuns(await renderBillPdf(statement('en', '-1000.00'), settings)).join('\n');
    expect(text).toContain('Credit in your favour');
    expect(text).toContain('303.20 EUR'); // 1000.00 − 696.80
    expect(text).toContain('There is nothing to pay');
    expect(text).not.toContain('By bank transfer');
  });

  it('renders the same bill to the same bytes', async () => {
    const s = statement('en', '0.00');
    expect((await renderBillPdf(s, settings)).equals(await renderBillPdf(s, settings))).toBe(true);
  });
});
