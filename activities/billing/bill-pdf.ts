/**
 * The bill as a PDF a customer can read (pdfkit, built-in Helvetica): operator, customer and
 * address, account, bill number, period, issue and due dates, each line with its amounts, the
 * taxes per rate, the totals, the amount due and how to pay, in English or Spanish. The output
 * depends only on the statement and the settings (the document dates are the issue date), so the
 * same bill renders to the same bytes.
 */
import PDFDocument from 'pdfkit';
import { addDays } from '../../domain/billing/cycle';
import type { BillLine } from '../../domain/billing/bill';
import type { BillStatement } from '../../domain/billing/statement';
import { money } from '../../domain/money';
import type { BillingSettings } from './settings';

type Lang = 'en' | 'es';

const LABELS = {
  en: {
    title: 'Bill',
    billNo: 'Bill number',
    account: 'Billing account',
    customer: 'Customer number',
    period: 'Billing period',
    issued: 'Issue date',
    due: 'Due date',
    description: 'Description',
    net: 'Net',
    taxRate: 'VAT %',
    tax: 'VAT',
    total: 'Total',
    taxes: 'Taxes',
    taxAt: (rate: string) => `VAT ${rate}% on`,
    chargesNet: 'Charges before tax',
    chargesTax: 'Taxes',
    charges: 'Charges of this period',
    previous: 'Previous balance',
    payments: 'Payments received',
    adjustments: 'Adjustments',
    amountDue: 'Amount due',
    credit: 'Credit in your favour',
    howToPay: 'How to pay',
    byCard: (url: string) => `By card: sign in to self-care at ${url} and pay this bill.`,
    byTransfer: (iban: string, ref: string) => `By bank transfer to IBAN ${iban}, reference ${ref}.`,
    nothingToPay: 'There is nothing to pay: the credit will be used for your next bills.',
    kinds: { recurring: 'Monthly fees', discount: 'Discounts', usage: 'Usage beyond your allowances', oneTime: 'One-time charges' },
    days: (d: number, of: number) => `${d} of ${of} days`,
    usage: { voice: 'Calls', sms: 'SMS', data: 'Data' },
    page: 'Page',
  },
  es: {
    title: 'Factura',
    billNo: 'Número de factura',
    account: 'Cuenta de facturación',
    customer: 'Número de cliente',
    period: 'Periodo facturado',
    issued: 'Fecha de emisión',
    due: 'Fecha de vencimiento',
    description: 'Concepto',
    net: 'Base',
    taxRate: 'IVA %',
    tax: 'IVA',
    total: 'Total',
    taxes: 'Impuestos',
    taxAt: (rate: string) => `IVA ${rate}% sobre`,
    chargesNet: 'Cargos sin impuestos',
    chargesTax: 'Impuestos',
    charges: 'Cargos de este periodo',
    previous: 'Saldo anterior',
    payments: 'Pagos recibidos',
    adjustments: 'Ajustes',
    amountDue: 'Importe a pagar',
    credit: 'Saldo a su favor',
    howToPay: 'Cómo pagar',
    byCard: (url: string) => `Con tarjeta: entre en el área de cliente en ${url} y pague esta factura.`,
    byTransfer: (iban: string, ref: string) => `Por transferencia al IBAN ${iban}, con la referencia ${ref}.`,
    nothingToPay: 'No hay nada que pagar: el saldo se usará en sus próximas facturas.',
    kinds: { recurring: 'Cuotas mensuales', discount: 'Descuentos', usage: 'Consumo fuera de lo incluido', oneTime: 'Cargos únicos' },
    days: (d: number, of: number) => `${d} de ${of} días`,
    usage: { voice: 'Llamadas', sms: 'SMS', data: 'Datos' },
    page: 'Página',
  },
} as const;

/** An amount as printed: `1234.5` → `1,234.50` (en) or `1.234,50` (es), with the currency. */
export function printAmount(value: string, currency: string, lang: Lang): string {
  const [int, dec] = money(value).abs().toFixed(2).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, lang === 'es' ? '.' : ',');
  const sign = money(value).isNegative() ? '-' : '';
  return `${sign}${grouped}${lang === 'es' ? ',' : '.'}${dec} ${currency}`;
}

const printRate = (rate: string, lang: Lang) => (lang === 'es' ? rate.replace('.', ',') : rate);

/** `2026-11-01` → `01/11/2026` (es) or `2026-11-01` (en). */
const printDate = (date: string, lang: Lang) => (lang === 'es' ? date.split('-').reverse().join('/') : date);

/** The usage quantity as a person reads it: minutes and seconds, MB, messages. */
function printQuantity(u: NonNullable<BillLine['usage']>): string {
  const q = money(u.quantity);
  if (u.usageType === 'voice') {
    const seconds = q.toNumber();
    return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`;
  }
  if (u.usageType === 'data') return `${q.dividedBy(1_048_576).toFixed(2)} MB`;
  return `${q.toString()} SMS`;
}

function lineText(l: BillLine, lang: Lang): string {
  const t = LABELS[lang];
  if (l.kind === 'usage' && l.usage) return `${t.usage[l.usage.usageType]} (${l.usage.band})${l.usage.msisdn ? ` ${l.usage.msisdn}` : ''}: ${printQuantity(l.usage)}`;
  if ((l.kind === 'recurring' || l.kind === 'discount') && l.days !== undefined && l.days !== l.cycleDays) return `${l.description} (${t.days(l.days, l.cycleDays!)})`;
  return l.description;
}

/** Renders the bill's PDF. */
export function renderBillPdf(s: BillStatement, settings: BillingSettings): Promise<Buffer> {
  const lang: Lang = s.language === 'es' ? 'es' : 'en';
  const t = LABELS[lang];
  const at = new Date(`${s.issueDate}T00:00:00Z`);
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `${t.title} ${s.billNo}`, Author: settings.operatorName, Subject: `${t.title} ${s.billNo}`, CreationDate: at, ModDate: at },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const amt = (v: string) => printAmount(v, s.currency, lang);
  const left = 50;
  const width = 495;

  // Header: operator on the left, the customer's address block on the right.
  doc.font('Helvetica-Bold').fontSize(16).text(settings.operatorName, left, 50);
  doc.font('Helvetica').fontSize(9);
  for (const l of [...settings.operatorAddress, settings.operatorTaxId]) doc.text(l);
  const c = s.customer;
  const address = [c.name, c.address?.street, [c.address?.postCode, c.address?.city].filter(Boolean).join(' '), c.address?.country].filter((x): x is string => !!x);
  doc.fontSize(10).text(address.join('\n'), 330, 60, { width: 215 });

  doc.font('Helvetica-Bold').fontSize(14).text(`${t.title} ${s.billNo}`, left, 150);
  doc.font('Helvetica').fontSize(9);
  const facts: Array<[string, string]> = [
    [t.account, s.billingAccountId],
    [t.customer, c.id],
    [t.period, `${printDate(s.cycle.start, lang)} - ${printDate(addDays(s.cycle.end, -1), lang)}`],
    [t.issued, printDate(s.issueDate, lang)],
    [t.due, printDate(s.dueDate, lang)],
  ];
  for (const [label, value] of facts) doc.text(`${label}: ${value}`, left);

  // Lines, grouped by kind.
  const cols = { desc: left, net: 330, rate: 400, tax: 440, total: 485 };
  const row = (cells: [string, string, string, string, string], bold = false) => {
    if (doc.y > 760) doc.addPage();
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8.5);
    doc.text(cells[0], cols.desc, y, { width: cols.net - cols.desc - 10 });
    const end = doc.y;
    doc.text(cells[1], cols.net, y, { width: 65, align: 'right' });
    doc.text(cells[2], cols.rate, y, { width: 35, align: 'right' });
    doc.text(cells[3], cols.tax, y, { width: 42, align: 'right' });
    doc.text(cells[4], cols.total, y, { width: 60, align: 'right' });
    doc.y = Math.max(end, doc.y) + 2;
  };
  doc.moveDown(1.5);
  row([t.description, t.net, t.taxRate, t.tax, t.total], true);
  for (const kind of ['recurring', 'discount', 'usage', 'oneTime'] as const) {
    const lines = s.lines.filter((l) => l.kind === kind);
    if (!lines.length) continue;
    doc.moveDown(0.4);
    doc.font('Helvetica-Bold').fontSize(9).text(t.kinds[kind], cols.desc);
    for (const l of lines) row([lineText(l, lang), amt(l.net), printRate(l.taxRate, lang), amt(l.tax), amt(l.gross)]);
  }

  // Taxes per rate, totals, balance.
  doc.moveDown(1);
  doc.font('Helvetica-Bold').fontSize(9).text(t.taxes, cols.desc);
  for (const tax of s.taxes) row([`${t.taxAt(printRate(tax.taxRate, lang))} ${amt(tax.net)}`, '', '', amt(tax.tax), '']);
  doc.moveDown(1);
  const total = (label: string, value: string, bold = false) => {
    if (doc.y > 760) doc.addPage();
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(bold ? 11 : 9);
    doc.text(label, 300, y, { width: 150 });
    doc.text(value, 445, y, { width: 100, align: 'right' });
  };
  total(t.chargesNet, amt(s.totals.net));
  total(t.chargesTax, amt(s.totals.tax));
  total(t.charges, amt(s.totals.charges), true);
  doc.moveDown(0.5);
  total(t.previous, amt(s.totals.previousBalance));
  total(t.payments, amt(s.totals.payments));
  total(t.adjustments, amt(s.totals.adjustments));
  const due = money(s.totals.amountDue);
  total(due.isNegative() ? t.credit : t.amountDue, amt(due.isNegative() ? due.negated().toFixed(2) : s.totals.amountDue), true);

  // How to pay.
  doc.moveDown(2);
  doc.font('Helvetica-Bold').fontSize(10).text(t.howToPay, left, doc.y, { width });
  doc.font('Helvetica').fontSize(9);
  if (due.isPositive() && !due.isZero()) {
    doc.text(t.byCard(settings.selfCareUrl), { width });
    doc.text(t.byTransfer(settings.iban, s.billNo), { width });
  } else {
    doc.text(t.nothingToPay, { width });
  }
  doc.end();
  return done;
}
