/**
 * `/api/billing-accounts/{id}/…`: where the collection of a postpaid account stands, and the
 * requests its billing cycle workflow (billing-<id>) takes from people.
 *
 * - `GET …/collection` (admin, agent, the account's customer): balance from the ledger and the
 *   dunning state the workflow last reported (current, overdue, reminded, finalReminder,
 *   suspended, terminated, inCollection, closed), the overdue bill and the disputed ones.
 * - `POST …/disputes` `{billId, reason}` (admin, agent, the account's customer): the bill goes
 *   `onHold` and its dunning is held until `POST …/disputes/{billId}/resolution` (admin, agent),
 *   which returns the bill to the state it was in.
 * - `POST …/termination` `{effectiveDate?, reason?}` (admin, agent): ends the contract; the cycle
 *   it falls in is still billed.
 * All three answer 202 once the workflow has the request; 409 when no billing cycle runs.
 */
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import express, { type Request, type Router } from 'express';
import type { Knex } from 'knex';
import { z } from 'zod';
import { holdBill, releaseHeldBill } from '../db/bills';
import { findAccountDunning } from '../db/billing-dunning';
import { accountBalance } from '../db/billing-ledger';
import { billingAccountModel, relatedCustomerId } from '../db/crm-models';
import { findResource, type TmfDocument } from '../db/tmf-resources';
import type { Clock } from '../domain/clock';
import { billingCycleWorkflowId, disputeBillSignal, resolveDisputeSignal, terminateAccountSignal } from '../workflows/billing-cycle';
import { requireRole } from './auth';
import { commonErrors, errorResponse, json, jsonSchema, ref, type OpenApiPart } from './openapi';
import { badRequest, describeZodError, notFound, TmfError } from './tmf/errors';

export const BILLING_ACCOUNTS_PATH = '/api/billing-accounts';

const disputeSchema = z.object({ billId: z.string().min(1), reason: z.string().min(1).max(2000) });
const terminationSchema = z.object({ effectiveDate: z.iso.date().optional(), reason: z.string().max(2000).optional() });

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (!parsed.success) throw badRequest(describeZodError(parsed.error));
  return parsed.data;
}

export function billingCollectionRouter(deps: { knex: Knex; temporal: Client; clock: Clock }): Router {
  const { knex, temporal, clock } = deps;
  const router = express.Router();

  /** The account, if the caller may see it (a customer only its own: others are 404, not 403). */
  async function visibleAccount(req: Request): Promise<TmfDocument> {
    const account = await findResource(knex, billingAccountModel.table, String(req.params.id));
    const principal = req.principal!;
    const customerOnly = principal.roles.every((r) => r === 'customer');
    if (!account || (customerOnly && relatedCustomerId(account) !== principal.customerId)) throw notFound(`billing account ${req.params.id}`);
    return account;
  }

  async function signal(billingAccountId: string, send: (handle: ReturnType<Client['workflow']['getHandle']>) => Promise<void>): Promise<void> {
    try {
      await send(temporal.workflow.getHandle(billingCycleWorkflowId(billingAccountId)));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new TmfError(409, 'Conflict', `no billing cycle runs for billing account ${billingAccountId}`);
      throw err;
    }
  }

  router.get(`${BILLING_ACCOUNTS_PATH}/:id/collection`, requireRole('admin', 'agent', 'customer'), async (req, res) => {
    const account = await visibleAccount(req);
    const id = String(account.id);
    const dunning = await findAccountDunning(knex, id);
    const currency = (account.billStructure as { currency?: string } | undefined)?.currency ?? 'EUR';
    res.json({
      billingAccountId: id,
      balance: { unit: currency, value: await accountBalance(knex, id) },
      state: dunning?.state ?? 'current',
      ...(dunning?.billId ? { overdueBill: { id: dunning.billId, dueDate: dunning.dueDate, overdueAmount: dunning.overdueAmount } } : {}),
      disputedBills: dunning?.disputedBills ?? [],
      currentCycleStart: dunning?.currentCycleStart,
      updatedAt: dunning?.updatedAt.toISOString(),
    });
  });

  router.post(`${BILLING_ACCOUNTS_PATH}/:id/disputes`, requireRole('admin', 'agent', 'customer'), async (req, res) => {
    const account = await visibleAccount(req);
    const body = parse(disputeSchema, req.body);
    const bill = await knex('billing_account_entry').where({ billing_account_id: account.id, kind: 'bill', bill_id: body.billId }).first('id');
    if (!bill) throw notFound(`bill ${body.billId} of billing account ${account.id}`);
    // The bill shows the hold (TMF678 onHold) exactly when the cycle has the dispute: the signal is
    // sent inside the transaction, so a cycle that cannot take it leaves the bill as it was.
    await knex.transaction(async (trx) => {
      await holdBill(trx, body.billId, clock.now());
      await signal(String(account.id), (h) => h.signal(disputeBillSignal, body));
    });
    res.status(202).json({ billingAccountId: account.id, billId: body.billId, status: 'disputed' });
  });

  router.post(`${BILLING_ACCOUNTS_PATH}/:id/disputes/:billId/resolution`, requireRole('admin', 'agent'), async (req, res) => {
    const account = await visibleAccount(req);
    const billId = String(req.params.billId);
    await knex.transaction(async (trx) => {
      await releaseHeldBill(trx, billId, clock.now());
      await signal(String(account.id), (h) => h.signal(resolveDisputeSignal, { billId }));
    });
    res.status(202).json({ billingAccountId: account.id, billId, status: 'resolved' });
  });

  router.post(`${BILLING_ACCOUNTS_PATH}/:id/termination`, requireRole('admin', 'agent'), async (req, res) => {
    const account = await visibleAccount(req);
    const body = parse(terminationSchema, req.body);
    await signal(String(account.id), (h) => h.signal(terminateAccountSignal, body));
    res.status(202).json({ billingAccountId: account.id, status: 'terminationRequested', ...body });
  });

  return router;
}

/** The OpenAPI paths of the router. */
export function billingCollectionOpenApi(): OpenApiPart {
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
  const accepted = { description: 'The billing cycle has the request', content: json({ type: 'object' }) };
  const errors = { ...commonErrors, '404': errorResponse('No such billing account (or bill)'), '409': errorResponse('No billing cycle runs for the account') };
  return {
    schemas: {
      BillingCollection: {
        type: 'object',
        properties: {
          billingAccountId: { type: 'string' },
          balance: { type: 'object', properties: { unit: { type: 'string' }, value: { type: 'string', description: 'Decimal; negative is a credit' } } },
          state: { enum: ['current', 'overdue', 'reminded', 'finalReminder', 'suspended', 'terminated', 'inCollection', 'closed'] },
          overdueBill: { type: 'object', properties: { id: { type: 'string' }, dueDate: { type: 'string', format: 'date' }, overdueAmount: { type: 'string' } } },
          disputedBills: { type: 'array', items: { type: 'string' } },
          currentCycleStart: { type: 'string', format: 'date' },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
      BillDispute: jsonSchema(disputeSchema),
      AccountTermination: jsonSchema(terminationSchema),
    },
    paths: {
      [`${BILLING_ACCOUNTS_PATH}/{id}/collection`]: {
        get: {
          tags: ['billing'],
          operationId: 'retrieveBillingCollection',
          description: 'Balance and dunning state of a postpaid billing account (admin, agent, its customer)',
          parameters: [idParam],
          responses: { '200': { description: 'Where the collection stands', content: json(ref('BillingCollection')) }, ...commonErrors, '404': errorResponse('No such billing account') },
        },
      },
      [`${BILLING_ACCOUNTS_PATH}/{id}/disputes`]: {
        post: {
          tags: ['billing'],
          operationId: 'disputeBill',
          description: 'Holds the dunning of a bill until the dispute is resolved (admin, agent, its customer)',
          parameters: [idParam],
          requestBody: { required: true, content: json(ref('BillDispute')) },
          responses: { '202': accepted, ...errors },
        },
      },
      [`${BILLING_ACCOUNTS_PATH}/{id}/disputes/{billId}/resolution`]: {
        post: {
          tags: ['billing'],
          operationId: 'resolveBillDispute',
          description: 'Ends the hold; dunning resumes if the bill is still owed (admin, agent)',
          parameters: [idParam, { name: 'billId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '202': accepted, ...errors },
        },
      },
      [`${BILLING_ACCOUNTS_PATH}/{id}/termination`]: {
        post: {
          tags: ['billing'],
          operationId: 'terminateBillingAccount',
          description: 'Ends the contract on effectiveDate (default today); its last cycle is billed (admin, agent)',
          parameters: [idParam],
          requestBody: { required: false, content: json(ref('AccountTermination')) },
          responses: { '202': accepted, ...errors },
        },
      },
    },
  };
}
