/** Active customers for order tests, made directly through the CRM models (as registration would). */
import type { Knex } from 'knex';
import { randomUUID } from 'node:crypto';
import { billingAccountModel, customerModel } from '../../db/crm-models';
import { createTmfResourceOnce, patchTmfResource } from '../../db/tmf-store';

export interface TestCustomer {
  customerId: string;
  billingAccountId: string;
  email: string;
  mobile: string;
  paymentMethodId?: string;
}

export async function createActiveCustomer(
  knex: Knex,
  opts: { paymentType: 'prepaid' | 'postpaid'; cardLast4?: string | null; publicUrl?: string },
): Promise<TestCustomer> {
  const customerId = randomUUID();
  const billingAccountId = randomUUID();
  const tag = customerId.slice(0, 8);
  const email = `order-${tag}@example.com`;
  const mobile = `+346${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const ctx = { now: new Date(), publicUrl: opts.publicUrl ?? 'http://localhost:3000' };
  const party = [{ id: customerId, role: 'customer', name: 'Lucía Martín', '@referredType': 'Customer' }];
  await knex.transaction(async (trx) => {
    await createTmfResourceOnce(trx, customerModel, customerId, {
      name: 'Lucía Martín',
      engagedParty: { id: randomUUID(), name: 'Lucía Martín', '@referredType': 'Individual' },
      contactMedium: [
        { mediumType: 'email', preferred: true, characteristic: { contactType: 'email', emailAddress: email } },
        { mediumType: 'mobile', characteristic: { contactType: 'mobile', phoneNumber: mobile } },
      ],
      characteristic: [{ name: 'preferredLanguage', value: 'en' }],
    }, ctx);
    await patchTmfResource(trx, customerModel, customerId, { status: 'Approved' }, ctx.now);
    await patchTmfResource(trx, customerModel, customerId, { status: 'Active' }, ctx.now);
    await createTmfResourceOnce(trx, billingAccountModel, billingAccountId, {
      name: `Lucía Martín (${opts.paymentType})`,
      accountType: opts.paymentType,
      relatedParty: party,
      billStructure: { billCycleDay: 1, currency: 'EUR', timeZone: 'Europe/Madrid', paymentType: opts.paymentType },
    }, ctx);
    await patchTmfResource(trx, billingAccountModel, billingAccountId, { state: 'Active' }, ctx.now);
  });
  let paymentMethodId: string | undefined;
  if (opts.cardLast4 !== null) {
    const last4 = opts.cardLast4 ?? '4242';
    paymentMethodId = randomUUID();
    await knex('crm_payment_method').insert({
      id: paymentMethodId,
      customer_id: customerId,
      type: 'card',
      holder_name: 'Lucía Martín',
      gateway_token: `tok_sim_${last4}_${randomUUID().replace(/-/g, '')}`,
      brand: 'visa',
      last4,
      expiry_month: 12,
      expiry_year: 2031,
    });
  }
  return { customerId, billingAccountId, email, mobile, paymentMethodId };
}
