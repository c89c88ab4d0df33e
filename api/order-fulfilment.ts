/**
 * The API side of order fulfilment: new TMF622 orders start their workflow (`order-<id>`);
 * cancellation requests, technician completions and added capacity are signalled to it; and
 * `/api/orders/{id}` lets a customer or agent pay a held order with another card or move the
 * installation visit (updates the workflow answers).
 */
import express, { type Router } from 'express';
import type { Knex } from 'knex';
import { Client, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { PaymentGateway } from '../activities/payments/gateway';
import { productOrderModel } from '../db/order-models';
import { findProductOrders } from '../db/orders';
import { insertPaymentMethod } from '../db/registrations';
import { findResource } from '../db/tmf-resources';
import type { Clock } from '../domain/clock';
import type { orderFulfilment } from '../workflows/order-fulfilment';
import { capacityAddedSignal, cancelOrderSignal, moveAppointmentUpdate, orderStatusQuery, payWithUpdate, workOrderCompletedSignal } from '../workflows/order-fulfilment';
import { requireRole } from './auth';
import { tokeniseCard } from './card-tokenisation';
import { commonErrors, errorResponse, idParam, json, jsonSchema, type OpenApiPart } from './openapi';
import { cardSchema } from './schemas/registration';
import type { ProductOrderHooks } from './tmf622-product-order';
import type { WorkOrderCompletedEvent } from './tmf697-work-order';
import { badRequest, describeZodError, notFound, TmfError } from './tmf/errors';

export const orderWorkflowId = (orderId: string) => `order-${orderId}`;

/** Signals are fire-and-forget: an order whose workflow is gone (or never ran) has nobody to tell. */
async function signalQuietly(logger: Logger | undefined, send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
    logger?.warn({ err }, 'no order workflow to signal');
  }
}

/** The hooks of the order, work-order and inventory APIs that drive the order workflows. */
export function orderFulfilmentHooks(deps: { temporal: Client; taskQueue: string; knex: Knex; logger?: Logger }) {
  const { temporal, taskQueue, knex, logger } = deps;
  const handle = (orderId: string) => temporal.workflow.getHandle<typeof orderFulfilment>(orderWorkflowId(orderId));
  const orderHooks: ProductOrderHooks = {
    onOrderCreated: async (order) => {
      try {
        await temporal.workflow.start<typeof orderFulfilment>('orderFulfilment', { workflowId: orderWorkflowId(String(order.id)), taskQueue, args: [{ orderId: String(order.id) }] });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    },
    onCancellationRequested: (request, order) =>
      signalQuietly(logger, () => handle(String(order.id)).signal(cancelOrderSignal, { cancellationId: String(request.id), reason: request.cancellationReason as string | undefined })),
  };
  return {
    orderHooks,
    onWorkOrderCompleted: (event: WorkOrderCompletedEvent) => signalQuietly(logger, () => handle(event.orderId).signal(workOrderCompletedSignal, { workOrderId: event.workOrderId })),
    /** Every order waiting for capacity looks again (each checks its own area). */
    onCapacityAdded: async () => {
      for (const order of await findProductOrders(knex, { state: 'pending' })) {
        await signalQuietly(logger, () => handle(String(order.id)).signal(capacityAddedSignal));
      }
    },
  };
}

/** Another saved card, or a new one (tokenised here, as at registration). */
const paymentSchema = (today: string) => z.union([z.object({ paymentMethodId: z.uuid() }).strict(), z.object({ card: cardSchema(today) }).strict()]);
const appointmentSchema = z.object({ start: z.iso.datetime({ offset: true }) }).strict();

/** `/api/orders/{id}/payment` and `/api/orders/{id}/appointment`. */
export function ordersRouter(deps: { knex: Knex; temporal: Client; gateway: PaymentGateway; clock: Clock }): Router {
  const router = express.Router();
  const { knex, temporal } = deps;
  const access = requireRole('admin', 'agent', 'customer');

  /** The order, if the caller may act on it (customers: their own). */
  async function orderFor(req: express.Request) {
    const id = String(req.params.id);
    const order = await findResource(knex, productOrderModel.table, id);
    const principal = req.principal!;
    const customerOnly = principal.roles.every((r) => r === 'customer');
    if (!order || (customerOnly && productOrderModel.ownerCustomerId?.(order) !== principal.customerId)) throw notFound(`ProductOrder ${id}`);
    return { id, customerId: productOrderModel.ownerCustomerId!(order)! };
  }

  const update = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) throw new TmfError(409, 'Conflict', err.cause?.message ?? err.message);
      if (err instanceof WorkflowNotFoundError) throw new TmfError(409, 'Conflict', 'the order is not being fulfilled');
      throw err;
    }
  };

  router.post('/:id/payment', access, async (req, res) => {
    const order = await orderFor(req);
    const parsed = paymentSchema(deps.clock.now().toISOString().slice(0, 10)).safeParse(req.body);
    if (!parsed.success) throw badRequest(describeZodError(parsed.error));
    let paymentMethodId: string;
    if ('card' in parsed.data) {
      const method = await tokeniseCard(deps.gateway, parsed.data.card, 'card');
      await insertPaymentMethod(knex, method, { customerId: order.customerId });
      paymentMethodId = method.id;
    } else paymentMethodId = parsed.data.paymentMethodId;
    const status = await update(() => temporal.workflow.getHandle<typeof orderFulfilment>(orderWorkflowId(order.id)).executeUpdate(payWithUpdate, { args: [{ paymentMethodId }] }));
    res.status(202).json({ id: order.id, state: status.state, paymentMethodId });
  });

  router.post('/:id/appointment', access, async (req, res) => {
    const order = await orderFor(req);
    const parsed = appointmentSchema.safeParse(req.body);
    if (!parsed.success) throw badRequest(describeZodError(parsed.error));
    const appointment = await update(() =>
      temporal.workflow.getHandle<typeof orderFulfilment>(orderWorkflowId(order.id)).executeUpdate(moveAppointmentUpdate, { args: [{ start: parsed.data.start }] }),
    );
    res.json(appointment);
  });

  router.get('/:id/fulfilment', access, async (req, res) => {
    const order = await orderFor(req);
    try {
      res.json(await temporal.workflow.getHandle<typeof orderFulfilment>(orderWorkflowId(order.id)).query(orderStatusQuery));
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notFound(`fulfilment of ProductOrder ${order.id}`);
      throw err;
    }
  });

  return router;
}

/** The OpenAPI description of `/api/orders`. */
export function ordersOpenApi(today: string): OpenApiPart {
  const tags = ['order fulfilment'];
  return {
    schemas: { OrderPayment: jsonSchema(paymentSchema(today)), AppointmentMove: jsonSchema(appointmentSchema) },
    paths: {
      '/api/orders/{id}/payment': {
        post: {
          tags,
          operationId: 'payHeldOrder',
          description: 'Pays an order held for a declined up-front payment, with another saved card or a new one',
          parameters: [idParam],
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/OrderPayment' }) },
          responses: { '202': { description: 'The order tries the payment again', content: json({ type: 'object' }) }, ...commonErrors, '404': errorResponse('No such order'), '409': errorResponse('The order is not held for payment'), '422': errorResponse('The card was declined') },
        },
      },
      '/api/orders/{id}/appointment': {
        post: {
          tags,
          operationId: 'moveInstallationVisit',
          parameters: [idParam],
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/AppointmentMove' }) },
          responses: { '200': { description: 'The new appointment', content: json({ type: 'object' }) }, ...commonErrors, '404': errorResponse('No such order'), '409': errorResponse('The visit cannot move to that time') },
        },
      },
      '/api/orders/{id}/fulfilment': {
        get: {
          tags,
          operationId: 'getOrderFulfilment',
          description: 'Where the fulfilment workflow stands: state, reasons, appointment, numbers',
          parameters: [idParam],
          responses: { '200': { description: 'The workflow state', content: json({ type: 'object' }) }, ...commonErrors, '404': errorResponse('No such order') },
        },
      },
    },
  };
}
