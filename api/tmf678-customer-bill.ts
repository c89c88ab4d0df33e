/**
 * TMF678 Customer Bill Management v4 (`/tmf-api/customerBillManagement/v4/`): the bills the bill
 * run issues (customerBill: read, and PATCH of `state` to put a bill on hold or release it), their
 * lines (appliedCustomerBillingRate, read only), each bill's PDF at `customerBill/{id}/pdf`, and
 * customerBillOnDemand. Bills are never created or deleted through the API. Staff read everything;
 * a customer token reads its own.
 *
 * A bill on demand does not issue a bill outside the cycle (a period is billed once, at its
 * close): the request is `done` with the account's latest bill, or `rejected` with the reason.
 */
import { isDeepStrictEqual } from 'node:util';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { pdfOfBill } from '../activities/billing/send-bill';
import { defaultBillingSettings, type BillingSettings } from '../activities/billing/settings';
import { appliedCustomerBillingRateModel, customerBillModel, customerBillOnDemandModel, CUSTOMER_BILL_API, findBill, latestBillOf } from '../db/bills';
import { CRM_TABLES } from '../db/crm';
import { findResource, resourceHref, type TmfDocument } from '../db/tmf-resources';
import type { TmfModel } from '../db/tmf-store';
import { refuseClientBillMove } from '../domain/billing/bill-states';
import { billingCycleWorkflowId, disputeBillSignal, resolveDisputeSignal } from '../workflows/billing-cycle';
import { requireRole } from './auth';
import { binaryContent, commonErrors, errorResponse, idParam, type OpenApiPart } from './openapi';
import { appliedCustomerBillingRateSchema, customerBillOnDemandSchema, customerBillSchema } from './schemas/tmf678';
import { badRequest, notFound, TmfError } from './tmf/errors';
import { TmfApi, type TmfApiDeps } from './tmf/resource';

const READERS = ['admin', 'agent', 'customer'] as const;
const WRITERS = ['admin', 'agent'] as const;
/** What a client may change on a bill (CustomerBill_Update); the server stamps lastUpdate. */
const PATCHABLE = new Set(['state', 'lastUpdate', '@type', '@baseType', '@schemaLocation']);

/** On create: the request is answered at once from the account and its bills. */
function onDemandModel(publicUrl: string): TmfModel {
  return {
    ...customerBillOnDemandModel,
    hooks: {
      beforeWrite: async ({ db, before, after }) => {
        if (before) return after;
        const accountId = (after.billingAccount as { id: string }).id;
        const account = await findResource(db, CRM_TABLES.billingAccount, accountId);
        if (!account) return { ...after, state: 'rejected', description: `billing account ${accountId} does not exist` };
        const customer = (account.relatedParty as Array<{ id: string; role?: string; name?: string }> | undefined)?.find((p) => p.role?.toLowerCase() === 'customer');
        const party = customer ? { relatedParty: { id: customer.id, name: customer.name, role: 'customer', '@referredType': 'Customer' } } : {};
        const latest = await latestBillOf(db, accountId);
        if (!latest) return { ...after, ...party, state: 'rejected', description: 'no bill issued yet: bills are issued when a billing cycle closes' };
        const href = resourceHref(publicUrl, CUSTOMER_BILL_API, 'customerBill', latest.id);
        return { ...after, ...party, state: 'done', customerBill: { id: latest.id, href, '@referredType': 'CustomerBill' }, description: `latest bill ${latest.billNo}` };
      },
    },
  };
}

/**
 * A bill put on hold (or released) through the API holds (or resumes) its dunning: the account's
 * billing cycle workflow is told, as for a dispute. An account whose cycle no longer runs has no
 * dunning to hold, so the state change alone stands.
 */
async function tellBillingCycle(temporal: Client, before: TmfDocument, after: TmfDocument): Promise<void> {
  const held = before.state !== 'onHold' && after.state === 'onHold';
  const released = before.state === 'onHold' && after.state !== 'onHold';
  if (!held && !released) return;
  const accountId = (after.billingAccount as { id: string }).id;
  const handle = temporal.workflow.getHandle(billingCycleWorkflowId(accountId));
  try {
    if (held) await handle.signal(disputeBillSignal, { billId: after.id, reason: 'bill put on hold' });
    else await handle.signal(resolveDisputeSignal, { billId: after.id });
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}

/** Builds the TMF678 router. */
export function customerBillApi(deps: TmfApiDeps & { billing?: BillingSettings; temporal?: Client }): TmfApi {
  const settings = deps.billing ?? defaultBillingSettings(deps.publicUrl);
  const api = new TmfApi(CUSTOMER_BILL_API, deps);

  // The bill's PDF, rendered once from the stored bill and kept.
  api.router.get('/customerBill/:id/pdf', requireRole(...READERS), async (req, res) => {
    const scope = req.principal?.roles.every((r) => r === 'customer') ? { customerId: req.principal.customerId ?? '' } : {};
    const doc = await findResource(deps.knex, customerBillModel.table, String(req.params.id), { scope });
    const bill = doc && (await findBill(deps.knex, doc.id));
    if (!bill) throw notFound(`CustomerBill ${req.params.id}`);
    const pdf = await pdfOfBill({ knex: deps.knex, settings }, bill);
    res.setHeader('Content-Type', 'application/pdf');
    res.setHeader('Content-Disposition', `inline; filename="${bill.billNo}.pdf"`);
    res.send(pdf);
  });

  api.resource({
    ...customerBillModel,
    schema: customerBillSchema,
    access: { read: [...READERS], write: [...WRITERS] },
    refuse: ['create', 'delete'],
    authorizeWrite: ({ before, after }) => {
      if (!before || !after) return;
      const changed = Object.keys({ ...before, ...after }).filter((k) => !PATCHABLE.has(k) && !isDeepStrictEqual(before[k], after[k]));
      if (changed.length) throw badRequest(`${changed.join(', ')}: a bill as issued cannot be changed; only state can`);
      const why = refuseClientBillMove(String(before.state), String(after.state));
      if (why) throw new TmfError(409, 'Conflict', why);
    },
    afterCommit: async ({ before, after }) => {
      if (deps.temporal && before) await tellBillingCycle(deps.temporal, before, after);
    },
  });
  api.resource({ ...appliedCustomerBillingRateModel, schema: appliedCustomerBillingRateSchema, access: { read: [...READERS], write: [...WRITERS] }, readOnly: true });
  api.resource({
    ...onDemandModel(deps.publicUrl),
    schema: customerBillOnDemandSchema,
    access: { read: [...READERS], write: [...WRITERS] },
    refuse: ['patch', 'delete'],
  });
  return api;
}

/** The PDF download in the OpenAPI document. */
export function customerBillPdfOpenApi(): OpenApiPart {
  return {
    paths: {
      [`/tmf-api/${CUSTOMER_BILL_API}/v4/customerBill/{id}/pdf`]: {
        get: {
          tags: [`${CUSTOMER_BILL_API} customerBill`],
          operationId: 'getCustomerBillPdf',
          description: 'The bill as a PDF, as mailed to the customer',
          parameters: [idParam],
          responses: { '200': { description: 'The bill', content: binaryContent(['application/pdf']) }, ...commonErrors, '404': errorResponse('No such bill') },
        },
      },
    },
  };
}
